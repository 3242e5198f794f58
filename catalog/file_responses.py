"""File responses for the resolve endpoint: Range (206/416), ETag, and S3 redirects.

A local blob is answered with a file object whose fd is positioned at the range start, so
gunicorn hands it to sendfile(2) with Content-Length bytes: no copy through Python."""

from __future__ import annotations

import os
import re
import unicodedata
from typing import IO
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect

from catalog.blobs import blob_is_local, blob_local_path, blob_presigned_url
from catalog.errors import RangeNotSatisfiable
from catalog.models import Version, VersionFile, blob_storage_name

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 1024 * 1024


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """One `bytes=a-b`, `bytes=a-` or `bytes=-n` range -> inclusive (start, end), or None
    for a whole-file answer. Multi-range and malformed headers are ignored (RFC 9110)."""
    if not header or size == 0:  # no byte of an empty file can be selected: send it whole
        return None
    match = RANGE_RE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        length = int(last)
        if length == 0:
            raise RangeNotSatisfiable(f"Range {header} selects no bytes of a {size}-byte file.")
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise RangeNotSatisfiable(f"Range {header} is outside this {size}-byte file.")
    return start, end


def content_disposition(filename: str) -> str:
    """`attachment` with the name as RFC 6266 `filename*` (UTF-8, percent-encoded: safe for
    any stored name) and a plain ASCII `filename` for clients that read only that."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = re.sub(r"[^A-Za-z0-9 ._()+,-]", "_", fallback).strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class RangeFile:
    """A read-only window [start, start+length) of an open file, usable by sendfile."""

    def __init__(self, handle: IO[bytes], start: int, length: int) -> None:
        self._handle = handle
        self._remaining = length
        handle.seek(start)

    def read(self, size: int = -1) -> bytes:
        if self._remaining <= 0:
            return b""
        size = self._remaining if size is None or size < 0 else min(size, self._remaining)
        data = self._handle.read(size)
        self._remaining -= len(data)
        return data

    def fileno(self) -> int:
        return self._handle.fileno()

    def close(self) -> None:
        self._handle.close()


def file_response(
    row: VersionFile,
    version: Version,
    *,
    range_header: str | None,
    head: bool,
    if_none_match: str | None,
    cache_control: str = "private, no-cache",
) -> HttpResponse:
    size = row.blob.size
    etag = f'"{row.blob_id}"'
    headers = {
        "ETag": etag,
        "X-Linked-Etag": etag,
        "X-Linked-Size": str(size),
        "X-Repo-Commit": version.revision,
        "Accept-Ranges": "bytes",
        "Cache-Control": cache_control,
        "Content-Disposition": content_disposition(os.path.basename(row.path)),
    }
    if if_none_match and etag in [tag.strip() for tag in if_none_match.split(",")]:
        return _with_headers(HttpResponse(status=304), headers)
    byte_range = parse_range(range_header, size)
    if head:
        return _head_response(headers, size, byte_range)
    if not blob_is_local():
        # Presigned URLs carry the Range through: the client repeats it at the S3 server.
        url = blob_presigned_url(row.blob_id, disposition=headers["Content-Disposition"])
        if settings.HUB_ACCEL_S3_PREFIX:  # nginx fetches the presigned URL itself
            parts = urlsplit(url)
            return _accel_response(
                settings.HUB_ACCEL_S3_PREFIX, f"{parts.path.lstrip('/')}?{parts.query}", headers
            )
        return _with_headers(HttpResponseRedirect(url), headers | {"Cache-Control": "no-store"})
    if settings.HUB_ACCEL_REDIRECT_PREFIX:
        return _accel_response(
            settings.HUB_ACCEL_REDIRECT_PREFIX, blob_storage_name(row.blob_id), headers
        )
    return _local_response(row, headers, size, byte_range)


def _accel_response(prefix: str, target: str, headers: dict[str, str]) -> HttpResponse:
    """Permissions are checked: nginx sends the bytes (and answers Range) from an internal
    location (the blob folder, or the S3 server); no app worker is held by the download."""
    response = HttpResponse(content_type="application/octet-stream")
    response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{target}"
    return _with_headers(response, headers)


def _local_response(row, headers, size, byte_range) -> HttpResponse:
    handle = open(blob_local_path(row.blob_id), "rb")  # noqa: SIM115 - closed by the response
    start, end = byte_range or (0, size - 1)
    length = end - start + 1 if size else 0
    response = FileResponse(
        RangeFile(handle, start, length), content_type="application/octet-stream"
    )
    response.status_code = 206 if byte_range else 200
    response["Content-Length"] = str(length)
    if byte_range:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return _with_headers(response, headers)


def _head_response(headers, size, byte_range) -> HttpResponse:
    response = HttpResponse(
        status=206 if byte_range else 200, content_type="application/octet-stream"
    )
    if byte_range:
        start, end = byte_range
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response["Content-Length"] = str(size)
    return _with_headers(response, headers)


def _with_headers(response: HttpResponse, headers: dict[str, str]) -> HttpResponse:
    for key, value in headers.items():
        response[key] = value
    return response
