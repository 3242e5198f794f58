"""ZIP of class folders: ``cat/1.png, dog/2.jpg`` (optionally inside one top-level folder)."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from PIL import Image

from ..base import DatasetError, DatasetLimits
from .checks import Deadline, check_classes
from .headers import (
    FORMATS,
    NOT_AN_IMAGE,
    RequestWindow,
    bomb,
    check_headers,
    check_image_pixels,
)
from .headers import not_an_image as not_an_image_error
from .zipsafe import (
    ARCHIVE_SUFFIXES,
    Budget,
    check_declared,
    is_ignored,
    open_zip,
    parts_of,
)


@dataclass
class ImageDataset:
    path: Path
    members: list[str]  # ZIP entry names, sorted
    labels: list[str]
    format: str = "zip"

    @contextmanager
    def reader(self, limits: DatasetLimits) -> Iterator[ImageReader]:
        zf = open_zip(self.path, limits)
        try:
            yield ImageReader(zf, Budget(limits), limits)
        finally:
            zf.close()

    def read_all(self, limits: DatasetLimits) -> ImageFiles:
        """Every member's bytes from one opening of the ZIP, for a job that sweeps the data
        many times (training): the memory is what the byte budget already bounds
        (``max_uncompressed_bytes``), and no pass inflates the ZIP again."""
        with self.reader(limits) as reader:
            return ImageFiles(self.members, [reader.raw(m) for m in self.members], limits)


@dataclass
class ImageFiles:
    """A dataset's image files held in memory, in ``members`` order; decoded on demand (the
    decoded pixels of a whole dataset may be many times larger than its files)."""

    members: list[str]
    data: list[bytes]
    limits: DatasetLimits

    def image(self, index: int) -> Image.Image:
        return decode_image(self.data[index], self.members[index], self.limits)


class ImageReader:
    """Decodes members of an open ZIP into RGB images, within the limits."""

    def __init__(self, zf: zipfile.ZipFile, budget: Budget, limits: DatasetLimits):
        self.zf, self.budget, self.limits = zf, budget, limits

    def image(self, member: str) -> Image.Image:
        return decode_image(self.raw(member), member, self.limits)

    def raw(self, member: str) -> bytes:
        """The member's bytes, within the reader's byte budget."""
        return self.budget.read(self.zf, self.zf.getinfo(member))


def decode_image(data: bytes, member: str, limits: DatasetLimits) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=FORMATS)
            check_image_pixels(member, img.width, img.height, limits)  # before decoding
            img.load()
    except DatasetError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb(member) from None
    except NOT_AN_IMAGE as exc:
        raise not_an_image_error(member, type(exc).__name__) from None
    return img


def class_of(name: str, wrapper: str | None) -> str:
    parts = parts_of(name)
    if wrapper is not None:
        parts = parts[1:]
    if len(parts) != 2:
        raise DatasetError(
            f"{name!r} is not directly inside a class folder. Expected class_name/image.png "
            "(optionally inside one top-level folder)."
        )
    return parts[0]


def find_wrapper(names: list[str]) -> str | None:
    """One shared top-level folder, with class folders inside it, is a wrapper to skip."""
    split = [parts_of(n) for n in names]
    tops = {parts[0] for parts in split}
    deep = all(len(parts) == 3 for parts in split)
    return next(iter(tops)) if len(tops) == 1 and deep else None


def list_examples(zf: zipfile.ZipFile) -> tuple[list[str], list[str]]:
    names = sorted(i.filename for i in zf.infolist() if not is_ignored(i.filename))
    repeated = next((a for a, b in pairwise(names) if a == b), None)
    if repeated:
        raise DatasetError(f"The ZIP has two entries named {repeated!r}; re-create the ZIP.")
    if not names:
        raise DatasetError("The ZIP holds no files. Put one folder of images per class in it.")
    nested = [n for n in names if n.lower().endswith(ARCHIVE_SUFFIXES)]
    if nested:
        raise DatasetError(
            f"The ZIP contains another archive ({nested[0]!r}). Unpack it and put its images "
            "in the class folders instead."
        )
    wrapper = find_wrapper(names)
    return names, [class_of(n, wrapper) for n in names]


def load_images(
    path: Path, limits: DatasetLimits, depth: str = "pixels"
) -> tuple[ImageDataset, dict[str, int]]:
    """Layout and classes from the ZIP's directory, then by ``depth``: "layout" stops there
    (training, after the worker's check), "headers" is the web request's check, "pixels"
    the worker's. Returns the dataset and the examples per class."""
    zf = open_zip(path, limits)
    try:
        members, labels = list_examples(zf)
        per_class = check_classes(labels, limits)
        if depth == "headers":
            check_declared([zf.getinfo(m) for m in members], limits)
            check_headers(zf, members, limits, Deadline(limits.max_seconds), RequestWindow())
        elif depth == "pixels":
            decode_all(zf, members, limits)
    finally:
        zf.close()
    return ImageDataset(path, members, labels), per_class


def decode_all(zf: zipfile.ZipFile, members: list[str], limits: DatasetLimits) -> None:
    """Every header first, so the pixel limits apply before anything is decoded; then every
    image decoded once, within the time budget."""
    deadline = Deadline(limits.max_seconds)
    check_headers(zf, members, limits, deadline)
    budget = Budget(limits)
    for member in members:
        deadline.check(repr(member))
        decode_image(budget.read(zf, zf.getinfo(member)), member, limits)
