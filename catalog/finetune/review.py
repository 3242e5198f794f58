"""What the fine-tune form says about a dataset before training: the columns used and the
others that could be, a few examples of each class, and warnings about classes too small or
too unequal to measure well. Read from the summary the upload's check stored (no file read)."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.models import Dataset

TINY_CLASS = 10  # below this, a class gets one or two held-out examples: its figures are rough
IMBALANCE_RATIO = 5  # largest class / smallest class from which accuracy flatters the model


@dataclass(frozen=True)
class ClassRow:
    label: str
    count: int
    share: float  # of all examples
    samples: list[str]


@dataclass(frozen=True)
class DatasetReview:
    kind: str
    rows: int
    classes: list[ClassRow]
    text_column: str = ""
    label_column: str = ""
    alternatives: dict[str, list[str]] = field(default_factory=dict)  # role -> other columns
    header: list[str] = field(default_factory=list)
    can_choose: bool = False  # the column picker applies (other columns, file still there)
    rewritten: bool = False  # the user named the columns: a two-column copy trains
    warnings: list[str] = field(default_factory=list)
    samples_cut: bool = False  # more classes than the stored samples cover


def dataset_review(dataset: Dataset) -> DatasetReview:
    summary = dataset.summary or {}
    per_class = {str(k): int(v) for k, v in (summary.get("per_class") or {}).items()}
    total = sum(per_class.values()) or 1
    samples = summary.get("samples") or {}
    classes = [
        ClassRow(label, count, count / total, list(samples.get(label, [])))
        for label, count in sorted(per_class.items(), key=lambda item: (-item[1], item[0]))
    ]
    columns = list(summary.get("columns") or [])
    text_column, label_column = [*columns, "", ""][:2]
    candidates = summary.get("candidates") or {}
    alternatives = {
        role: [name for name in candidates.get(role, []) if name not in columns]
        for role in ("text", "label")
    }
    header = list(summary.get("header") or [])
    rewritten = bool(summary.get("rewritten_from"))
    file_kept = not rewritten or bool(summary.get("source_dataset"))
    review = DatasetReview(
        kind=dataset.kind,
        rows=int(summary.get("rows") or 0),
        classes=classes,
        text_column=text_column,
        label_column=label_column,
        alternatives={role: names for role, names in alternatives.items() if names},
        header=header,
        can_choose=dataset.kind == "text" and len(header) > 2 and file_kept,
        rewritten=rewritten,
        samples_cut=len(samples) < len(classes),
    )
    review.warnings.extend(_warnings(review))
    return review


def _warnings(review: DatasetReview) -> list[str]:
    notes = []
    for role in ("text", "label"):
        others = review.alternatives.get(role)
        if others:
            taken = review.text_column if role == "text" else review.label_column
            names = ", ".join(f"'{name}'" for name in others)
            notes.append(
                f"Other columns could hold the {role}: {names}. '{taken}' was taken; if that is "
                "wrong, pick the columns below."
            )
    tiny = [row for row in review.classes if row.count < TINY_CLASS]
    if tiny:
        shown = ", ".join(f"'{row.label}' ({row.count})" for row in tiny[:5])
        more = f" and {len(tiny) - 5} more" if len(tiny) > 5 else ""
        notes.append(
            f"Small classes: {shown}{more}. With fewer than {TINY_CLASS} examples a class is "
            "measured on one or two held-out examples, so its figures are rough; add examples "
            "if you can."
        )
    if len(review.classes) >= 2:
        big, small = review.classes[0], review.classes[-1]
        ratio = big.count / max(small.count, 1)
        if ratio >= IMBALANCE_RATIO:
            notes.append(
                f"Unbalanced classes: '{big.label}' has {ratio:.0f}x the examples of "
                f"'{small.label}' ({big.count} vs {small.count}). Always answering "
                f"'{big.label}' would already score {big.share:.0%} accuracy, so read the "
                "macro-F1 and the per-class figures; more examples of the small classes help."
            )
    return notes
