"""Safe loaders for user datasets. Every refusal is a DatasetError that says what to fix."""

from __future__ import annotations

from pathlib import Path

from ..base import DatasetError, DatasetLimits, DatasetSummary
from .checks import check_classes
from .columns import samples_per_class
from .images import ImageDataset, ImageFiles, load_images
from .text import TextDataset, load_text
from .zipsafe import is_zip

__all__ = [
    "ImageDataset",
    "ImageFiles",
    "TextDataset",
    "detect_kind",
    "inspect_dataset",
    "load_image_dataset",
    "load_text_dataset",
    "precheck_image_dataset",
]


def detect_kind(path: Path) -> str:
    """'images' for a ZIP (by its magic bytes), else 'text'."""
    return "images" if is_zip(path) else "text"


def load_text_dataset(
    path: Path, limits: DatasetLimits, columns: tuple[str, str] | None = None
) -> tuple[TextDataset, DatasetSummary]:
    """`columns`: the (text, label) columns the user named; None detects them."""
    if is_zip(path):
        raise DatasetError(
            "This is a ZIP archive; text classification needs a CSV or JSON Lines file "
            "with 'text' and 'label' columns."
        )
    ds = load_text(Path(path), limits, columns)
    per_class = check_classes(ds.labels, limits)
    summary = DatasetSummary(
        "text",
        len(ds.texts),
        list(per_class),
        per_class,
        ds.format,
        ds.columns,
        header=ds.header,
        candidates=ds.candidates,
        samples=samples_per_class(ds.texts, ds.labels),
    )
    return ds, summary


def load_image_dataset(
    path: Path, limits: DatasetLimits, *, decode: bool = True
) -> tuple[ImageDataset, DatasetSummary]:
    """With ``decode`` (the worker's check) every image is decoded once; without, only the
    layout is read (training, once the job's check has passed)."""
    return _images(path, limits, "pixels" if decode else "layout")


def precheck_image_dataset(path: Path, limits: DatasetLimits) -> DatasetSummary:
    """The web request's check: layout, classes, declared sizes and image headers."""
    return _images(path, limits, "headers")[1]


def _images(path: Path, limits: DatasetLimits, depth: str) -> tuple[ImageDataset, DatasetSummary]:
    if not is_zip(path):
        raise DatasetError(
            "Image classification needs a ZIP archive with one folder of images per class."
        )
    ds, per_class = load_images(Path(path), limits, depth)
    names = [member.rsplit("/", 1)[-1] for member in ds.members]
    summary = DatasetSummary(
        "images",
        len(ds.members),
        list(per_class),
        per_class,
        "zip",
        samples=samples_per_class(names, ds.labels),
    )
    return ds, summary


def inspect_dataset(path: Path, limits: DatasetLimits) -> DatasetSummary:
    """Validates any supported dataset and summarises it (kind detected from content)."""
    if detect_kind(path) == "images":
        return load_image_dataset(path, limits)[1]
    return load_text_dataset(path, limits)[1]
