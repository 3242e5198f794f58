"""A version's files (or a dataset) on local disk for code that needs real paths: local
blobs are symlinked (no copy), S3 blobs are downloaded into the temp folder.

Files are placed only by their path in the version's manifest: nothing written inside an
uploaded file (a path in config.json) ever decides what is read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from adapters.formats import model_format
from catalog.blobs import blob_is_local, blob_local_path, blob_open
from catalog.models import Version

MAX_JSON_BYTES = 1024 * 1024


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


def version_format(version: Version) -> dict:
    """The version's detected format; versions published before detection existed are
    read once from their small JSON files."""
    stored = (version.metadata or {}).get("format")
    if isinstance(stored, dict):
        return stored
    blobs = dict(version.files.values_list("path", "blob_id"))

    def read_json(path: str) -> object:
        with blob_open(blobs[path]) as handle:
            data = handle.read(MAX_JSON_BYTES + 1)
        if len(data) > MAX_JSON_BYTES:
            raise ValueError(f"{path} is larger than 1 MiB")
        return json.loads(data.decode("utf-8-sig"))

    return model_format(blobs.keys(), read_json).to_dict()
