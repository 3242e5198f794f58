"""Datasets: prechecked in the upload (no image decoding), stored as a blob, and checked in
full by the worker when a job starts (``dataset_check``)."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from adapters.base import Adapter, DatasetError, DatasetLimits, DatasetSummary
from adapters.registry import get_adapter
from catalog.blobs import StagedFile, blobs_store
from catalog.errors import InvalidInput
from catalog.models import Blob, Dataset


def dataset_limits() -> DatasetLimits:
    """The worker's limits: what one full check (and one training pass) may cost."""
    return DatasetLimits(
        max_rows=settings.HUB_DATASET_MAX_ROWS,
        max_zip_members=settings.HUB_DATASET_MAX_ZIP_MEMBERS,
        max_uncompressed_bytes=settings.HUB_DATASET_MAX_UNCOMPRESSED_BYTES,
        max_total_pixels=settings.HUB_DATASET_MAX_TOTAL_PIXELS,
        max_columns=settings.HUB_DATASET_MAX_COLUMNS,
        max_seconds=settings.HUB_DATASET_CHECK_SECONDS,
    )


def dataset_upload_limits() -> DatasetLimits:
    return dataclasses.replace(
        dataset_limits(), max_seconds=settings.HUB_DATASET_UPLOAD_CHECK_SECONDS
    )


def dataset_create(*, owner: AbstractBaseUser, staged: StagedFile, adapter_key: str) -> Dataset:
    adapter = adapter_get(adapter_key)
    if staged.size == 0:
        raise InvalidInput(f"{staged.path} is empty; upload a CSV, JSON Lines or ZIP file.")
    try:
        summary = adapter.precheck_dataset(staged.local_path, dataset_upload_limits())
    except DatasetError as exc:
        raise InvalidInput(f"{staged.path}: {exc}") from exc
    blobs_store([staged])
    Blob.objects.get_or_create(sha256=staged.sha256, defaults={"size": staged.size})
    return Dataset.objects.create(
        owner=owner,
        name=staged.path[:255],
        blob_id=staged.sha256,
        kind=summary.kind,
        format=summary.format,
        summary=summary.to_dict() | {"adapter": adapter_key},
    )


def dataset_check(*, adapter: Adapter, path: Path) -> tuple[DatasetSummary, float]:
    """The worker's full check (images decoded) within ``dataset_limits()``; raises
    DatasetError with a message for the job page. Returns the summary and seconds taken."""
    started = time.monotonic()
    summary = adapter.inspect_dataset(path, dataset_limits())
    return summary, time.monotonic() - started


def adapter_get(key: str) -> Adapter:
    try:
        return get_adapter(key)
    except KeyError as exc:
        raise InvalidInput(f"Unknown adapter {key!r}.") from exc
