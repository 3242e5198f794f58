"""A version's files (or a dataset) on local disk for code that needs real paths: local
blobs are symlinked (no copy), S3 blobs are downloaded into the temp folder.

Files are placed only by their path in the version's manifest: nothing written inside an
uploaded file (a path in config.json) ever decides what is read."""

from __future__ import annotations

import shutil
from pathlib import Path

from catalog.blobs import blob_is_local, blob_local_path, blob_open
from catalog.models import Version


def blob_to_path(sha256: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if blob_is_local():
        target.symlink_to(blob_local_path(sha256))
    else:
        with blob_open(sha256) as source, open(target, "wb") as sink:
            shutil.copyfileobj(source, sink, 1024 * 1024)
    return target


def version_materialize(version: Version, folder: Path) -> Path:
    root = folder.resolve()
    for row in version.files.all():
        target = (root / row.path).resolve()
        # Paths were validated at publish; this guards rows written any other way.
        if not target.is_relative_to(root) or target == root:
            raise ValueError(f"{row.path!r} is not a path inside the version")
        blob_to_path(row.blob_id, target)
    return folder
