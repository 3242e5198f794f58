"""Content-addressed blob store over Django's STORAGES["blobs"] (a local folder or S3).

Bytes are stored once per sha256 under `sha256/ab/cd/<sha256>`. A local blob written from an
upload is a rename of the upload's temp file (same disk), never a second copy."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils import timezone

from catalog.models import Blob, blob_storage_name

CHUNK = 1024 * 1024


def blob_storage() -> Storage:
    return storages["blobs"]


def blob_is_local() -> bool:
    return isinstance(blob_storage(), FileSystemStorage)


@dataclass
class StagedFile:
    """A file ready to become part of a version: its bytes on local disk, hashed."""

    path: str
    local_path: Path
    sha256: str
    size: int
    upload: IO[bytes] | None = None  # the Django upload object, when it came from a request
    metadata: dict | None = None


def sha256_of_path(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def stage_local_file(repo_path: str, local_path: Path) -> StagedFile:
    sha, size = sha256_of_path(local_path)
    return StagedFile(path=repo_path, local_path=local_path, sha256=sha, size=size)


def blob_exists(sha256: str) -> bool:
    return Blob.objects.filter(sha256=sha256).exists()


def blob_touch(sha256: str) -> bool:
    """Mark stored bytes as just reused; False if there is no such blob (any more). A
    garbage collection deleting it holds its row until the bytes are gone, so after False
    the caller writes them again."""
    return Blob.objects.filter(sha256=sha256).update(last_seen_at=timezone.now()) > 0


def blobs_store(files: Iterable[StagedFile]) -> set[str]:
    """Write each blob not already stored (reused ones are touched); return the sha256s
    this call wrote."""
    storage = blob_storage()
    written: set[str] = set()
    for staged in files:
        if staged.sha256 in written or blob_touch(staged.sha256):
            continue
        name = blob_storage_name(staged.sha256)
        if staged.upload is not None:
            storage.save(name, staged.upload)  # local: rename of the hashed temp file
        else:
            with open(staged.local_path, "rb") as handle:
                storage.save(name, File(handle))
        written.add(staged.sha256)
    return written


def blob_local_path(sha256: str) -> Path:
    return Path(blob_storage().path(blob_storage_name(sha256)))


def blob_open(sha256: str) -> IO[bytes]:
    return blob_storage().open(blob_storage_name(sha256), "rb")


def blob_presigned_url(sha256: str, *, disposition: str) -> str:
    """A short-lived URL on the S3 server (expiry from HUB_PRESIGNED_URL_SECONDS) that
    answers with this Content-Disposition."""
    return blob_storage().url(
        blob_storage_name(sha256), parameters={"ResponseContentDisposition": disposition}
    )
