"""Datasets: prechecked in the upload (no image decoding), stored as a blob, and checked in
full by the worker when a job starts (``dataset_check``)."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from adapters.base import Adapter, DatasetError, DatasetLimits, DatasetSummary
from adapters.datasets import load_text_dataset
from adapters.datasets.columns import ColumnsNotFound, detected
from adapters.datasets.text import save_csv
from adapters.registry import get_adapter
from catalog.blobs import StagedFile, blob_open, blobs_store, stage_local_file
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


class DatasetColumnsNeeded(InvalidInput):
    """No column has a usual name: the form asks which of `found` hold the text and label."""

    def __init__(self, message: str, found: list[str]) -> None:
        super().__init__(message)
        self.found = found


def dataset_create(
    *,
    owner: AbstractBaseUser,
    staged: StagedFile,
    adapter_key: str,
    columns: tuple[str, str] | None = None,
) -> Dataset:
    """Check an uploaded dataset and keep it. `columns` names the (text, label) columns of a
    text dataset; without, they are detected by name (`DatasetColumnsNeeded` when none has
    a usual name)."""
    adapter = adapter_get(adapter_key)
    if staged.size == 0:
        raise InvalidInput(f"{staged.path} is empty; upload a CSV, JSON Lines or ZIP file.")
    if columns is not None:
        return _with_columns(owner=owner, staged=staged, adapter_key=adapter_key, columns=columns)
    try:
        summary = adapter.precheck_dataset(staged.local_path, dataset_upload_limits())
    except ColumnsNotFound as exc:
        raise DatasetColumnsNeeded(f"{staged.path}: {exc}", exc.found) from exc
    except DatasetError as exc:
        raise InvalidInput(f"{staged.path}: {exc}") from exc
    return _dataset_keep(owner, staged, summary.to_dict() | {"adapter": adapter_key})


def dataset_discard(*, dataset: Dataset) -> None:
    """Forget a dataset nothing uses (a test set whose job was refused); its blob stays for
    blob GC, which frees it once no row points at it."""
    dataset.delete()


def dataset_columns_param(text: object, label: object) -> tuple[str, str] | None:
    """(text, label) columns from a form or API call: both named, or neither (detect)."""
    text, label = str(text or "").strip(), str(label or "").strip()
    if not text and not label:
        return None
    if not text or not label:
        raise InvalidInput("Name both the text column and the label column, or neither.")
    if len(text) > 200 or len(label) > 200:
        raise InvalidInput("Column names are at most 200 characters.")
    return text, label


def dataset_columns_choose(
    *, owner: AbstractBaseUser, dataset: Dataset, columns: tuple[str, str]
) -> Dataset:
    """The same upload read with other columns: a new dataset (the old one stays, jobs may
    name it). A dataset made this way is re-read from the file the user uploaded."""
    source = _source_of(owner, dataset)
    suffix = Path(source.name).suffix[:16]
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix="columns-", suffix=suffix) as copy:
        with blob_open(source.blob_id) as handle:
            shutil.copyfileobj(handle, copy, 1024 * 1024)
        copy.flush()
        staged = StagedFile(source.name, Path(copy.name), source.blob_id, source.blob.size)
        return _with_columns(
            owner=owner,
            staged=staged,
            adapter_key=str(dataset.summary.get("adapter", "")),
            columns=columns,
            source=source,
        )


def _with_columns(*, owner, staged, adapter_key, columns, source=None) -> Dataset:
    """Read with the named columns. Unless those are what detection picks anyway, the dataset
    kept is a two-column copy (text,label) of the file: what the worker reads and trains on."""
    adapter = adapter_get(adapter_key)
    if adapter.task != "text-classification":
        raise InvalidInput("Only text datasets (CSV or JSON Lines) have columns to choose.")
    try:
        ds, summary = load_text_dataset(staged.local_path, dataset_upload_limits(), columns)
    except DatasetError as exc:
        raise InvalidInput(f"{staged.path}: {exc}") from exc
    info = summary.to_dict() | {"adapter": adapter_key}
    if source is not None:
        info["source_dataset"] = source.pk
    if list(detected(summary.candidates)) == ds.columns:  # the file as it is trains the same
        return source or _dataset_keep(owner, staged, info)
    with tempfile.TemporaryDirectory(dir=settings.FILE_UPLOAD_TEMP_DIR) as temp:
        out = Path(temp) / "two-columns.csv"
        save_csv(ds, out)
        copy = stage_local_file(staged.path, out)
        info |= {
            "format": "csv",
            "rewritten_from": {"sha256": staged.sha256, "columns": ds.columns},
        }
        return _dataset_keep(owner, copy, info)


def _source_of(owner, dataset: Dataset) -> Dataset:
    """The dataset as uploaded: a two-column copy's original, else the dataset itself."""
    source_id = dataset.summary.get("source_dataset")
    found = Dataset.objects.filter(pk=source_id, owner=owner).first() if source_id else None
    return found or dataset


def _dataset_keep(owner, staged: StagedFile, summary: dict) -> Dataset:
    blobs_store([staged])
    Blob.objects.get_or_create(sha256=staged.sha256, defaults={"size": staged.size})
    return Dataset.objects.create(
        owner=owner,
        name=staged.path[:255],
        blob_id=staged.sha256,
        kind=summary["kind"],
        format=summary["format"],
        summary=summary,
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
