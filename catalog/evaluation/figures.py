"""Stored metrics as the sections the metrics partial renders, whatever produced them:

- a fine-tune's ``{"estimate": report, "test_set": report | None}`` (test set first);
- an evaluation's report;
- the flat figures versions published before reports existed (accuracy on a validation
  split, a confusion matrix): turned into a report from their confusion matrix by
  ``adapters.evaluation``, so they get an interval too, with a note on what they measured.

Nothing here recomputes a figure that a report carries."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.core.cache import cache

from adapters.evaluation import classification_report

REPORT_KEYS = ("procedure", "accuracy", "n")
MATRIX_MAX_LABELS = 30  # past this a heat map is unreadable; the API has the matrix
TABLE_MAX_ROWS = 100
TITLES = {
    "test_set": "Your test set",
    "cv": "Estimate",
    "holdout": "Estimate",
    "evaluation": "Report",
}


@dataclass
class Section:
    key: str  # test_set | estimate | evaluation | legacy
    title: str
    report: dict
    subject: str = "this model"
    notes: list[str] = field(default_factory=list)

    @property
    def comparison(self) -> list[tuple[str, dict]]:
        """The lift line: this model, then each baseline on the same examples."""
        rows = [(self.subject, self.report["accuracy"])]
        return rows + [(b["title"], b["accuracy"]) for b in self.report.get("baselines") or []]

    @property
    def matrix(self) -> dict | None:
        labels = self.report.get("labels") or []
        cm = self.report.get("confusion_matrix") or []
        if not labels or len(labels) > MATRIX_MAX_LABELS or len(cm) != len(labels):
            return None
        return heat_map(labels, cm)

    @property
    def per_class(self) -> list[dict]:
        return (self.report.get("per_class") or [])[:TABLE_MAX_ROWS]


def is_report(value: object) -> bool:
    return isinstance(value, dict) and all(key in value for key in REPORT_KEYS)


def metric_sections(metrics: object, *, subject: str = "this model") -> list[Section]:
    """The sections for a version's (or job's) metrics, or an evaluation's report."""
    if not isinstance(metrics, dict) or not metrics:
        return []
    if is_report(metrics):
        kind = metrics["procedure"].get("kind", "evaluation")
        return [Section(kind, TITLES.get(kind, "Figures"), metrics, subject)]
    if "estimate" in metrics or "test_set" in metrics:
        sections = []
        if is_report(metrics.get("test_set")):
            sections.append(Section("test_set", TITLES["test_set"], metrics["test_set"], subject))
        if is_report(metrics.get("estimate")):
            sections.append(Section("estimate", "Estimate", metrics["estimate"], subject))
        return sections
    legacy = legacy_report(metrics)
    if legacy is None:
        return []
    notes = [
        "Measured on one validation split, before the hub reported intervals; "
        "fine-tune again for a cross-validated estimate."
    ]
    if metrics.get("refit_on_all_examples"):
        notes.append(
            "The published head was then retrained on all examples, so these figures "
            "describe the head before that refit, not the one that ships."
        )
    return [Section("legacy", "Validation split", legacy, subject, notes)]


def legacy_report(metrics: dict) -> dict | None:
    """A report from the flat figures of older versions: their confusion matrix is all the
    examples there were, so the same intervals follow. Cached by content."""
    labels, cm = metrics.get("labels"), metrics.get("confusion_matrix")
    if not _square_counts(cm, labels):
        return None
    digest = hashlib.sha256(json.dumps([labels, cm]).encode()).hexdigest()
    key = f"legacy-report:v1:{digest}"
    report = cache.get(key)
    if report is None:
        truth = [i for i, row in enumerate(cm) for j, count in enumerate(row) for _ in range(count)]
        predicted = [j for row in cm for j, count in enumerate(row) for _ in range(count)]
        n = len(truth)
        report = classification_report(
            truth,
            predicted,
            [str(label) for label in labels],
            procedure={
                "kind": "holdout",
                "description": f"validation split held out by the fine-tune job, n={n:,}",
            },
        )
        cache.set(key, report, 24 * 3600)
    return report


def _square_counts(cm: object, labels: object) -> bool:
    if not isinstance(labels, list) or not isinstance(cm, list) or len(cm) != len(labels):
        return False
    if not labels or len(labels) > 1000:
        return False
    rows_ok = all(isinstance(row, list) and len(row) == len(labels) for row in cm)
    return (
        rows_ok
        and all(type(c) is int and c >= 0 for row in cm for c in row)
        and (0 < sum(map(sum, cm)) <= 1_000_000)
    )


def heat_map(labels: list[str], cm: list[list[int]]) -> dict:
    """Rows of cells with each cell's share of its true class (what the colour shows)."""
    rows = []
    for i, (label, counts) in enumerate(zip(labels, cm, strict=True)):
        total = sum(counts)
        cells = [
            {
                "count": count,
                "share": count / total if total else 0.0,
                "correct": i == j,
                "predicted": labels[j],
            }
            for j, count in enumerate(counts)
        ]
        rows.append({"label": label, "cells": cells, "support": total})
    return {"labels": labels, "rows": rows}
