"""Hub commits (the Hugging Face client's NDJSON `/commit` call): one commit = one version.

A commit is a header, inline files (base64, small), LFS files (by sha256: uploaded before
through the LFS staging area, or bytes the hub stores already that the user may read, so no
stored byte is sent twice) and deletions. `HubCommit` collects them, writing inline files
to temp files on the blob disk as they arrive, and `publish` makes exactly one version on top
of the head through `version_publish`. That reads the head again under the model's row lock,
so concurrent commits compose and `parentCommit` admits one winner; it scans and inspects
every new file and applies the card and the detected model format to the model."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from catalog.blobs import StagedFile, blob_is_local, blob_local_path, blob_open
from catalog.errors import EntryNotFound, InvalidInput, PayloadTooLarge
from catalog.gitobjects import INLINE_MAX_BYTES, LFS_SUFFIXES
from catalog.models import Model, Version
from catalog.naming import repo_path_validate
from catalog.selectors import version_latest
from catalog.services.lfs import (
    StagedBlob,
    lfs_blobs_readable,
    lfs_blobs_reuse,
    lfs_commit_temp_dir,
    lfs_staged,
    lfs_staging_sweep,
    oid_validate,
    size_validate,
)
from catalog.services.quotas import quota_check_bytes
from catalog.services.versions import OnHead, version_publish


class HubCommit:
    """Use as a context manager: temp files and open handles are released on exit."""

    def __init__(self, *, model: Model, user) -> None:
        self.model = model
        self.user = user
        self.latest: Version | None = version_latest(model)
        self.summary = ""
        self.description = ""
        self.parent_commit: str | None = None
        self.files: list[StagedFile] = []
        self.deleted: list[str] = []
        self._temps: list[Path] = []
        self._staged_used: list[Path] = []
        self._stored: list[tuple[str, str, object]] = []  # (path, oid, size) not staged
        self._latest_files = (
            dict(self.latest.files.values_list("path", "blob_id")) if self.latest else {}
        )

    def __enter__(self) -> HubCommit:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for staged in self.files:
            if staged.upload is not None:
                staged.upload.close()
        for path in self._temps:
            path.unlink(missing_ok=True)
        # Leftovers of this user's earlier uploads, once nothing has touched them for the grace
        # (a parallel upload of theirs keeps its folder busy, so it loses nothing).
        lfs_staging_sweep(user_id=self.user.pk)

    def add(self, item: Any) -> None:
        """One NDJSON line: {"key": header|file|lfsFile|deletedFile|deletedFolder, "value": ...}."""
        if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
            raise InvalidInput('Each commit line must be {"key": ..., "value": {...}}.')
        key, value = item.get("key"), item["value"]
        handlers = {
            "header": self._header,
            "file": self._inline_file,
            "lfsFile": self._lfs_file,
            "deletedFile": self._deleted_file,
            "deletedFolder": self._deleted_folder,
        }
        if key not in handlers:
            raise InvalidInput(f"Unknown commit operation {key!r}.")
        handlers[key](value)

    def publish(self) -> Version:
        """One version on top of the head as it is under the lock (see version_publish)."""
        self._stored_resolve()  # README.md's YAML is checked in version_publish, as the Hub does
        quota_check_bytes(user=self.user, adding=sum(f.size for f in self.files))
        message = "\n\n".join(part for part in (self.summary, self.description) if part)
        version = version_publish(
            model=self.model,
            files=self.files,
            author=self.user,
            message=message,
            on_head=OnHead.ADD,
            parent_commit=self.parent_commit,
            delete_paths=self.deleted,
        )
        for path in self._staged_used:  # consumed: moved into the blob store, or a duplicate
            path.unlink(missing_ok=True)
        return version

    def _header(self, value: dict) -> None:
        self.summary = str(value.get("summary") or "")[:1000]
        self.description = str(value.get("description") or "")[:5000]
        parent = value.get("parentCommit")
        self.parent_commit = str(parent) if parent else None

    def _inline_file(self, value: dict) -> None:
        path = repo_path_validate(str(value.get("path") or ""))
        if value.get("encoding", "base64") != "base64":
            raise InvalidInput(f"{path!r}: only base64 content is accepted.")
        try:
            data = base64.b64decode(str(value.get("content") or ""), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInput(f"{path!r}: content is not valid base64.") from exc
        if len(data) > settings.HUB_MAX_FILE_SIZE:
            limit = filesizeformat(settings.HUB_MAX_FILE_SIZE)
            raise PayloadTooLarge(f"{path} is larger than the {limit} limit per file.")
        folder = lfs_commit_temp_dir()
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".inline-", delete=False) as out:
            out.write(data)
        temp = Path(out.name)
        self._temps.append(temp)
        sha = hashlib.sha256(data).hexdigest()
        self.files.append(
            StagedFile(path, temp, sha256=sha, size=len(data), upload=StagedBlob(temp))
        )

    def _lfs_file(self, value: dict) -> None:
        path = repo_path_validate(str(value.get("path") or ""))
        oid = oid_validate(str(value.get("oid") or ""))
        if value.get("algo", "sha256") != "sha256":
            raise InvalidInput(f"{path!r}: only sha256 LFS objects are accepted.")
        staged = lfs_staged(user_id=self.user.pk, oid=oid)
        claimed = self._claim(staged) if staged is not None else None
        if claimed is None:
            if self._latest_files.get(path) == oid:
                return  # unchanged file: the new version inherits it
            self._stored.append((path, oid, value.get("size")))  # checked in one query
            return
        size = claimed.stat().st_size
        if value.get("size") not in (None, size):
            raise InvalidInput(f"{path!r}: size {value.get('size')} does not match the upload.")
        self._staged_used.append(staged)
        self.files.append(
            StagedFile(path, claimed, sha256=oid, size=size, upload=StagedBlob(claimed))
        )

    def _claim(self, staged: Path) -> Path | None:
        """A second name for a staged object, among this commit's temps: the staging sweep
        may delete the staged name while a long publish runs, never the bytes in use."""
        claimed = lfs_commit_temp_dir() / f".lfs-{staged.name}-{os.urandom(6).hex()}"
        try:
            os.link(staged, claimed)
        except FileNotFoundError:
            return None  # committed or swept since it was found
        except OSError:
            return staged  # no hard links on this filesystem: use the staged name itself
        self._temps.append(claimed)
        return claimed

    def _stored_resolve(self) -> None:
        """LFS files not staged must be blobs stored here that the user may read (one query
        for the commit); the version then references them, no byte is copied."""
        if not self._stored:
            return
        if len(self._stored) > settings.HUB_MAX_FILES_PER_VERSION:
            raise InvalidInput(
                f"A version may hold at most {settings.HUB_MAX_FILES_PER_VERSION} files."
            )
        found = lfs_blobs_readable(user=self.user, oids=[oid for _, oid, _ in self._stored])
        lfs_blobs_reuse(found)  # spared by garbage collection while this commit runs
        local: dict[str, Path] = {}
        for path, oid, size in self._stored:
            if oid not in found:  # the same answer whether or not someone else stores it
                raise InvalidInput(
                    f"LFS object {oid} for {path!r} was not uploaded (or expired); upload it again."
                )
            if size not in (None, found[oid]):
                raise InvalidInput(f"{path!r}: size {size} does not match the stored object.")
            if oid not in local:
                local[oid] = self._stored_local(oid)
            self.files.append(StagedFile(path, local[oid], sha256=oid, size=found[oid]))

    def _stored_local(self, oid: str) -> Path:
        """The stored bytes on local disk, for the scanner and the inspector: the blob itself
        on local storage (read only), a temp copy from S3."""
        if blob_is_local():
            return blob_local_path(oid)
        with (
            blob_open(oid) as source,
            tempfile.NamedTemporaryFile(
                dir=lfs_commit_temp_dir(), prefix=".stored-", delete=False
            ) as out,
        ):
            shutil.copyfileobj(source, out, 1024 * 1024)
        self._temps.append(Path(out.name))
        return Path(out.name)

    def _deleted_file(self, value: dict) -> None:
        path = repo_path_validate(str(value.get("path") or ""))
        if path not in self._latest_files:
            raise EntryNotFound(f"Cannot delete {path!r}: A file with this name doesn't exist.")
        self.deleted.append(path)

    def _deleted_folder(self, value: dict) -> None:
        folder = repo_path_validate(str(value.get("path") or "").rstrip("/"))
        inside = [path for path in self._latest_files if path.startswith(folder + "/")]
        if not inside:
            raise EntryNotFound(f"Cannot delete folder {folder!r}: it holds no files.")
        self.deleted.extend(path for path in inside if path not in self.deleted)


def upload_plan(*, model: Model, files: list[Any]) -> list[dict]:
    """The `preupload` answer: per file, inline ("regular") or LFS, and the oid of the file
    now at that path (so the client skips files that did not change)."""
    if not isinstance(files, list) or len(files) > settings.HUB_MAX_FILES_PER_VERSION:
        raise InvalidInput("files must be a list of at most HUB_MAX_FILES_PER_VERSION entries.")
    latest = version_latest(model)
    current = {row.path: row for row in latest.files.select_related("blob")} if latest else {}
    plan = []
    for entry in files:
        if not isinstance(entry, dict):
            raise InvalidInput("Each file must be an object with path, sample and size.")
        path = repo_path_validate(str(entry.get("path") or ""))
        size = size_validate(entry.get("size"))
        sample = _sample(entry.get("sample"))
        inline = size <= INLINE_MAX_BYTES and b"\x00" not in sample
        mode = "regular" if inline and not path.lower().endswith(LFS_SUFFIXES) else "lfs"
        row = current.get(path)
        oid = None
        if row is not None:
            oid = row.blob.sha256 if mode == "lfs" else _inline_oid(row, size)
        plan.append({"path": path, "uploadMode": mode, "shouldIgnore": False, "oid": oid})
    return plan


def _sample(value: object) -> bytes:
    try:
        return base64.b64decode(str(value or ""))[:512]
    except (binascii.Error, ValueError):
        return b""


def _inline_oid(row, size: int) -> str | None:
    """The git blob id stored at publish, when the file was stored inline; else read once."""
    meta = row.metadata or {}
    if meta.get("lfs") is False and meta.get("git_oid") and row.blob.size == size:
        return meta["git_oid"]
    return _git_blob_oid(row.blob, size)


def _git_blob_oid(blob, size: int) -> str | None:
    """git's object id of a small file (what the client compares an inline file against)."""
    if blob.size != size or size > INLINE_MAX_BYTES:
        return None  # a different size is a change whatever the oid
    with blob_open(blob.sha256) as handle:
        data = handle.read()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
