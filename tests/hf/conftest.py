"""The real `huggingface_hub` client against this hub over real HTTP.

The client reads its configuration from the environment once, at import: each test sets the
variables (temp HF_HOME, no Xet, online, this hub's URL) and mirrors them into
`huggingface_hub.constants`, and passes endpoint/token as arguments like any user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from huggingface_hub import HfApi, constants
from huggingface_hub.utils import disable_progress_bars

from catalog.models import Model
from catalog.services.models import model_create
from tests.hf.proxy import RecordingProxy


@pytest.fixture
def hf_home(tmp_path: Path, monkeypatch) -> Path:
    home = tmp_path / "hf-home"
    (home / "hub").mkdir(parents=True)
    # The client asks the endpoint for an agent registry once a day: a fresh cached copy.
    (home / ".agent_harnesses.json").write_text(
        json.dumps({"standardEnvVars": [], "harnesses": {}})
    )
    monkeypatch.delenv("HF_TOKEN", raising=False)
    env = {
        "HF_HOME": str(home),
        "HF_HUB_CACHE": str(home / "hub"),
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_OFFLINE": "0",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    # The same values, for the constants the client computed from the environment at import.
    for name, value in {
        "HF_HOME": str(home),
        "HF_HUB_CACHE": str(home / "hub"),
        "HF_TOKEN_PATH": str(home / "token"),
        "HF_STORED_TOKENS_PATH": str(home / "stored_tokens"),
        "AGENT_HARNESSES_PATH": str(home / ".agent_harnesses.json"),
        "HF_HUB_DISABLE_XET": True,
        "HF_HUB_OFFLINE": False,
        "HF_HUB_DISABLE_TELEMETRY": True,
    }.items():
        monkeypatch.setattr(constants, name, value)
    disable_progress_bars()
    return home


@pytest.fixture
def hub_url(live_server, hf_home, monkeypatch) -> str:
    use_endpoint(live_server.url, monkeypatch)
    return live_server.url


def use_endpoint(url: str, monkeypatch) -> None:
    """HF_ENDPOINT, and the two constants the client derived from it at import."""
    monkeypatch.setenv("HF_ENDPOINT", url)
    monkeypatch.setattr(constants, "ENDPOINT", url)
    template = url + "/{repo_id}/resolve/{revision}/{filename}"
    monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", template)
    # The module-level client behind huggingface_hub.file_exists (which peft calls) read
    # the endpoint at import, as a user's process would have with HF_ENDPOINT already set.
    from huggingface_hub import hf_api

    monkeypatch.setattr(hf_api.api, "endpoint", url)


@pytest.fixture
def hf(hub_url, alice_token) -> HfApi:
    """Alice's client."""
    return HfApi(endpoint=hub_url, token=alice_token)


@pytest.fixture
def anon_hf(hub_url) -> HfApi:
    return HfApi(endpoint=hub_url, token=False)


@pytest.fixture
def proxy(live_server):
    recorder = RecordingProxy(live_server.url)
    yield recorder
    recorder.close()


@pytest.fixture
def make_model(alice):
    def make(name: str = "tiny", user=None, **fields) -> Model:
        return model_create(user=user or alice, name=name, **fields)

    return make
