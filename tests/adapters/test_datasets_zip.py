"""ZIPs of class folders: refused safely, never extracted, bytes counted as decompressed."""

from __future__ import annotations

import io
import os
import struct
import zipfile

import pytest
from PIL import Image

from adapters.base import DatasetError, DatasetLimits
from adapters.datasets import detect_kind, inspect_dataset, load_image_dataset

from .helpers import make_zip

LIMITS = DatasetLimits()


def png(color: int = 128, size: tuple[int, int] = (8, 8), mode: str = "L", fmt="PNG") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, format=fmt)
    return buf.getvalue()


def two_classes(prefix: str = "") -> dict[str, bytes]:
    return {f"{prefix}{c}/{i}.png": png(40 * i) for c in ("cat", "dog") for i in range(2)}


def test_class_folders(tmp_path):
    members = {**two_classes(), "__MACOSX/cat/._0.png": b"junk", "cat/.DS_Store": b"junk"}
    summary = inspect_dataset(make_zip(tmp_path / "d.zip", members), LIMITS)
    assert summary.kind == "images" and summary.format == "zip"
    assert summary.per_class == {"cat": 2, "dog": 2}


def test_single_wrapper_folder_and_detection_by_content(tmp_path):
    path = make_zip(tmp_path / "upload.bin", two_classes("pets/"))
    assert detect_kind(path) == "images"
    ds, summary = load_image_dataset(path, LIMITS)
    assert summary.classes == ["cat", "dog"]
    assert ds.members[0] == "pets/cat/0.png"


def test_non_image_member_is_named(tmp_path):
    path = make_zip(tmp_path / "d.zip", {**two_classes(), "dog/notes.txt": b"hello"})
    with pytest.raises(DatasetError, match=r"'dog/notes.txt' is not an image we can read"):
        inspect_dataset(path, LIMITS)


def test_truncated_image_is_named(tmp_path):
    path = make_zip(tmp_path / "d.zip", {**two_classes(), "cat/broken.png": png()[:40]})
    with pytest.raises(DatasetError, match=r"'cat/broken.png' is not an image"):
        inspect_dataset(path, LIMITS)


@pytest.mark.parametrize("bad", ["../evil/x.png", "cat/../../x.png", "/etc/x.png", "C:/x.png"])
def test_path_traversal_refuses_whole_zip(tmp_path, bad, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    monkeypatch.chdir(folder)
    path = make_zip(folder / "d.zip", {**two_classes(), bad: png()})
    with pytest.raises(DatasetError, match=r"absolute or '\.\.' path; such archives are refused"):
        inspect_dataset(path, LIMITS)
    assert os.listdir(folder) == ["d.zip"]  # nothing was extracted anywhere


def test_too_many_members(tmp_path):
    path = make_zip(tmp_path / "d.zip", two_classes())
    with pytest.raises(DatasetError, match=r"4 entries; the limit is 3"):
        inspect_dataset(path, DatasetLimits(max_zip_members=3))


def test_uncompressed_budget_counts_real_bytes(tmp_path):
    # Uncompressed BMPs of one colour deflate to almost nothing: a small zip bomb.
    bmp = png(0, (320, 320), mode="RGB", fmt="BMP")  # about 300 KB each
    members = {**two_classes(), **{f"cat/pad{i}.bmp": bmp for i in range(4)}}
    path = make_zip(tmp_path / "d.zip", members)
    with pytest.raises(DatasetError, match=r"unpacks to more than 1 MiB"):
        inspect_dataset(path, DatasetLimits(max_uncompressed_bytes=1024 * 1024))


def set_declared_size(path, size: int) -> None:
    """Rewrites every header's uncompressed size: ZIP headers are not to be trusted."""
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = data.find(sig)
        while pos != -1:
            data[pos + offset : pos + offset + 4] = struct.pack("<I", size)
            pos = data.find(sig, pos + 4)
    path.write_bytes(bytes(data))


def test_declared_sizes_are_not_trusted(tmp_path):
    # Headers claiming 4 GB each do not trip the budget: only real output counts...
    path = make_zip(tmp_path / "big.zip", two_classes())
    set_declared_size(path, 0xFFFFFFF0)
    assert inspect_dataset(path, DatasetLimits(max_uncompressed_bytes=10_000)).rows == 4
    # ...and headers claiming tiny sizes cannot sneak more data through.
    path = make_zip(tmp_path / "small.zip", two_classes())
    set_declared_size(path, 10)
    with pytest.raises(DatasetError, match=r"damaged"):
        inspect_dataset(path, LIMITS)


def test_per_member_limit(tmp_path):
    path = make_zip(tmp_path / "d.zip", {**two_classes(), "dog/big.png": bytes(200_000)})
    with pytest.raises(DatasetError, match=r"'dog/big.png' unpacks to more than"):
        inspect_dataset(path, DatasetLimits(max_member_bytes=100_000))


def test_decompression_bomb_image(tmp_path):
    huge = png(0, (4000, 4000), mode="1")  # 16 Mpx in a few KB
    path = make_zip(tmp_path / "d.zip", {**two_classes(), "cat/huge.png": huge})
    with pytest.raises(DatasetError, match=r"'cat/huge.png' is 4000x4000 pixels"):
        inspect_dataset(path, DatasetLimits(max_image_pixels=1_000_000))


def test_nested_archive_refused(tmp_path):
    inner = make_zip(tmp_path / "inner.zip", two_classes())
    path = make_zip(tmp_path / "d.zip", {**two_classes(), "cat/more.zip": inner.read_bytes()})
    with pytest.raises(DatasetError, match=r"another archive \('cat/more.zip'\)"):
        inspect_dataset(path, LIMITS)


def test_files_outside_class_folders(tmp_path):
    path = make_zip(tmp_path / "d.zip", {**two_classes(), "loose.png": png()})
    with pytest.raises(DatasetError, match=r"'loose.png' is not directly inside a class folder"):
        inspect_dataset(path, LIMITS)
    path = make_zip(tmp_path / "e.zip", {**two_classes(), "cat/sub/deep.png": png()})
    with pytest.raises(DatasetError, match=r"'cat/sub/deep.png' is not directly inside"):
        inspect_dataset(path, LIMITS)


def test_one_class_and_too_few_images(tmp_path):
    one = make_zip(tmp_path / "a.zip", {"cat/0.png": png(), "cat/1.png": png()})
    with pytest.raises(DatasetError, match=r"only one class \('cat'\)"):
        inspect_dataset(one, LIMITS)
    few = make_zip(tmp_path / "b.zip", {**two_classes(), "bird/0.png": png()})
    with pytest.raises(DatasetError, match=r"too few in: 'bird' \(1\)"):
        inspect_dataset(few, LIMITS)


def test_encrypted_member(tmp_path):
    path = make_zip(tmp_path / "d.zip", two_classes())
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(sig)
        while pos != -1:
            data[pos + offset] |= 0x1
            pos = data.find(sig, pos + 4)
    path.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match=r"is encrypted"):
        inspect_dataset(path, LIMITS)


def test_not_a_zip_for_images_and_garbage_zip(tmp_path):
    text = tmp_path / "d.csv"
    text.write_text("text,label\n")
    with pytest.raises(DatasetError, match=r"needs a ZIP archive"):
        load_image_dataset(text, LIMITS)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\0" * 30)
    with pytest.raises(DatasetError, match=r"not a readable ZIP"):
        inspect_dataset(broken, LIMITS)


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_duplicate_entries(tmp_path):
    path = tmp_path / "d.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name in ("cat/0.png", "cat/0.png", "cat/1.png", "dog/0.png", "dog/1.png"):
            zf.writestr(name, png())
    with pytest.raises(DatasetError, match=r"two entries named 'cat/0.png'"):
        inspect_dataset(path, LIMITS)
