"""The deployment's nginx config in front of the app: the app checks permissions on the
resolve route and answers X-Accel-Redirect; nginx sends the bytes (local folder or S3)."""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request

import pytest

from tests.helpers import create_model, upload
from tests.ops.nginx import Nginx

pytestmark = pytest.mark.django_db(transaction=True)
PAYLOAD = bytes(range(256)) * 400


@pytest.fixture
def nginx(live_server, isolated_storage, tmp_path, request):
    if not Nginx.available():
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light)")
    s3 = request.getfixturevalue("s3_endpoint") if "s3_blobs" in request.fixturenames else ""
    server = Nginx(
        tmp_path / "nginx",
        {
            "HUB_UPSTREAM": live_server.url.removeprefix("http://"),
            "HUB_BLOB_ROOT": str(isolated_storage["blobs"]),
            "HUB_STATIC_ROOT": str(tmp_path / "static"),
            "HUB_S3_UPSTREAM": s3.removeprefix("http://") or "127.0.0.1:9",
        },
    )
    server.start()
    yield server
    server.stop()


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def publish(api, name: str, private: bool = False) -> str:
    create_model(api, name, private=private)
    assert upload(api, f"alice/{name}", [("w.raw", PAYLOAD)]).status_code == 201
    return hashlib.sha256(PAYLOAD).hexdigest()


def test_local_blob_sent_by_nginx_after_the_app_checked(api, alice_token, nginx, settings):
    settings.HUB_ACCEL_REDIRECT_PREFIX = "/_blobs/"
    sha = publish(api, "public-one")
    publish(api, "secret-one", private=True)

    status, headers, body = fetch(f"{nginx.url}/alice/public-one/resolve/main/w.raw")
    assert status == 200 and body == PAYLOAD
    assert headers["ETag"] == f'"{sha}"' and len(headers["X-Repo-Commit"]) == 40
    assert "w.raw" in headers["Content-Disposition"]
    assert "X-Accel-Redirect" not in headers

    status, headers, body = fetch(
        f"{nginx.url}/alice/public-one/resolve/v1/w.raw", Range="bytes=1000-1999"
    )
    assert status == 206 and body == PAYLOAD[1000:2000]
    assert headers["Content-Range"] == f"bytes 1000-1999/{len(PAYLOAD)}"

    # Permissions stay the app's: a private model is a 404 without the owner's token.
    assert fetch(f"{nginx.url}/alice/secret-one/resolve/main/w.raw")[0] == 404
    auth = {"Authorization": f"Bearer {alice_token}"}
    assert fetch(f"{nginx.url}/alice/secret-one/resolve/main/w.raw", **auth)[2] == PAYLOAD
    assert fetch(f"{nginx.url}/nginx-healthz")[2] == b"ok\n"
    # The internal location cannot be asked for directly.
    storage_name = f"sha256/{sha[:2]}/{sha[2:4]}/{sha}"
    assert fetch(f"{nginx.url}/_blobs/{storage_name}")[0] == 404


@pytest.mark.s3
def test_s3_blob_proxied_by_nginx_from_a_presigned_url(api, s3_blobs, nginx, settings):
    settings.HUB_ACCEL_S3_PREFIX = "/_s3/"
    sha = publish(api, "on-s3")

    status, headers, body = fetch(f"{nginx.url}/alice/on-s3/resolve/main/w.raw")
    assert status == 200 and body == PAYLOAD
    assert headers["ETag"] == f'"{sha}"' and len(headers["X-Repo-Commit"]) == 40
    assert "w.raw" in headers.get("Content-Disposition", "")

    status, _, body = fetch(f"{nginx.url}/alice/on-s3/resolve/main/w.raw", Range="bytes=5-9")
    assert status == 206 and body == PAYLOAD[5:10]
