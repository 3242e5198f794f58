"""CSV / JSON Lines datasets of (text, label), recognised by content, not by file name."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from ..base import DatasetError, DatasetLimits
from .checks import Deadline

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
    shown = ", ".join(repr(c) for c in found[:20]) if found else "none"
    if len(found) > 20:
        shown += f" and {len(found) - 20:,} more"
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


class LineFeed:
    """Feeds ``csv.reader`` one physical line at a time and refuses a record (one row, which
    quoted newlines may spread over lines) longer than the limit before csv builds it: a
    row's memory stays bounded however many fields it holds. The first record is the header,
    with a smaller limit."""

    def __init__(self, content: str, limits: DatasetLimits) -> None:
        self.lines = io.StringIO(content, newline="")
        self.limits = limits
        self.limit, self.used, self.record = limits.max_header_chars, 0, 0

    def __iter__(self) -> LineFeed:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.used += len(line)
        if self.used > self.limit and self.record == 0:
            raise DatasetError(
                f"The header (first line) is longer than {self.limit:,} characters; keep only "
                f"the columns you need (at most {self.limits.max_columns:,})."
            )
        if self.used > self.limit:
            raise DatasetError(
                f"Row {self.record} is longer than {self.limit:,} characters. Texts are cut to "
                "max_length tokens for training anyway: shorten it."
            )
        return line

    def record_done(self) -> None:
        self.record += 1
        self.limit, self.used = self.limits.max_row_chars, 0


def check_width(fields: int, what: str, limits: DatasetLimits) -> None:
    if fields > limits.max_columns:
        raise DatasetError(
            f"{what} has {fields:,} columns; at most {limits.max_columns:,} are allowed. "
            "Keep the text and label columns (and a few others)."
        )


def parse_csv(content: str, limits: DatasetLimits, deadline: Deadline) -> TextDataset:
    # Only the first line (bounded) picks the delimiter; nothing is split before that.
    end = content.find("\n", 0, limits.max_header_chars + 1)
    first_line = content[: end if end >= 0 else limits.max_header_chars + 1]
    delimiter = max(DELIMITERS, key=first_line.count)
    # Long documents are fine (the file size is already capped); csv's default is 128 KiB.
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_text_file_bytes))
    feed = LineFeed(content, limits)
    reader = csv.reader(feed, delimiter=delimiter)
    try:
        header = next(reader)
        feed.record_done()
        check_width(len(header), "The header", limits)
        text_col, label_col = pick_column(header, TEXT_NAMES), pick_column(header, LABEL_NAMES)
        if text_col is None or label_col is None:
            raise missing_columns_error(header, "CSV file")
        ti, li = header.index(text_col), header.index(label_col)
        ds = TextDataset([], [], "csv", [text_col, label_col])
        for number, row in enumerate(reader, start=1):
            feed.record_done()
            deadline.check(f"row {number}")
            if not row:  # a blank line
                continue
            check_width(len(row), f"Row {number} (line {reader.line_num})", limits)
            text, label = (row[i] if i < len(row) else "" for i in (ti, li))
            add_row(ds, text, label, f"Row {number} (line {reader.line_num})", limits)
    except StopIteration:
        raise DatasetError("The file is empty.") from None
    except csv.Error as exc:
        raise DatasetError(f"The CSV is malformed near line {reader.line_num}: {exc}.") from None
    return ds


def parse_jsonl(content: str, limits: DatasetLimits, deadline: Deadline) -> TextDataset:
    ds = TextDataset([], [], "jsonl", [])
    # split("\n"), not splitlines(): JSON strings may hold U+2028 and other breaks.
    for number, line in enumerate(content.split("\n"), start=1):
        deadline.check(f"line {number}")
        if not line.strip():
            continue
        if len(line) > limits.max_row_chars:
            raise DatasetError(
                f"Line {number} is longer than {limits.max_row_chars:,} characters. Texts are "
                "cut to max_length tokens for training anyway: shorten it."
            )
        obj = json_object(line, number)
        check_width(len(obj), f"The JSON object on line {number}", limits)
        keys = list(obj)
        text_key, label_key = pick_column(keys, TEXT_NAMES), pick_column(keys, LABEL_NAMES)
        if text_key is None or label_key is None:
            raise missing_columns_error(keys, f"JSON object on line {number}")
        ds.columns = ds.columns or [text_key, label_key]
        add_row(ds, obj[text_key], obj[label_key], f"Line {number}", limits)
    return ds


def json_object(line: str, number: int) -> dict:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"Line {number} is not valid JSON ({exc.msg}).") from None
    except (RecursionError, ValueError):  # deep nesting; an integer of 5,000 digits
        raise DatasetError(
            f"Line {number} is nested too deeply or holds a number too long to read."
        ) from None
    if not isinstance(obj, dict):
        raise DatasetError(f"Line {number} is not a JSON object with 'text' and 'label'.")
    return obj


def check_lines(content: str, limits: DatasetLimits) -> None:
    """Counted in C before any line is handled in Python (a lone CR ends a CSV line too)."""
    lines = content.count("\n") + content.count("\r")
    if lines > limits.max_lines:
        raise DatasetError(
            f"The file has more than {limits.max_lines:,} lines (blank ones included); "
            "that is the limit. Remove blank lines or split the file."
        )


def load_text(path: Path, limits: DatasetLimits) -> TextDataset:
    content = read_utf8(path, limits)
    head = content.lstrip()
    if not head:
        raise DatasetError("The file is empty.")
    if head.startswith("["):
        raise DatasetError("JSON arrays are not supported; use JSON Lines (one object per line).")
    check_lines(content, limits)
    deadline = Deadline(limits.max_seconds)
    if head.startswith("{"):
        return parse_jsonl(content, limits, deadline)
    return parse_csv(content, limits, deadline)
