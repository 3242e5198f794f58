from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from catalog.models import Blob, Version
from tests.helpers import create_model, multipart, upload

pytestmark = pytest.mark.django_db


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def assert_nothing_left(storage: dict[str, Path]) -> None:
    """A refused upload leaves no version, no blob (row or file) and nothing in the upload
    temp folder, which also holds the LFS staging area (`lfs_staging_root`)."""
    assert Version.objects.count() == 0
    assert Blob.objects.count() == 0
    assert stored_files(storage["blobs"]) == []
    assert stored_files(storage["temp"]) == []


def test_upload_creates_numbered_versions_with_manifest_revision(api, isolated_storage):
    create_model(api, "m")
    first = upload(api, "alice/m", [("config.json", b"{}\n"), ("w.raw", b"\x00" * 100)])
    assert first.status_code == 201, first.content
    second = upload(api, "alice/m", [("README.md", b"# hi")], message="docs")
    assert second.status_code == 201
    body = second.json()
    assert body["version"]["number"] == 2
    # `add` mode carries unchanged files forward.
    assert [s["rfilename"] for s in body["siblings"]] == ["README.md", "config.json", "w.raw"]
    assert body["version"]["parent"]["version"] == 1
    assert body["sha"] != first.json()["sha"]
    sha = hashlib.sha256(b"\x00" * 100).hexdigest()
    blob_path = isolated_storage["blobs"] / "sha256" / sha[:2] / sha[2:4] / sha
    assert blob_path.read_bytes() == b"\x00" * 100


def test_replace_mode_and_delete(api):
    create_model(api, "m")
    upload(api, "alice/m", [("a.txt", b"a"), ("b.txt", b"b")])
    replaced = upload(api, "alice/m", [("c.txt", b"c")], mode="replace").json()
    assert [s["rfilename"] for s in replaced["siblings"]] == ["c.txt"]
    upload(api, "alice/m", [("d.txt", b"d")])
    deleted = upload(api, "alice/m", [], delete=["c.txt"]).json()
    assert [s["rfilename"] for s in deleted["siblings"]] == ["d.txt"]
    bad = upload(api, "alice/m", [], delete=["nope.txt"])
    assert bad.status_code == 400 and "no such file" in bad.json()["error"]


def test_identical_content_is_stored_once(api, isolated_storage):
    create_model(api, "one")
    create_model(api, "two")
    payload = b"same bytes" * 1000
    upload(api, "alice/one", [("w.raw", payload)])
    upload(api, "alice/two", [("copy.raw", payload), ("again.raw", payload)])
    assert Blob.objects.count() == 1
    assert len(stored_files(isolated_storage["blobs"])) == 1
    assert stored_files(isolated_storage["temp"]) == []


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("../evil.txt", "'..'"),
        ("a/../../evil.txt", "'..'"),
        ("/etc/passwd", "absolute"),
        ("C:/x.txt", "absolute"),
        ("dir\\file.txt", "backslash"),
        ("nul\x00byte.txt", "NUL"),
        (".git/config", "reserved"),
    ],
)
def test_hostile_file_names_are_400_and_store_nothing(api, isolated_storage, name, fragment):
    create_model(api, "m")
    response = upload(api, "alice/m", [(name, b"data")])
    assert response.status_code == 400, response.content
    assert fragment in response.json()["error"]
    assert_nothing_left(isolated_storage)


def test_paths_field_names_files_and_is_validated(api):
    create_model(api, "m")
    ok = upload(api, "alice/m", [("local.raw", b"x")], paths=["sub/dir/w.raw"])
    assert [s["rfilename"] for s in ok.json()["siblings"]] == ["sub/dir/w.raw"]
    bad = upload(api, "alice/m", [("local.raw", b"x")], paths=["../w.raw"])
    assert bad.status_code == 400
    mismatch = upload(api, "alice/m", [("a", b"x"), ("b", b"y")], paths=["only-one"])
    assert mismatch.status_code == 400 and "one path per file" in mismatch.json()["error"]


def test_same_path_twice_is_400(api, isolated_storage):
    create_model(api, "m")
    response = upload(api, "alice/m", [("w.raw", b"one"), ("w.raw", b"two")])
    assert response.status_code == 400 and "twice" in response.json()["error"]
    assert_nothing_left(isolated_storage)


def test_empty_file_is_kept_and_empty_upload_is_400(api, anon):
    create_model(api, "m")
    empty = upload(api, "alice/m", [("empty.raw", b"")])  # the Hub accepts 0-byte files too
    assert empty.status_code == 201, empty.content
    assert [(s["rfilename"], s["size"]) for s in empty.json()["siblings"]] == [("empty.raw", 0)]
    download = anon.get("/alice/m/resolve/main/empty.raw")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b""
    nothing = upload(api, "alice/m", [])
    assert nothing.status_code == 400 and "at least one file" in nothing.json()["error"]


def test_file_over_limit_is_413_and_nothing_is_stored(api, isolated_storage, settings):
    settings.HUB_MAX_FILE_SIZE = 1000
    create_model(api, "m")
    response = upload(api, "alice/m", [("small.raw", b"ok"), ("big.raw", b"x" * 5000)])
    assert response.status_code == 413
    assert "big.raw" in response.json()["error"] and "limit" in response.json()["error"]
    assert_nothing_left(isolated_storage)


def test_request_over_limit_is_413_and_nothing_is_stored(api, isolated_storage, settings):
    settings.HUB_MAX_REQUEST_SIZE = 100
    create_model(api, "m")
    response = upload(api, "alice/m", [("w.raw", b"x" * 500)])
    assert response.status_code == 413
    assert "limit per upload" in response.json()["error"]
    assert_nothing_left(isolated_storage)


def test_truncated_upload_body_leaves_no_version_and_no_temp_files(api, isolated_storage):
    create_model(api, "m")
    body, content_type = multipart([("w.raw", b"y" * 200_000)])
    cut = body[: len(body) // 2]  # the client vanished half-way: no closing boundary
    response = api.generic("POST", "/api/models/alice/m/versions", cut, content_type=content_type)
    assert response.status_code == 400
    assert "cut off" in response.json()["error"]
    assert_nothing_left(isolated_storage)


def test_metadata_is_read_from_safetensors(api, tmp_path):
    import torch
    from safetensors.torch import save_file

    create_model(api, "st")
    path = tmp_path / "model.safetensors"
    save_file({"w": torch.zeros(3, 4), "b": torch.zeros(4, dtype=torch.float16)}, str(path))
    body = upload(api, "alice/st", [("model.safetensors", path.read_bytes())]).json()
    meta = body["siblings"][0]["metadata"]
    assert meta["format"] == "safetensors"
    assert body["metadata"]["parameter_count"] == 16


def test_aliases_resolve_and_main_is_reserved(api, anon):
    create_model(api, "m")
    upload(api, "alice/m", [("a.txt", b"1")])
    upload(api, "alice/m", [("a.txt", b"2")])
    assert (
        api.put("/api/models/alice/m/aliases/stable", {"version": "v1"}, format="json").status_code
        == 200
    )
    assert anon.get("/alice/m/resolve/stable/a.txt").getvalue() == b"1"
    assert anon.get("/alice/m/resolve/main/a.txt").getvalue() == b"2"
    assert (
        api.put("/api/models/alice/m/aliases/main", {"version": "v1"}, format="json").status_code
        == 400
    )
    assert api.delete("/api/models/alice/m/aliases/stable").status_code == 204
    assert anon.get("/alice/m/resolve/stable/a.txt").status_code == 404
