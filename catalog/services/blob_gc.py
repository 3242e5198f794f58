"""Garbage collection of stored bytes that nothing refers to any more.

Blobs are shared (by versions, forks and datasets), so deleting a model (its versions with
it) or a dataset never deletes bytes; this does, later:
- Blob rows that no version file or dataset references and no publish has reused within the
  grace period. Each is deleted in its own transaction that removes the stored bytes before
  it commits: a publish reusing the blob meanwhile waits on the row, finds it gone and
  writes the bytes again (`catalog.blobs.blob_touch`).
- Stored objects with no Blob row, older than the grace period: bytes a failed publish left
  behind. A publish in flight writes its bytes moments before committing their row.

Every path that adds a reference either goes through `blobs_store` (touch, or write) or
copies one from a live version, which keeps the blob referenced."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from catalog.blobs import blob_storage
from catalog.models import Blob, Dataset, VersionFile, blob_storage_name

logger = logging.getLogger(__name__)
ROOT = "sha256"


@dataclass
class Collected:
    blobs: list[str] = field(default_factory=list)  # unreferenced rows (and their bytes)
    orphans: list[str] = field(default_factory=list)  # stored objects without a row
    bytes_freed: int = 0


def blobs_collect(*, grace_seconds: float, dry_run: bool = False) -> Collected:
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    collected = Collected()
    for sha, size in _unreferenced(cutoff).values_list("sha256", "size").iterator():
        if dry_run or _delete_blob(sha, cutoff):
            collected.blobs.append(sha)
            collected.bytes_freed += size
    for name, size in _orphans(cutoff):
        if not dry_run:
            blob_storage().delete(name)
        collected.orphans.append(name)
        collected.bytes_freed += size
    if collected.blobs or collected.orphans:
        logger.info(
            "blob gc%s: %d unreferenced blob(s), %d orphaned object(s), %d bytes",
            " (dry run)" if dry_run else "",
            len(collected.blobs),
            len(collected.orphans),
            collected.bytes_freed,
        )
    return collected


def _unreferenced(cutoff):
    return Blob.objects.filter(last_seen_at__lte=cutoff).filter(
        ~Exists(VersionFile.objects.filter(blob_id=OuterRef("pk"))),
        ~Exists(Dataset.objects.filter(blob_id=OuterRef("pk"))),
    )


def _delete_blob(sha: str, cutoff) -> bool:
    with transaction.atomic():
        # Checked again by the DELETE itself, under the row lock it takes.
        deleted, _ = _unreferenced(cutoff).filter(sha256=sha).delete()
        if deleted:
            blob_storage().delete(blob_storage_name(sha))  # raises: the row stays
    return bool(deleted)


def _orphans(cutoff):
    """(name, size) of stored objects under sha256/ with no Blob row, older than `cutoff`."""
    storage = blob_storage()
    for name in _stored_names(storage):
        sha = name.rsplit("/", 1)[-1]
        if name != blob_storage_name(sha) or Blob.objects.filter(sha256=sha).exists():
            continue
        if storage.get_modified_time(name) <= cutoff:
            yield name, storage.size(name)


def _stored_names(storage):
    try:
        firsts = storage.listdir(ROOT)[0]
    except FileNotFoundError:  # a local store nothing was ever written to
        return
    for first in firsts:
        for second in storage.listdir(f"{ROOT}/{first}")[0]:
            prefix = f"{ROOT}/{first}/{second}"
            for name in storage.listdir(prefix)[1]:
                yield f"{prefix}/{name}"
