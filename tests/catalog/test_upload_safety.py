"""Hostile uploads over HTTP: refused with a message naming the problem; nothing runs,
nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.models import Blob, Version
from tests.catalog import fixtures_files as ff
from tests.helpers import create_model, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo(api):
    create_model(api, "target")
    return "alice/target"


def refused(api, repo, files, isolated_storage, fragment: str) -> None:
    response = upload(api, repo, files)
    assert response.status_code == 400, response.content
    assert fragment in response.json()["error"], response.json()["error"]
    assert Version.objects.count() == 0 and Blob.objects.count() == 0
    assert not any(p.is_file() for p in isolated_storage["blobs"].rglob("*"))
    assert not any(isolated_storage["temp"].iterdir())


@pytest.mark.parametrize(
    ("builder", "fragment"),
    [
        (ff.reduce_exploit, "posix.system"),
        (ff.memo_stack_global_exploit, "system"),
        (ff.getattr_exploit, "getattr"),
        (ff.import_module_exploit, "not allowed"),
        (ff.inst_exploit, "system"),
    ],
)
def test_malicious_pickles_are_refused_and_never_run(
    api, repo, isolated_storage, tmp_path, builder, fragment
):
    marker = tmp_path / "pwned"
    refused(api, repo, [("pytorch_model.bin", builder(marker))], isolated_storage, fragment)
    assert not marker.exists()


def test_malicious_torch_zip_checkpoint(api, repo, isolated_storage, tmp_path):
    marker = tmp_path / "pwned"
    path = ff.torch_zip_exploit(tmp_path / "model.pt", marker)
    refused(api, repo, [("model.pt", path.read_bytes())], isolated_storage, "system")
    assert not marker.exists()


def test_torchscript_posing_as_checkpoint(api, repo, isolated_storage, tmp_path):
    path = ff.torchscript_archive(tmp_path / "ts.pt")
    refused(api, repo, [("model.bin", path.read_bytes())], isolated_storage, "TorchScript")


@pytest.mark.parametrize("damage", ["truncate", "crc"])
def test_broken_zip_checkpoints(api, repo, isolated_storage, tmp_path, damage):
    path = ff.torch_zip_checkpoint(tmp_path / "ok.pt")
    path = ff.truncate(path) if damage == "truncate" else ff.corrupt_member(path, "data/0")
    response = upload(api, repo, [("model.pt", path.read_bytes())])
    assert response.status_code == 400 and "model.pt" in response.json()["error"]
    assert Version.objects.count() == 0


@pytest.mark.parametrize("location", ["../../etc/passwd", "/etc/passwd"])
def test_onnx_external_data_outside_the_version(api, repo, isolated_storage, tmp_path, location):
    path = ff.onnx_model(tmp_path / "m.onnx", external_location=location)
    refused(api, repo, [("model.onnx", path.read_bytes())], isolated_storage, location)


def test_onnx_external_data_inside_the_version_is_fine(api, repo, tmp_path):
    path = ff.onnx_model(tmp_path / "m.onnx", external_location="weights.data")
    response = upload(
        api, repo, [("model.onnx", path.read_bytes()), ("weights.data", b"\x00" * 48)]
    )
    assert response.status_code == 201, response.content


def test_real_checkpoint_and_safetensors_are_accepted(api, repo, tmp_path: Path):
    checkpoint = ff.torch_zip_checkpoint(tmp_path / "ok.pt")
    tensors = ff.safetensors_file(tmp_path / "w.safetensors")
    response = upload(
        api,
        repo,
        [
            ("pytorch_model.bin", checkpoint.read_bytes()),
            ("model.safetensors", tensors.read_bytes()),
        ],
    )
    assert response.status_code == 201, response.content
    formats = {s["rfilename"]: s["metadata"]["format"] for s in response.json()["siblings"]}
    assert formats == {"pytorch_model.bin": "pytorch", "model.safetensors": "safetensors"}


def test_injection_in_card_name_and_message_is_inert(api, client):
    create_model(
        api,
        "inj",
        card="<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3))",
    )
    upload(api, "alice/inj", [("a.txt", b"a")], message='<script>alert("msg")</script>')
    html = client.get("/alice/inj").content.decode()
    assert "<script>alert" not in html and "onerror" not in html
    assert 'href="javascript:' not in html  # the link sits in a raw HTML block: inert text
    assert "&lt;script&gt;alert(&quot;msg&quot;)&lt;/script&gt;" in html
    bad = api.post("/api/models", {"name": "<script>"}, format="json")
    assert bad.status_code == 400
