"""Git-LFS uploads from the Hugging Face client: a staging area for verified objects.

An object PUT by the client is streamed to a temp file while it is hashed, checked against
the sha256 and size it was announced with, and kept under `<FILE_UPLOAD_TEMP_DIR>/lfs/<user>/
<oid>` until a commit references it. Only the commit stores it as a blob (a rename on local
storage, the temp folder sits on the blob disk), so an object uploaded but never committed
never reaches the blob store; the sweep deletes such leftovers after HUB_LFS_STAGING_SECONDS.
Staging is per user: knowing a sha256 never lets anyone commit bytes they did not send."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.template.defaultfilters import filesizeformat

from catalog.errors import InvalidInput, PayloadTooLarge
from catalog.ratelimit import first_in_window

OID_RE = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024
STAGING_SECONDS = 24 * 3600  # an object not committed within a day is swept
SWEEP_EVERY_SECONDS = 3600


class StagedBlob(File):
    """A staged file handed to the blob store: FileSystemStorage moves it into place through
    `temporary_file_path` (a rename, no copy); S3 storage reads it like any file."""

    def __init__(self, path: Path) -> None:
        super().__init__(open(path, "rb"), name=path.name)  # noqa: SIM115 - closed by owner
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


def lfs_staging_root() -> Path:
    return Path(settings.FILE_UPLOAD_TEMP_DIR) / "lfs"


def lfs_user_dir(user_id: int) -> Path:
    return lfs_staging_root() / str(int(user_id))


def oid_validate(oid: str) -> str:
    if not OID_RE.match(oid or ""):
        raise InvalidInput(f"{oid!r} is not a sha256 object id (64 lowercase hex digits).")
    return oid


def size_validate(size: object) -> int:
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise InvalidInput("Object size must be a non-negative integer.")
    if size > settings.HUB_MAX_FILE_SIZE:
        limit = filesizeformat(settings.HUB_MAX_FILE_SIZE)
        raise PayloadTooLarge(f"A {size}-byte object is larger than the {limit} limit per file.")
    return size


def lfs_staged(*, user_id: int, oid: str) -> Path | None:
    """The verified staged object, or None. Looking it up renews its lease on the sweep."""
    path = lfs_user_dir(user_id) / oid_validate(oid)
    try:
        os.utime(path)
    except FileNotFoundError:
        return None
    return path


def lfs_stage(*, user_id: int, oid: str, size: int, stream: IO[bytes]) -> Path:
    """Read exactly `size` bytes from `stream` into staging; keep them only if their sha256
    is `oid`. Memory stays bounded (one chunk) whatever the size."""
    oid_validate(oid)
    size_validate(size)
    folder = lfs_user_dir(user_id)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=folder, prefix=".part-")
    temp = Path(temp_name)
    try:
        digest, received = hashlib.sha256(), 0
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                received += len(chunk)
                if received > size:
                    raise InvalidInput(f"The body is longer than the announced {size} bytes.")
                digest.update(chunk)
                out.write(chunk)
        if received != size:
            raise InvalidInput(f"Received {received} of {size} bytes; send the object again.")
        if digest.hexdigest() != oid:
            raise InvalidInput("The body's sha256 does not match the object id.")
        final = folder / oid
        os.replace(temp, final)  # same content under the same name: last writer wins safely
        return final
    finally:
        temp.unlink(missing_ok=True)


def lfs_staging_sweep(*, max_age: float = STAGING_SECONDS) -> int:
    """Delete staged objects and partial uploads older than `max_age`; return how many."""
    root = lfs_staging_root()
    if not root.is_dir():
        return 0
    cutoff, removed = time.time() - max_age, 0
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            try:
                if entry.stat().st_mtime < cutoff:
                    entry.unlink()
                    removed += 1
            except FileNotFoundError:  # committed (moved) or swept concurrently
                continue
    return removed


def lfs_staging_sweep_now_and_then() -> None:
    """Called on LFS traffic: at most one sweep per hour per cache (no beat task needed)."""
    if first_in_window("lfs-staging-sweep", window=SWEEP_EVERY_SECONDS):
        lfs_staging_sweep(max_age=getattr(settings, "HUB_LFS_STAGING_SECONDS", STAGING_SECONDS))
