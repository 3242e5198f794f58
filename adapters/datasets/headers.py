"""Image headers read without decoding: each member's format and size, so the limits on
pixels per image and in total apply before any pixel is decoded.

Pillow's ``Image.open`` reads only the header. The web request gives it at most the first
64 KiB of each member (``RequestWindow``), so an upload of 20,000 images costs 20,000 small
header reads at most; a header that lies further in is left for the worker, which unpacks
each member (within the ZIP's byte budget) before reading its header."""

from __future__ import annotations

import io
import warnings
import zipfile

from PIL import Image

from ..base import DatasetError, DatasetLimits
from .checks import Deadline
from .zipsafe import READ_ERRORS, Budget, damaged, encrypted

# Only plain raster formats: Pillow's other plugins (EPS via Ghostscript...) are attack surface.
FORMATS = ("PNG", "JPEG", "BMP", "GIF", "WEBP")
# What Pillow raises on bytes it cannot read as an image.
NOT_AN_IMAGE = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError)
FIRST_READ = 4 * 1024


class RequestWindow:
    """How much of each header the web request reads: 64 KiB per image, 32 MiB in all."""

    PER_IMAGE = 64 * 1024
    TOTAL = 32 * 1024 * 1024

    def __init__(self) -> None:
        self.left = self.TOTAL

    def size(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int] | None:
        """The image's size, or None when its header is not within the window."""
        cap = min(self.PER_IMAGE, self.left)
        if cap == 0 and info.file_size:
            return None  # the window is spent: the worker reads this header
        size, unpacked = read_size(zf, info, cap)
        self.left = max(self.left - unpacked, 0)
        return size


def read_size(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> tuple[tuple | None, int]:
    """((width, height) or None when the header lies past ``cap`` bytes, bytes unpacked).
    Most headers fit in the first 4 KiB; a JPEG's metadata may need more."""
    if info.flag_bits & 0x1:
        raise encrypted(info)
    head = b""
    try:
        with zf.open(info) as raw:
            for step in sorted({min(FIRST_READ, cap), cap}):
                head += raw.read(step - len(head))
                whole = len(head) < step  # the member ended within the step
                try:
                    return open_header(io.BytesIO(head), info.filename), len(head)
                except NOT_AN_IMAGE:
                    if whole:
                        raise not_an_image(info.filename, "unreadable header") from None
    except DatasetError:
        raise
    except READ_ERRORS as exc:
        raise damaged(info, exc) from None
    return None, len(head)


def open_header(fp, member: str) -> tuple[int, int]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fp, formats=FORMATS) as img:
                return img.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb(member) from None


def bomb(member: str) -> DatasetError:
    return DatasetError(
        f"{member!r} has too many pixels to decode (a decompression bomb). Downscale it."
    )


class PixelCount:
    """Pixels per image and in total, counted from headers before anything is decoded."""

    def __init__(self, limits: DatasetLimits) -> None:
        self.limits, self.total = limits, 0

    def add(self, member: str, size: tuple[int, int]) -> None:
        width, height = size
        check_image_pixels(member, width, height, self.limits)
        self.total += width * height
        if self.total > self.limits.max_total_pixels:
            raise DatasetError(
                f"The images add up to more than {self.limits.max_total_pixels:,} pixels "
                f"(limit reached at {member!r}, {width}x{height}); decoding them all would "
                "take too long. Downscale the images (training resizes them to a few hundred "
                "pixels anyway) or use fewer."
            )


def check_headers(
    zf: zipfile.ZipFile,
    members: list[str],
    limits: DatasetLimits,
    deadline: Deadline,
    window: RequestWindow | None = None,
) -> PixelCount:
    """Counts every image's pixels from its header. With ``window`` (the web request) only
    the first bytes of each member are read; without (the worker) each member is unpacked
    within the ZIP's byte budget, so a bomb is named as one before its header is read."""
    pixels, budget = PixelCount(limits), Budget(limits)
    for member in members:
        deadline.check(repr(member))
        info = zf.getinfo(member)
        size = window.size(zf, info) if window else size_of(budget.read(zf, info), member)
        if size is not None:
            pixels.add(member, size)
    return pixels


def size_of(data: bytes, member: str) -> tuple[int, int]:
    try:
        return open_header(io.BytesIO(data), member)
    except NOT_AN_IMAGE as exc:
        raise not_an_image(member, type(exc).__name__) from None


def check_image_pixels(member: str, width: int, height: int, limits: DatasetLimits) -> None:
    if width * height > limits.max_image_pixels:
        raise DatasetError(
            f"{member!r} is {width}x{height} pixels; images may have at most "
            f"{limits.max_image_pixels:,} pixels. Downscale it."
        )


def not_an_image(member: str, why: str) -> DatasetError:
    return DatasetError(
        f"{member!r} is not an image we can read ({why}). Use {', '.join(FORMATS)} files only."
    )
