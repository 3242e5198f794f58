"""CSV / JSON Lines datasets of (text, label), recognised by content, not by file name."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..base import DatasetError, DatasetLimits
from .checks import Deadline
from .columns import HEADER_SHOWN, ColumnChoice, choose_columns

DELIMITERS = ",;\t|"
Columns = tuple[str, str] | None  # (text column, label column) the user named, or None: detect


@dataclass
class TextDataset:
    texts: list[str]
    labels: list[str]
    format: str  # "csv" | "jsonl"
    columns: list[str]  # [text column, label column], as the file names them
    header: list[str] = field(default_factory=list)  # every column (the first HEADER_SHOWN)
    candidates: dict[str, list[str]] = field(default_factory=dict)  # what else could be used

    def chosen(self, choice: ColumnChoice, header: list[str]) -> None:
        self.columns = [choice.text, choice.label]
        self.header = header[:HEADER_SHOWN]
        self.candidates = choice.candidates


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


def parse_csv(
    content: str, limits: DatasetLimits, deadline: Deadline, columns: Columns = None
) -> TextDataset:
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
        choice = choose_columns(header, columns, "CSV file")
        ti, li = header.index(choice.text), header.index(choice.label)
        ds = TextDataset([], [], "csv", [])
        ds.chosen(choice, header)
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


def parse_jsonl(
    content: str, limits: DatasetLimits, deadline: Deadline, columns: Columns = None
) -> TextDataset:
    """The first object's keys pick the columns; every line must have those two."""
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
        if not ds.columns:
            ds.chosen(
                choose_columns(list(obj), columns, f"JSON object on line {number}"), list(obj)
            )
        text_key, label_key = ds.columns
        if text_key not in obj or label_key not in obj:
            raise DatasetError(
                f"Line {number} has no {text_key if text_key not in obj else label_key!r} key, "
                "which the first line has; give every line the same keys."
            )
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


def load_text(path: Path, limits: DatasetLimits, columns: Columns = None) -> TextDataset:
    content = read_utf8(path, limits)
    head = content.lstrip()
    if not head:
        raise DatasetError("The file is empty.")
    if head.startswith("["):
        raise DatasetError("JSON arrays are not supported; use JSON Lines (one object per line).")
    check_lines(content, limits)
    deadline = Deadline(limits.max_seconds)
    if head.startswith("{"):
        return parse_jsonl(content, limits, deadline, columns)
    return parse_csv(content, limits, deadline, columns)


def save_csv(ds: TextDataset, out: Path) -> None:
    """The dataset as a two-column CSV (`text,label`), which the default detection reads
    back exactly: what a job trains on once the user picked other columns."""
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(zip(ds.texts, ds.labels, strict=True))
