from __future__ import annotations

import hashlib

import pytest

from catalog.models import Model
from tests.helpers import create_model, upload

pytestmark = pytest.mark.django_db
PAYLOAD = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def published(api):
    create_model(api, "m")
    body = upload(api, "alice/m", [("weights.bin", PAYLOAD), ("notes.txt", b"n")]).json()
    return body["sha"]


def test_get_whole_file_with_checksum_headers(anon, published):
    response = anon.get("/alice/m/resolve/main/weights.bin")
    assert response.status_code == 200
    assert response.getvalue() == PAYLOAD
    sha = hashlib.sha256(PAYLOAD).hexdigest()
    assert response["ETag"] == f'"{sha}"'
    assert response["X-Repo-Commit"] == published
    assert response["Content-Length"] == str(len(PAYLOAD))
    assert response["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize("revision", ["main", "v1"])
def test_revision_forms_resolve(anon, published, revision):
    assert anon.get(f"/alice/m/resolve/{revision}/notes.txt").getvalue() == b"n"


def test_revision_sha_resolves(anon, published):
    assert anon.get(f"/alice/m/resolve/{published}/notes.txt").getvalue() == b"n"


def test_head_has_headers_and_no_body(anon, published):
    response = anon.head("/alice/m/resolve/main/weights.bin")
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(PAYLOAD))
    assert response.content == b""


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=5000-", 5000, len(PAYLOAD) - 1),
        ("bytes=-100", len(PAYLOAD) - 100, len(PAYLOAD) - 1),
        ("bytes=10000-999999", 10000, len(PAYLOAD) - 1),
    ],
)
def test_ranges_answer_206(anon, published, header, start, end):
    response = anon.get("/alice/m/resolve/main/weights.bin", HTTP_RANGE=header)
    assert response.status_code == 206
    assert response.getvalue() == PAYLOAD[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(PAYLOAD)}"
    assert response["Content-Length"] == str(end - start + 1)


@pytest.mark.parametrize("header", ["bytes=20000-", "bytes=10240-10300", "bytes=-0"])
def test_range_past_the_end_is_416(anon, published, header):
    response = anon.get("/alice/m/resolve/main/weights.bin", HTTP_RANGE=header)
    assert response.status_code == 416
    assert "outside" in response.json()["error"] or "no bytes" in response.json()["error"]


def test_etag_gives_304(anon, published):
    etag = anon.get("/alice/m/resolve/main/notes.txt")["ETag"]
    assert anon.get("/alice/m/resolve/main/notes.txt", HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("/alice/nope/resolve/main/x", "RepoNotFound"),
        ("/alice/m/resolve/v7/weights.bin", "RevisionNotFound"),
        ("/alice/m/resolve/" + "0" * 40 + "/weights.bin", "RevisionNotFound"),
        ("/alice/m/resolve/main/missing.bin", "EntryNotFound"),
    ],
)
def test_unknown_things_are_json_404(anon, published, url, code):
    response = anon.get(url)
    assert response.status_code == 404
    assert response["X-Error-Code"] == code
    assert response.json()["error"]


def test_downloads_count_gets_of_primary_files_only(anon, published):
    anon.get("/alice/m/resolve/main/weights.bin")
    anon.head("/alice/m/resolve/main/weights.bin")
    anon.get("/alice/m/resolve/main/notes.txt")
    anon.get("/alice/m/resolve/main/weights.bin", HTTP_RANGE="bytes=100-")
    assert Model.objects.get(name="m").downloads == 1


def test_private_download_with_token(api, anon, alice_token):
    create_model(api, "hidden", private=True)
    upload(api, "alice/hidden", [("w.raw", b"secret")])
    assert anon.get("/alice/hidden/resolve/main/w.raw").status_code == 404
    ok = anon.get("/alice/hidden/resolve/main/w.raw", HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    assert ok.getvalue() == b"secret"
    bad = anon.get("/alice/hidden/resolve/main/w.raw", HTTP_AUTHORIZATION="Bearer hub_nope")
    assert bad.status_code == 401


def test_cache_headers_follow_what_can_change(anon, published, api, alice_token):
    pinned = anon.get(f"/alice/m/resolve/{published}/notes.txt")
    assert pinned["Cache-Control"] == "public, max-age=31536000, immutable"
    assert anon.get("/alice/m/resolve/v1/notes.txt")["Cache-Control"].endswith("immutable")
    moving = anon.get("/alice/m/resolve/main/notes.txt")
    assert moving["Cache-Control"] == "public, no-cache"  # main moves with the next version
    create_model(api, "p", private=True)
    upload(api, "alice/p", [("x.raw", b"x")])
    private = anon.get("/alice/p/resolve/v1/x.raw", HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    assert private["Cache-Control"] == "private, max-age=31536000, immutable"
