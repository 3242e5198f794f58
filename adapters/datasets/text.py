"""CSV / JSON Lines datasets of (text, label), recognised by content, not by file name."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from ..base import DatasetError, DatasetLimits

TEXT_NAMES = ("text", "sentence", "content", "document")
LABEL_NAMES = ("label", "labels", "category", "class")
DELIMITERS = ",;\t|"


@dataclass
class TextDataset:
    texts: list[str]
    labels: list[str]
    format: str  # "csv" | "jsonl"
    columns: list[str]


def read_utf8(path: Path, limits: DatasetLimits) -> str:
    size = path.stat().st_size
    if size > limits.max_text_file_bytes:
        raise DatasetError(
            f"The file is {human_size(size)}; text datasets may be at most "
            f"{human_size(limits.max_text_file_bytes)}."
        )
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")  # -sig: tolerate the BOM Excel writes
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DatasetError(
            f"The file is not UTF-8 text (invalid byte 0x{data[exc.start]:02x} on line {line}). "
            "Save it as UTF-8 (e.g. 'CSV UTF-8' in Excel) and upload it again."
        ) from None


def human_size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n:,} bytes"


def pick_column(found: list[str], wanted: tuple[str, ...]) -> str | None:
    lowered = {name.strip().lower(): name for name in found}
    return next((lowered[w] for w in wanted if w in lowered), None)


def missing_columns_error(found: list[str], kind: str) -> DatasetError:
    shown = ", ".join(repr(c) for c in found) if found else "none"
    return DatasetError(
        f"The {kind} needs a 'text' column and a 'label' column; found columns: {shown}."
    )


def add_row(
    ds: TextDataset, text: object, label: object, where: str, limits: DatasetLimits
) -> None:
    text = "" if text is None else str(text).strip()
    label = "" if label is None else str(label).strip()
    if not text:
        raise DatasetError(f"{where} has an empty text. Fill it in or delete the row.")
    if not label:
        raise DatasetError(f"{where} has an empty label. Fill it in or delete the row.")
    if len(ds.texts) >= limits.max_rows:
        raise DatasetError(f"The file has more than {limits.max_rows} rows; that is the limit.")
    ds.texts.append(text)
    ds.labels.append(label)


def parse_csv(content: str, limits: DatasetLimits) -> TextDataset:
    first_line = content.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    # Long documents are fine (the file size is already capped); csv's default is 128 KiB.
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_text_file_bytes))
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise DatasetError("The file is empty.") from None
    text_col, label_col = pick_column(header, TEXT_NAMES), pick_column(header, LABEL_NAMES)
    if text_col is None or label_col is None:
        raise missing_columns_error(header, "CSV file")
    ti, li = header.index(text_col), header.index(label_col)
    ds = TextDataset([], [], "csv", [text_col, label_col])
    try:
        for number, row in enumerate(reader, start=1):
            if not row:  # a blank line
                continue
            cells = row + [""] * (len(header) - len(row))
            add_row(ds, cells[ti], cells[li], f"Row {number} (line {reader.line_num})", limits)
    except csv.Error as exc:
        raise DatasetError(f"The CSV is malformed near line {reader.line_num}: {exc}.") from None
    return ds


def parse_jsonl(content: str, limits: DatasetLimits) -> TextDataset:
    ds = TextDataset([], [], "jsonl", [])
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"Line {number} is not valid JSON ({exc.msg}).") from None
        if not isinstance(obj, dict):
            raise DatasetError(f"Line {number} is not a JSON object with 'text' and 'label'.")
        keys = list(obj)
        text_key, label_key = pick_column(keys, TEXT_NAMES), pick_column(keys, LABEL_NAMES)
        if text_key is None or label_key is None:
            raise missing_columns_error(keys, f"JSON object on line {number}")
        ds.columns = ds.columns or [text_key, label_key]
        add_row(ds, obj[text_key], obj[label_key], f"Line {number}", limits)
    return ds


def load_text(path: Path, limits: DatasetLimits) -> TextDataset:
    content = read_utf8(path, limits)
    head = content.lstrip()
    if not head:
        raise DatasetError("The file is empty.")
    if head.startswith("["):
        raise DatasetError("JSON arrays are not supported; use JSON Lines (one object per line).")
    return parse_jsonl(content, limits) if head.startswith("{") else parse_csv(content, limits)
