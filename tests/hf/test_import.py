"""`manage.py import_hf` against a second, independent hub (its own process and database),
populated over its REST API and the huggingface_hub client."""

from __future__ import annotations

import hashlib
import io
import itertools

import httpx2
import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from huggingface_hub import HfApi
from safetensors.numpy import save as safetensors_bytes

from catalog.models import Model, Version
from catalog.services.models import model_create
from tests.hf.conftest import use_endpoint
from tests.hf.upstream import start_upstream, stop_upstream

pytestmark = [
    pytest.mark.django_db,
    # huggingface_hub's own LFS PUT passes a file object as `data=`: httpx2 warns about it.
    pytest.mark.filterwarnings("ignore:Use 'content=:DeprecationWarning"),
]

WEIGHTS = safetensors_bytes({"w": np.arange(1000, dtype=np.float32)})
CARD = "# Tiny upstream\n\nA classifier trained on news.\n"
names = itertools.count()


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    hub = start_upstream(tmp_path_factory.mktemp("upstream"))
    yield hub
    stop_upstream(hub)


@pytest.fixture
def upstream_api(upstream, hf_home, monkeypatch) -> HfApi:
    use_endpoint(upstream.url, monkeypatch)
    return HfApi(endpoint=upstream.url, token=upstream.token)


@pytest.fixture
def upstream_model(upstream, upstream_api):
    """A model made on the upstream hub over REST, its files pushed by the HF client."""

    def make(private: bool = False) -> str:
        name = f"tiny-{next(names)}"
        created = httpx2.post(
            f"{upstream.url}/api/models",
            headers={"Authorization": f"Bearer {upstream.token}"},
            json={
                "name": name,
                "private": private,
                "task": "text-classification",
                "source_domain": "news",
                "license": "mit",
                "library": "safetensors",
                "tags": ["demo"],
                "datasets": ["ag_news"],
                "languages": ["en"],
            },
        )
        assert created.status_code == 201, created.text
        repo = f"upstream/{name}"
        for path, data in (
            ("README.md", CARD.encode()),
            ("config.json", b'{"hidden_size": 4}'),
            ("model.safetensors", WEIGHTS),
        ):
            upstream_api.upload_file(path_or_fileobj=data, path_in_repo=path, repo_id=repo)
        return repo

    return make


def run_import(*args: str, **options) -> str:
    out = io.StringIO()
    call_command("import_hf", *args, stdout=out, **options)
    return out.getvalue()


def test_import_then_noop_then_new_version(upstream, upstream_api, upstream_model, alice):
    repo = upstream_model()
    head = upstream_api.model_info(repo).sha
    run_import(repo, endpoint=upstream.url, target="alice/imported")

    model = Model.objects.get(namespace__name="alice", name="imported")
    [v1] = model.versions.all()
    assert v1.origin == Version.Origin.IMPORT and v1.author == alice
    assert v1.metadata["source"] == {"endpoint": upstream.url, "repo_id": repo, "revision": head}
    upstream_files = {s.rfilename: s.blob_id for s in upstream_api.model_info(repo).siblings}
    assert {row.path: row.metadata["git_oid"] for row in v1.files.all()} == upstream_files
    assert (model.task, model.source_domain, model.license) == (
        "text-classification",
        "news",
        "mit",
    )
    assert (model.library, model.tags, model.datasets, model.languages) == (
        "safetensors",
        ["demo", "safetensors"],  # the card's tags, then what the files say
        ["ag_news"],
        ["en"],
    )
    assert model.card == CARD

    assert "already imports" in run_import(repo, endpoint=upstream.url, target="alice/imported")
    assert model.versions.count() == 1

    upstream_api.upload_file(
        path_or_fileobj=b'{"hidden_size": 8}', path_in_repo="config.json", repo_id=repo
    )
    new_head = upstream_api.model_info(repo).sha
    run_import(repo, endpoint=upstream.url, target="alice/imported")
    v2 = model.versions.get(number=2)
    assert v2.parent == v1 and v2.metadata["source"]["revision"] == new_head
    assert (
        v2.files.get(path="config.json").blob_id
        == hashlib.sha256(b'{"hidden_size": 8}').hexdigest()
    )


def test_import_a_pinned_revision(upstream, upstream_api, upstream_model, alice):
    repo = upstream_model()
    first = upstream_api.model_info(repo, revision="v1").sha
    run_import(repo, endpoint=upstream.url, revision="v1", target="alice/pinned")
    [version] = Version.objects.filter(model__name="pinned")
    assert version.metadata["source"]["revision"] == first
    assert version.metadata["source"]["requested_revision"] == "v1"
    assert list(version.files.values_list("path", flat=True)) == ["README.md"]


def test_private_upstream_needs_its_token(upstream, upstream_model, alice):
    repo = upstream_model(private=True)
    with pytest.raises(CommandError, match="Repository Not Found"):
        run_import(repo, endpoint=upstream.url, target="alice/private-copy")
    run_import(
        repo, endpoint=upstream.url, token=upstream.token, target="alice/private-copy", private=True
    )
    assert Model.objects.get(name="private-copy").private is True


def test_the_configured_token_never_goes_to_another_endpoint(
    upstream, upstream_model, alice, monkeypatch
):
    repo = upstream_model()
    # A token for huggingface.co (the configured endpoint) must not be sent to the upstream:
    # if it were, the upstream would answer 401 for an unknown token.
    use_endpoint("https://huggingface.co", monkeypatch)
    monkeypatch.setenv("HF_TOKEN", "hf_for-huggingface-only")
    run_import(repo, endpoint=upstream.url, target="alice/no-leak")
    assert Model.objects.filter(name="no-leak").exists()


def test_import_errors(upstream, upstream_api, upstream_model, alice):
    with pytest.raises(CommandError, match="Repository Not Found"):
        run_import("upstream/none", endpoint=upstream.url, target="alice/none")
    repo = upstream_model()
    with pytest.raises(CommandError, match="no namespace 'upstream'"):
        run_import(repo, endpoint=upstream.url)
    with pytest.raises(CommandError, match="No user named"):
        run_import(repo, endpoint=upstream.url, target="alice/x", user="ghost")


def test_a_refused_import_leaves_nothing_behind(upstream, upstream_api, upstream_model, alice):
    """The publish runs outside any transaction (it stores blobs first), so a refused one
    must not leave the model it created, nor change the fields of one that existed."""
    repo = upstream_model()  # three files
    kept = model_create(user=alice, name="kept", license="apache-2.0")
    with override_settings(HUB_MAX_FILES_PER_VERSION=2):  # this hub only, not the upstream
        with pytest.raises(CommandError, match="at most 2 files"):
            run_import(repo, endpoint=upstream.url, target="alice/refused")
        with pytest.raises(CommandError, match="at most 2 files"):
            run_import(repo, endpoint=upstream.url, target="alice/kept")
    assert not Model.objects.filter(name="refused").exists()
    kept.refresh_from_db()
    assert (kept.license, kept.card, kept.tags) == ("apache-2.0", "", [])
    assert not Version.objects.filter(model=kept).exists()
