"""Which columns of a text dataset hold the text and the label: the ones the user names, or
else the first of the usual names. The review shows what was taken and what else could be."""

from __future__ import annotations

from dataclasses import dataclass

from ..base import DatasetError

TEXT_NAMES = ("text", "sentence", "content", "document", "review", "comment", "title")
LABEL_NAMES = ("label", "labels", "category", "class", "target", "sentiment", "intent")
SAMPLES_PER_CLASS = 5
SAMPLE_CLASSES = 50  # samples are stored for this many classes (the review's table)
SAMPLE_CHARS = 160
HEADER_SHOWN = 50  # columns kept in the summary for the column picker


class ColumnsNotFound(DatasetError):
    """No column has a usual name (or a named one is missing): the user has to say which."""

    def __init__(self, message: str, found: list[str]) -> None:
        super().__init__(message)
        self.found = found


@dataclass(frozen=True)
class ColumnChoice:
    text: str
    label: str
    candidates: dict[str, list[str]]  # "text"/"label" -> every column with a usual name


def choose_columns(found: list[str], wanted: tuple[str, str] | None, what: str) -> ColumnChoice:
    """The text and label columns among `found` (a CSV header, a JSON object's keys)."""
    candidates = {"text": matches(found, TEXT_NAMES), "label": matches(found, LABEL_NAMES)}
    if wanted is not None:
        text, label = (_named(found, name, what) for name in wanted)
        if text == label:
            raise DatasetError("The text and the label must be two different columns.")
        return ColumnChoice(text, label, candidates)
    text, label = detected(candidates)
    if text is None or label is None:
        raise ColumnsNotFound(
            f"The {what} needs a text column and a label column; found columns: "
            f"{shown(found)}. Say which columns hold the text and the label, or rename them "
            f"(usual names: {', '.join(TEXT_NAMES[:4])}; {', '.join(LABEL_NAMES[:4])}).",
            found[:HEADER_SHOWN],
        )
    return ColumnChoice(text, label, candidates)


def detected(candidates: dict[str, list[str]]) -> tuple[str | None, str | None]:
    """What detection takes: the first usual text name, the first other usual label name."""
    texts = candidates.get("text") or []
    text = texts[0] if texts else None
    return text, next((name for name in candidates.get("label") or [] if name != text), None)


def matches(found: list[str], names: tuple[str, ...]) -> list[str]:
    """Columns whose name is one of `names` (ignoring case and spaces), in `names`' order."""
    lowered = {name.strip().lower(): name for name in reversed(found)}
    return [lowered[name] for name in names if name in lowered]


def samples_per_class(texts: list[str], labels: list[str]) -> dict[str, list[str]]:
    """The first few examples of each class (file order), shortened, for the review."""
    samples: dict[str, list[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        rows = samples.get(label)
        if rows is None:
            if len(samples) >= SAMPLE_CLASSES:
                continue
            rows = samples[label] = []
        if len(rows) < SAMPLES_PER_CLASS:
            rows.append(text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 1] + "…")
    return samples


def shown(found: list[str]) -> str:
    text = ", ".join(repr(c) for c in found[:20]) if found else "none"
    return text + (f" and {len(found) - 20:,} more" if len(found) > 20 else "")


def _named(found: list[str], name: str, what: str) -> str:
    if name in found:
        return name
    folded = [column for column in found if column.strip().lower() == name.strip().lower()]
    if folded:
        return folded[0]
    raise ColumnsNotFound(
        f"The {what} has no column {name!r}; its columns are: {shown(found)}.", found
    )
