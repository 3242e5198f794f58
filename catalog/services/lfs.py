"""Git-LFS uploads from the Hugging Face client: a staging area for verified objects.

An object PUT by the client is streamed to a temp file while it is hashed, checked against
the sha256 and size it was announced with, and kept under `<FILE_UPLOAD_TEMP_DIR>/lfs/<user>/
<oid>` until a commit references it. Only the commit stores it as a blob (a rename on local
storage, the temp folder sits on the blob disk), so an object uploaded but never committed
never reaches the blob store.

Bytes the hub already stores are never sent twice: the batch answers "already there" for an
oid that is staged by this user or is a blob the user may read (`lfs_blobs_readable`), and a
commit may reference such a blob. Readable means: in a ready version of a model the user can
see. Knowing the sha256 of a private model's file gives nothing: it gets an upload action,
and a commit naming it without the bytes is refused like any object never uploaded.

Leftovers (objects sent but left out of every commit) are swept once the user's staging
folder has been idle for HUB_LFS_STAGING_SECONDS: idle, not merely old, so an upload that
runs long (its PUTs keep the folder busy) never loses the objects it sent first, and two
uploads of one user in parallel never delete each other's objects."""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db.models import Exists, OuterRef
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from catalog.errors import InvalidInput, PayloadTooLarge
from catalog.models import Blob, Version, VersionFile
from catalog.ratelimit import first_in_window
from catalog.selectors import models_visible_to
from catalog.uploads import ChunkSink

OID_RE = re.compile(r"^[0-9a-f]{64}$")
SWEEP_EVERY_SECONDS = 60  # at most one sweep a minute on LFS traffic (beat runs one too)
# Files of commits in flight (inline files, claimed LFS objects): a commit never runs for a
# day, so older ones were left by a killed process.
COMMIT_TEMP_SECONDS = 24 * 3600
COMMIT_TEMP_FOLDER = "inline"


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


def lfs_commit_temp_dir() -> Path:
    """Where a commit in flight keeps its files, out of reach of the idle sweep."""
    folder = lfs_staging_root() / COMMIT_TEMP_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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


def lfs_blobs_readable(*, user: AbstractBaseUser, oids: Iterable[str]) -> dict[str, int]:
    """{sha256: size} of those `oids` stored as blobs the user may read: files of a ready
    version of a model visible to them. One query, whatever the number of oids."""
    wanted = set(oids)
    if not wanted:
        return {}
    readable = VersionFile.objects.filter(
        blob_id=OuterRef("pk"),
        version__status=Version.Status.READY,
        version__model__in=models_visible_to(user).values("pk"),
    )
    rows = Blob.objects.filter(sha256__in=wanted).filter(Exists(readable))
    return dict(rows.values_list("sha256", "size"))


def lfs_blobs_reuse(oids: Iterable[str]) -> None:
    """Mark stored bytes a commit is about to reference as just seen, so garbage collection
    spares them while the commit is being published."""
    Blob.objects.filter(sha256__in=set(oids)).update(last_seen_at=timezone.now())


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
        received = 0
        with os.fdopen(handle, "wb") as out, ChunkSink(out) as sink:  # hashes as it writes
            while chunk := stream.read(settings.HUB_UPLOAD_CHUNK_SIZE):
                received += len(chunk)
                if received > size:
                    raise InvalidInput(f"The body is longer than the announced {size} bytes.")
                sink.write(chunk)
        if received != size:
            raise InvalidInput(f"Received {received} of {size} bytes; send the object again.")
        if sink.hexdigest() != oid:
            raise InvalidInput("The body's sha256 does not match the object id.")
        final = folder / oid
        try:
            os.replace(temp, final)  # same content under the same name: last writer wins
        except FileNotFoundError as exc:  # the sweep took a PUT idle for the whole grace
            raise InvalidInput(
                "The upload stalled too long and was discarded; send it again."
            ) from exc
        return final
    finally:
        temp.unlink(missing_ok=True)


def lfs_staging_sweep(*, max_age: float | None = None, user_id: int | None = None) -> int:
    """Delete everything in each user's staging folder (objects and partial uploads) once
    nothing in it has changed for `max_age` seconds (default HUB_LFS_STAGING_SECONDS); only
    that user's folder with `user_id`. Commit temps older than a day go too. Returns how many
    files were deleted."""
    max_age = settings.HUB_LFS_STAGING_SECONDS if max_age is None else max_age
    cutoff = time.time() - max_age
    if user_id is not None:
        return _idle_delete([lfs_user_dir(user_id)], cutoff)
    root = lfs_staging_root()
    users = [folder for folder in _subfolders(root) if folder.name.isdigit()]
    temps = _entries(root / COMMIT_TEMP_FOLDER)
    return _idle_delete(users, cutoff) + _old_delete(temps, time.time() - COMMIT_TEMP_SECONDS)


def lfs_staging_sweep_now_and_then() -> None:
    """Called on LFS traffic: at most one sweep a minute per cache (beat need not run)."""
    if first_in_window("lfs-staging-sweep", window=SWEEP_EVERY_SECONDS):
        lfs_staging_sweep()


def _idle_delete(folders: Iterable[Path], cutoff: float) -> int:
    removed = 0
    for folder in folders:
        entries = [(entry, _mtime(entry)) for entry in _entries(folder)]
        if any(mtime is not None and mtime >= cutoff for _, mtime in entries):
            continue  # in use: an upload or a commit touched it within the grace
        removed += _old_delete([entry for entry, _ in entries], cutoff)
    return removed


def _old_delete(entries: Iterable[Path], cutoff: float) -> int:
    removed = 0
    for entry in entries:
        mtime = _mtime(entry)
        if mtime is not None and mtime < cutoff:
            entry.unlink(missing_ok=True)
            removed += 1
    return removed


def _subfolders(root: Path) -> list[Path]:
    try:
        return [entry for entry in root.iterdir() if entry.is_dir()]
    except FileNotFoundError:
        return []


def _entries(folder: Path) -> list[Path]:
    try:
        return [entry for entry in folder.iterdir() if entry.is_file()]
    except FileNotFoundError:
        return []


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # committed (moved) or swept concurrently
        return None
