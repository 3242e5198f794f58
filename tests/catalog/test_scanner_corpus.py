"""The malicious corpus (issue 12): each payload runs code when loaded with its real loader,
the scanner refuses every one of them through the REST upload API, and real-world benign
files are accepted, marked "safe" or "unscanned" in the API and on the model page."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from catalog.models import Blob, Version
from catalog.scanning import UnsafeFileError, scan_file
from tests import malicious_corpus as mc
from tests.helpers import create_model, upload

# The scanner parses protocol-0 text arguments of benign files; pickletools warns on escapes.
pytestmark = pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")


@pytest.fixture(scope="module")
def payloads(tmp_path_factory) -> list[mc.Payload]:
    return mc.malicious(tmp_path_factory.mktemp("malicious"))


@pytest.fixture(scope="module")
def benign(tmp_path_factory) -> dict[str, tuple[bytes, str]]:
    return mc.benign(tmp_path_factory.mktemp("benign"))


def test_corpus_covers_the_issue(payloads: list[mc.Payload]) -> None:
    names = {p.name for p in payloads}
    assert {"model.joblib", "gz/model.pkl", "object.npy", "struct.npy", "weights.npz"} <= names
    assert {"model.sav", "model.pk", "checkpoint.pth.tar", "legacy.pt", "nested.zip"} <= names
    assert {"model.keras", "model.h5", "zstd/model.pkl.zst", "bz2/model.joblib"} <= names


def test_scanner_refuses_every_payload_without_running_it(payloads: list[mc.Payload]) -> None:
    refused = []
    for payload in payloads:
        with pytest.raises(UnsafeFileError) as info:
            scan_file(payload.path, payload.name)
        refused.append(str(info.value))
        assert not payload.marker.exists(), payload.name
    assert len(refused) == len(payloads)


def test_every_payload_runs_code_when_loaded(payloads: list[mc.Payload]) -> None:
    """The proof the corpus is real; runs after the scans above, which left no marker."""
    ran = mc.prove_execution(payloads)
    assert ran and all(ran.values()), [name for name, hit in ran.items() if not hit]
    unproven = [p.name for p in payloads if p.loader is None]
    assert unproven == ["model.keras", "model.h5"]
    # Built to Keras' spec; the proof needs Keras, which this project does not install.
    assert importlib.util.find_spec("keras") is None, "keras is installed: prove these too"


@pytest.mark.django_db
def test_rest_upload_refuses_every_payload(api, isolated_storage, payloads) -> None:
    create_model(api, "target")
    for payload in payloads:
        response = upload(api, "alice/target", [(payload.name, payload.path.read_bytes())])
        assert response.status_code == 400, (payload.name, response.content)
        assert response.json()["error"].startswith(f"{payload.name}: "), response.json()
        assert not payload.marker.exists()
    assert Version.objects.count() == 0 and Blob.objects.count() == 0
    assert not any(p.is_file() for p in isolated_storage["blobs"].rglob("*"))


@pytest.mark.django_db
def test_benign_files_are_accepted_with_their_scan_status(api, client, benign) -> None:
    assert len(benign) >= 30
    create_model(api, "benign")
    files = [(name, data) for name, (data, _) in benign.items()]
    response = upload(api, "alice/benign", files)
    assert response.status_code == 201, response.content
    statuses = {s["rfilename"]: s["metadata"]["scan"] for s in response.json()["siblings"]}
    assert statuses == {name: status for name, (_, status) in benign.items()}
    page = client.get("/alice/benign").content.decode()
    row = page[page.index("<code>model.gguf</code>") :].split("</tr>")[0]
    assert 'class="pill small unscanned"' in row
    safe_row = page[page.index("<code>model.safetensors</code>") :].split("</tr>")[0]
    assert "unscanned" not in safe_row


@pytest.mark.django_db
def test_tree_expand_reports_security_status(api, anon, tmp_path: Path) -> None:
    create_model(api, "tree")
    files = [("model.gguf", mc.GGUF), ("config.json", b"{}")]
    assert upload(api, "alice/tree", files).status_code == 201
    plain = anon.get("/api/models/alice/tree/tree/main").json()
    assert all("securityFileStatus" not in entry for entry in plain)
    expanded = anon.get("/api/models/alice/tree/tree/main?expand=True").json()
    status = {e["path"]: e["securityFileStatus"]["status"] for e in expanded}
    assert status == {"model.gguf": "unscanned", "config.json": "safe"}
