"""Test helpers: hand-built multipart bodies (the test client trims file names, and some tests
need the exact bytes a hostile client would send)."""

from __future__ import annotations

import uuid
from pathlib import Path

from rest_framework.test import APIClient

from catalog.blobs import StagedFile, stage_local_file


def multipart(files: list[tuple[str, bytes]], fields: dict[str, str | list[str]] | None = None):
    boundary = uuid.uuid4().hex
    chunks: list[bytes] = []
    for key, value in (fields or {}).items():
        for item in value if isinstance(value, list) else [value]:
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode()
                + item.encode()
                + b"\r\n"
            )
    for name, data in files:
        header = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        chunks.append(header.encode("utf-8", "surrogateescape") + data + b"\r\n")
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def upload(client: APIClient, repo: str, files: list[tuple[str, bytes]], **fields):
    body, content_type = multipart(files, fields)
    return client.generic("POST", f"/api/models/{repo}/versions", body, content_type=content_type)


def create_model(client: APIClient, name: str = "demo", **fields):
    response = client.post("/api/models", {"name": name, **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


SEARCH_PATHS = ("/api/models", "/api/search/facets", "/models")


def assert_search_answers_or_refuses(client: APIClient, queries: list[str]) -> None:
    """Each query string on the search API, the facets API and the page: results or a 400
    that says why (JSON `error` on the API), never a server error."""
    for query in queries:
        for path in SEARCH_PATHS:
            response = client.get(path + query)
            assert response.status_code in (200, 400), (path, query, response.status_code)
            if response.status_code == 400 and path != "/models":
                assert "error" in response.json()


def staged_bytes(tmp_path: Path, path: str, data: bytes, tag: str) -> StagedFile:
    """`data` staged as the repository file `path`, from a local file named by `tag`."""
    local = tmp_path / "src" / tag
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_bytes(data)
    return stage_local_file(path, local)


def blob_storage_use(settings, isolated_storage: dict, storage_class: type) -> None:
    """The test's blob store becomes `storage_class` (a FileSystemStorage subclass defined
    in the test module) over the same isolated folder."""
    storages = dict(settings.STORAGES)
    storages["blobs"] = {
        "BACKEND": f"{storage_class.__module__}.{storage_class.__qualname__}",
        "OPTIONS": {"location": str(isolated_storage["blobs"]), "allow_overwrite": True},
    }
    settings.STORAGES = storages
