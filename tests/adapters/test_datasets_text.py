"""CSV / JSON Lines datasets: every refusal names what to fix."""

from __future__ import annotations

import json

import pytest

from adapters.base import DatasetError, DatasetLimits
from adapters.datasets import detect_kind, inspect_dataset, load_text_dataset

LIMITS = DatasetLimits()


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def csv_rows(rows) -> str:
    return "text,label\n" + "".join(f"{t},{lab}\n" for t, lab in rows)


GOOD = [("good film", "pos"), ("great acting", "pos"), ("dull plot", "neg"), ("bad ending", "neg")]


def test_csv_summary(tmp_path):
    summary = inspect_dataset(write(tmp_path, "d.csv", csv_rows(GOOD)), LIMITS)
    assert summary.kind == "text" and summary.format == "csv"
    assert summary.rows == 4
    assert summary.classes == ["neg", "pos"]
    assert summary.per_class == {"neg": 2, "pos": 2}
    assert summary.to_dict()["columns"] == ["text", "label"]


def test_jsonl_detected_by_content_not_extension(tmp_path):
    lines = "\n".join(json.dumps({"text": t, "label": lab}) for t, lab in GOOD)
    summary = inspect_dataset(write(tmp_path, "data.csv", lines), LIMITS)
    assert summary.format == "jsonl" and summary.rows == 4
    csv_named_jsonl = write(tmp_path, "data.jsonl", csv_rows(GOOD))
    assert inspect_dataset(csv_named_jsonl, LIMITS).format == "csv"
    assert detect_kind(csv_named_jsonl) == "text"


def test_csv_other_delimiters_bom_and_quoted_newlines(tmp_path):
    content = '\ufeffLabel;Text\npos;"great\nfilm; really"\npos;fine\nneg;bad\nneg;awful\n'
    ds, summary = load_text_dataset(write(tmp_path, "d", content), LIMITS)
    assert summary.per_class == {"neg": 2, "pos": 2}
    assert ds.texts[0] == "great\nfilm; really"


def test_missing_columns_names_found_columns(tmp_path):
    path = write(tmp_path, "d.csv", "review,stars\nnice,5\n")
    with pytest.raises(DatasetError, match=r"found columns: 'review', 'stars'"):
        inspect_dataset(path, LIMITS)


def test_jsonl_missing_keys(tmp_path):
    path = write(tmp_path, "d.jsonl", json.dumps({"body": "x", "label": "a"}))
    with pytest.raises(DatasetError, match=r"text column.*'body', 'label'"):
        inspect_dataset(path, LIMITS)


def test_single_class(tmp_path):
    path = write(tmp_path, "d.csv", csv_rows([("a", "pos"), ("b", "pos")]))
    with pytest.raises(DatasetError, match=r"only one class \('pos'\)"):
        inspect_dataset(path, LIMITS)


def test_too_few_examples_names_the_class(tmp_path):
    path = write(tmp_path, "d.csv", csv_rows([*GOOD, ("meh", "neutral")]))
    with pytest.raises(DatasetError, match=r"at least 2 examples; too few in: 'neutral' \(1\)"):
        inspect_dataset(path, LIMITS)


def test_empty_text_gives_row_number(tmp_path):
    path = write(tmp_path, "d.csv", csv_rows([*GOOD[:2], ("  ", "neg"), GOOD[3]]))
    with pytest.raises(DatasetError, match=r"Row 3 \(line 4\) has an empty text"):
        inspect_dataset(path, LIMITS)


def test_empty_label_gives_row_number(tmp_path):
    path = write(tmp_path, "d.csv", csv_rows([GOOD[0], ("fine", "")]))
    with pytest.raises(DatasetError, match=r"Row 2 \(line 3\) has an empty label"):
        inspect_dataset(path, LIMITS)


def test_jsonl_empty_label_and_bad_json(tmp_path):
    bad = write(tmp_path, "a", '{"text": "x", "label": "a"}\n{"text": "y", "label": null}\n')
    with pytest.raises(DatasetError, match=r"Line 2 has an empty label"):
        inspect_dataset(bad, LIMITS)
    broken = write(tmp_path, "b", '{"text": "x", "label": "a"}\n{"text": oops}\n')
    with pytest.raises(DatasetError, match=r"Line 2 is not valid JSON"):
        inspect_dataset(broken, LIMITS)


def test_not_utf8(tmp_path):
    path = write(tmp_path, "d.csv", "text,label\ncaf\xe9,a\n".encode("latin-1"))
    with pytest.raises(DatasetError, match=r"not UTF-8 text \(invalid byte 0xe9 on line 2\)"):
        inspect_dataset(path, LIMITS)


def test_too_many_rows(tmp_path):
    path = write(tmp_path, "d.csv", csv_rows(GOOD * 3))
    with pytest.raises(DatasetError, match=r"more than 10 rows"):
        inspect_dataset(path, DatasetLimits(max_rows=10))


def test_too_many_classes(tmp_path):
    rows = [(f"t{i}", f"c{i % 4}") for i in range(8)]
    with pytest.raises(DatasetError, match=r"Found 4 classes; the limit is 3"):
        inspect_dataset(write(tmp_path, "d.csv", csv_rows(rows)), DatasetLimits(max_classes=3))


def test_file_too_large_and_empty(tmp_path):
    with pytest.raises(
        DatasetError, match=r"The file is \d+ bytes; text datasets may be at most 10 bytes"
    ):
        inspect_dataset(
            write(tmp_path, "d.csv", csv_rows(GOOD)), DatasetLimits(max_text_file_bytes=10)
        )
    with pytest.raises(DatasetError, match=r"empty"):
        inspect_dataset(write(tmp_path, "e.csv", "  \n"), LIMITS)


def test_json_array_and_zip_refused_for_text(tmp_path):
    with pytest.raises(DatasetError, match=r"JSON Lines"):
        inspect_dataset(write(tmp_path, "a.json", '[{"text": "x"}]'), LIMITS)
    with pytest.raises(DatasetError, match=r"ZIP archive; text classification needs a CSV"):
        load_text_dataset(write(tmp_path, "z.csv", b"PK\x05\x06" + b"\0" * 18), LIMITS)
