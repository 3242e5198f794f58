"""Put a version's files (or a dataset) on local disk for code that needs real paths:
local blobs are symlinked (no copy), S3 blobs are downloaded into the temp folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from catalog.blobs import blob_is_local, blob_local_path, blob_open
from catalog.models import Version

MAX_CONFIG_BYTES = 1024 * 1024


def blob_to_path(sha256: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if blob_is_local():
        target.symlink_to(blob_local_path(sha256))
    else:
        with blob_open(sha256) as source, open(target, "wb") as sink:
            shutil.copyfileobj(source, sink, 1024 * 1024)
    return target


def version_materialize(version: Version, folder: Path) -> Path:
    for row in version.files.all():
        blob_to_path(row.blob_id, folder / row.path)
    return folder


def version_config(version: Version | None) -> dict | None:
    """The version's config.json as a dict, or None when absent or not a JSON object."""
    if version is None:
        return None
    row = version.files.select_related("blob").filter(path="config.json").first()
    if row is None or row.blob.size > MAX_CONFIG_BYTES:
        return None
    try:
        with blob_open(row.blob_id) as handle:
            config = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    return config if isinstance(config, dict) else None
