"""The Hub's git view of a version's files (LFS or inline, `blobId`), read from
`VersionFile.metadata`. Publishing records it while the bytes are local (services.versions);
rows published before that get it here, once: an inline-sized file's bytes are read from the
blob store (at most INLINE_MAX_BYTES each) and the answer is saved on the row."""

from __future__ import annotations

from collections.abc import Iterable

from catalog.blobs import blob_open
from catalog.gitobjects import INLINE_MAX_BYTES, git_meta, lfs_by_name_or_size
from catalog.models import Version, VersionFile


def version_files_git(version: Version, *, paths: Iterable[str] | None = None) -> list[VersionFile]:
    """The version's file rows (blob joined), each with metadata["lfs"] and ["git_oid"];
    only those at `paths` when given."""
    rows = version.files.select_related("blob")
    if paths is not None:
        rows = rows.filter(path__in=list(paths))
    return version_files_git_fill(list(rows))


def version_files_git_fill(rows: list[VersionFile]) -> list[VersionFile]:
    """Give rows without git metadata their metadata (and save it, so it is computed once)."""
    missing = [row for row in rows if "git_oid" not in (row.metadata or {})]
    for row in missing:
        row.metadata = {**(row.metadata or {}), **_git_meta_of_row(row)}
    if missing:
        VersionFile.objects.bulk_update(missing, ["metadata"], batch_size=200)
    return rows


def _git_meta_of_row(row: VersionFile) -> dict:
    size = row.blob.size
    if lfs_by_name_or_size(row.path, size):
        return git_meta(path=row.path, sha256=row.blob_id, size=size, head=b"", data=None)
    with blob_open(row.blob_id) as handle:
        data = handle.read(INLINE_MAX_BYTES + 1)
    return git_meta(path=row.path, sha256=row.blob_id, size=size, head=data, data=data)
