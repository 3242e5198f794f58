"""Datasets: validated by the adapter that will train on them, then stored as a blob."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from adapters.base import DatasetError, DatasetLimits
from adapters.registry import get_adapter
from catalog.blobs import StagedFile, blobs_store
from catalog.errors import InvalidInput
from catalog.models import Blob, Dataset


def dataset_limits() -> DatasetLimits:
    return DatasetLimits(
        max_rows=settings.HUB_DATASET_MAX_ROWS,
        max_zip_members=settings.HUB_DATASET_MAX_ZIP_MEMBERS,
        max_uncompressed_bytes=settings.HUB_DATASET_MAX_UNCOMPRESSED_BYTES,
    )


def dataset_create(*, owner: AbstractBaseUser, staged: StagedFile, adapter_key: str) -> Dataset:
    adapter = adapter_get(adapter_key)
    if staged.size == 0:
        raise InvalidInput(f"{staged.path} is empty; upload a CSV, JSON Lines or ZIP file.")
    try:
        summary = adapter.inspect_dataset(staged.local_path, dataset_limits())
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


def adapter_get(key: str):
    try:
        return get_adapter(key)
    except KeyError as exc:
        raise InvalidInput(f"Unknown adapter {key!r}.") from exc
