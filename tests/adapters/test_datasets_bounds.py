"""The bounds on a dataset check (issue 12, item 5): the upload's precheck reads layouts and
headers only; the worker's check decodes, within pixels per image, pixels in total, columns
per row, record length, lines and time."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from adapters.base import DatasetError, DatasetLimits
from adapters.datasets import (
    inspect_dataset,
    load_image_dataset,
    load_text_dataset,
    precheck_image_dataset,
)
from adapters.datasets.headers import RequestWindow

from .helpers import make_zip

LIMITS = DatasetLimits()


def image(size=(8, 8), fmt="PNG", **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 20, 30)).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def classes(data: bytes, per_class: int = 2) -> dict[str, bytes]:
    return {f"{c}/{n}.img": data for c in ("cat", "dog") for n in range(per_class)}


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_precheck_reads_headers_and_leaves_decoding_to_the_worker(tmp_path):
    truncated = image((64, 64))[:60]  # the header is whole, the pixels are not
    path = make_zip(tmp_path / "d.zip", classes(truncated))
    assert precheck_image_dataset(path, LIMITS).per_class == {"cat": 2, "dog": 2}
    assert load_image_dataset(path, LIMITS, decode=False)[1].rows == 4  # training's listing
    with pytest.raises(DatasetError, match=r"'cat/0.img' is not an image we can read"):
        inspect_dataset(path, LIMITS)


def test_pixel_limits_apply_to_headers_before_decoding(tmp_path):
    path = make_zip(tmp_path / "d.zip", classes(image((100, 100)), per_class=3))
    with pytest.raises(DatasetError, match=r"add up to more than 25,000 pixels .*'cat/2.img'"):
        precheck_image_dataset(path, DatasetLimits(max_total_pixels=25_000))
    with pytest.raises(DatasetError, match=r"add up to more than 25,000 pixels"):
        inspect_dataset(path, DatasetLimits(max_total_pixels=25_000))
    with pytest.raises(DatasetError, match=r"'cat/0.img' is 100x100 pixels"):
        precheck_image_dataset(path, DatasetLimits(max_image_pixels=9_999))


def test_a_header_past_the_window_is_left_to_the_worker(tmp_path):
    padded = image((100, 100), fmt="WEBP", lossless=True, xmp=b" " * 100_000)
    path = make_zip(tmp_path / "d.zip", classes(padded))
    small = DatasetLimits(max_image_pixels=9_999)
    assert precheck_image_dataset(path, small).rows == 4  # its size is not in the window
    with pytest.raises(DatasetError, match=r"'cat/0.img' is 100x100 pixels"):
        inspect_dataset(path, small)


def test_a_jpeg_header_beyond_the_first_read_is_found(tmp_path):
    exif = Image.Exif()
    exif[0x010E] = "x" * 30_000  # ImageDescription: 30 KB before the frame header
    photo = image((120, 80), fmt="JPEG", exif=exif.tobytes())
    path = make_zip(tmp_path / "d.zip", classes(photo))
    with pytest.raises(DatasetError, match=r"'cat/0.img' is 120x80 pixels"):
        precheck_image_dataset(path, DatasetLimits(max_image_pixels=9_000))


def test_the_request_window_has_a_total(tmp_path, monkeypatch):
    monkeypatch.setattr(RequestWindow, "TOTAL", 100)  # spent by the first header
    path = make_zip(tmp_path / "d.zip", {**classes(image()), "dog/bad.img": b"not an image"})
    assert precheck_image_dataset(path, LIMITS).rows == 5  # the rest waits for the worker
    with pytest.raises(DatasetError, match=r"'dog/bad.img' is not an image"):
        inspect_dataset(path, LIMITS)


def test_declared_sizes_refuse_an_honest_oversized_zip_in_the_precheck(tmp_path):
    path = make_zip(tmp_path / "d.zip", {**classes(image()), "dog/zeros.img": bytes(3 << 20)})
    with pytest.raises(DatasetError, match=r"unpacks to more than 2 MiB"):
        precheck_image_dataset(path, DatasetLimits(max_uncompressed_bytes=2 << 20))


def test_csv_columns_are_bounded_in_the_header_and_every_row(tmp_path):
    wide = ",".join(f"c{n}" for n in range(20)) + ",text,label\n"
    with pytest.raises(DatasetError, match=r"The header has 22 columns; at most 5"):
        load_text_dataset(write(tmp_path, "h.csv", wide), DatasetLimits(max_columns=5))
    rows = "text,label\na,x\nb,y\n" + "c,x" + ",z" * 10 + "\nd,y\n"
    with pytest.raises(DatasetError, match=r"Row 3 \(line 4\) has 12 columns; at most 5"):
        load_text_dataset(write(tmp_path, "r.csv", rows), DatasetLimits(max_columns=5))


def test_records_are_bounded_before_csv_builds_them(tmp_path):
    long_header = "text,label," + "x" * 200 + "\na,b\n"
    with pytest.raises(DatasetError, match=r"The header \(first line\) is longer than 100"):
        load_text_dataset(
            write(tmp_path, "h.csv", long_header), DatasetLimits(max_header_chars=100)
        )
    # A quoted newline spreads one record over lines; the limit is on the record.
    spread = 'text,label\na,x\n"' + "word,\n" * 40 + '",y\nb,y\n'
    with pytest.raises(DatasetError, match=r"Row 2 is longer than 100 characters"):
        load_text_dataset(write(tmp_path, "s.csv", spread), DatasetLimits(max_row_chars=100))
    fine = 'text,label\na,x\n"' + "word,\n" * 10 + '",y\nb,y\nc,x\n'
    assert load_text_dataset(write(tmp_path, "f.csv", fine), LIMITS)[1].rows == 4


def test_lines_are_counted_before_any_is_parsed(tmp_path):
    path = write(tmp_path, "b.csv", "text,label\n" + "\n" * 50 + "a,x\nb,y\n")
    with pytest.raises(DatasetError, match=r"more than 40 lines \(blank ones included\)"):
        load_text_dataset(path, DatasetLimits(max_lines=40))


@pytest.mark.parametrize(
    ("line", "limits", "fragment"),
    [
        ("[" * 100_000, LIMITS, "nested too deeply or holds a number too long"),
        ('{"text": "a", "label": ' + "9" * 5_000 + "}", LIMITS, "nested too deeply"),
        (
            json.dumps({f"k{n}": n for n in range(10)} | {"text": "a", "label": "x"}),
            DatasetLimits(max_columns=5),
            "The JSON object on line 2 has 12 columns; at most 5",
        ),
        (
            json.dumps({"text": "a" * 300, "label": "x"}),
            DatasetLimits(max_row_chars=200),
            "Line 2 is longer than 200 characters",
        ),
    ],
)
def test_json_lines_are_bounded(tmp_path, line, limits, fragment):
    content = json.dumps({"text": "b", "label": "y"}) + "\n" + line + "\n"
    with pytest.raises(DatasetError, match=fragment):
        load_text_dataset(write(tmp_path, "d.jsonl", content), limits)


def test_a_line_separator_inside_a_json_string_is_text(tmp_path):
    rows = [{"text": f"one\u2028two {n}", "label": "xy"[n % 2]} for n in range(4)]
    content = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    ds, summary = load_text_dataset(write(tmp_path, "d.jsonl", content), LIMITS)
    assert summary.rows == 4 and ds.texts[0] == "one\u2028two 0"


def test_the_time_budget_stops_a_check(tmp_path):
    images = make_zip(tmp_path / "d.zip", classes(image()))
    with pytest.raises(DatasetError, match=r"took more than 0 s \(stopped at 'cat/0.img'\)"):
        inspect_dataset(images, DatasetLimits(max_seconds=0))
    text = write(tmp_path, "t.csv", "text,label\na,x\nb,y\nc,x\nd,y\n")
    with pytest.raises(DatasetError, match=r"took more than 0 s \(stopped at row 1\)"):
        inspect_dataset(text, DatasetLimits(max_seconds=0))
