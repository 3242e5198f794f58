"""The report every figure of a classifier comes in: the point estimate with its 95%
interval, n, per-class scores, the confusion matrix, baselines on the same examples, the
procedure that produced it, and warnings a reader should not miss.

One JSON-able shape, used for fine-tune estimates, user test sets and evaluations; pages,
cards and the API render it (``catalog`` never recomputes a figure)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .intervals import (
    RESAMPLES,
    bootstrap_macro_f1,
    confusion_matrix,
    macro_f1,
    per_class_scores,
    wilson,
)

CONFIDENCE = 0.95
SMALL_N = 30  # below this a single example moves accuracy by more than 3 points
WIDE = 0.10  # an interval wider than 10 points is worth a warning
KINDS = ("cv", "holdout", "test_set", "evaluation")
BASELINE_TITLES = {
    "majority": "majority class",
    "tfidf_logreg": "TF-IDF + logistic regression",
    "nearest_class_mean": "nearest class mean on the base model's frozen features",
}


def classification_report(
    y_true: Sequence[int],
    y_pred: Sequence[int],
    labels: list[str],
    *,
    procedure: dict,
    seed: int = 0,
    baselines: list[dict] | None = None,
) -> dict:
    """``y_true``/``y_pred`` are indices into ``labels``. ``procedure`` has ``kind`` (one of
    KINDS) and, as they apply, ``folds``, ``description`` (else one is written),
    ``trained_on``, ``shipped`` ("all" | "split"), ``note``. Each baseline is
    ``{"name": ..., "y_pred": [...]}`` over the same examples (``title`` optional)."""
    if len(y_true) != len(y_pred):
        raise ValueError("y_true and y_pred differ in length")
    if procedure.get("kind") not in KINDS:
        raise ValueError(f"procedure kind must be one of {', '.join(KINDS)}")
    n = len(y_true)
    cm = confusion_matrix(y_true, y_pred, len(labels))
    accuracy = accuracy_interval(cm)
    f1 = macro_f1_interval(cm, seed=seed)
    folds = procedure.get("folds")
    described = {
        **procedure,
        "folds": int(folds) if folds else None,
        "n": n,
        "description": procedure.get("description") or describe(procedure, n),
    }
    compared = [baseline_entry(b, y_true, labels, accuracy, seed) for b in baselines or []]
    return {
        "procedure": described,
        "n": n,
        "labels": list(labels),
        "accuracy": accuracy,
        "macro_f1": f1,
        "per_class": per_class(cm, labels),
        "confusion_matrix": cm.tolist(),
        "baselines": compared,
        "warnings": warnings_for(n, accuracy, compared),
    }


def accuracy_interval(cm: np.ndarray) -> dict:
    n, k = int(cm.sum()), int(np.trace(cm))
    low, high = wilson(k, n)
    return {
        "value": _r(k / n if n else 0.0),
        "low": _r(low),
        "high": _r(high),
        "method": "wilson",
        "confidence": CONFIDENCE,
    }


def macro_f1_interval(cm: np.ndarray, *, seed: int) -> dict:
    value = macro_f1(cm)
    low, high = bootstrap_macro_f1(cm, resamples=RESAMPLES, confidence=CONFIDENCE, seed=seed)
    # A percentile interval of a skewed statistic can miss its own point estimate by a
    # hair; an interval that excludes the figure it qualifies would only confuse.
    return {
        "value": _r(value),
        "low": _r(min(low, value)),
        "high": _r(max(high, value)),
        "method": "bootstrap",
        "resamples": RESAMPLES,
        "confidence": CONFIDENCE,
    }


def per_class(cm: np.ndarray, labels: list[str]) -> list[dict]:
    support, predicted = cm.sum(1), cm.sum(0)
    precision, recall, f1 = per_class_scores(np.diag(cm), support, predicted)
    return [
        {
            "label": label,
            "precision": _r(precision[i]),
            "recall": _r(recall[i]),
            "f1": _r(f1[i]),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    ]


def baseline_entry(baseline: dict, y_true, labels, model_accuracy: dict, seed: int) -> dict:
    name = baseline["name"]
    cm = confusion_matrix(y_true, baseline["y_pred"], len(labels))
    accuracy = accuracy_interval(cm)
    return {
        "name": name,
        "title": baseline.get("title") or BASELINE_TITLES.get(name, name),
        "accuracy": accuracy,
        "macro_f1": macro_f1_interval(cm, seed=seed),
        "accuracy_lift": _r(model_accuracy["value"] - accuracy["value"]),
    }


def describe(procedure: dict, n: int) -> str:
    kind, folds = procedure["kind"], procedure.get("folds")
    trained_on = procedure.get("trained_on")
    note = f" ({procedure['note']})" if procedure.get("note") else ""
    if kind == "cv":
        text = f"{folds}-fold CV estimate of the procedure that trained this model, n={n:,}"
    elif kind == "holdout" and procedure.get("shipped") == "all":
        text = (
            f"hold-out estimate of the procedure that trained this model: trained on "
            f"{trained_on - n:,}, measured on the other n={n:,}; the shipped model was "
            f"trained the same way on all {trained_on:,} examples"
        )
    elif kind == "holdout":
        text = (
            f"hold-out estimate of this very model: measured on n={n:,} examples it never "
            f"saw" + (f" (it trained on the other {trained_on:,})" if trained_on else "")
        )
    elif kind == "test_set":
        text = f"your test set, never trained on, n={n:,}"
    else:
        text = f"evaluation on a labelled dataset the model did not train on, n={n:,}"
    return text + note


def warnings_for(n: int, accuracy: dict, baselines: list[dict]) -> list[str]:
    found = []
    if n < SMALL_N:
        step = 100 / max(n, 1)
        found.append(
            f"n={n} is small: one example moves accuracy by {step:.1f} points; "
            "treat the figures as rough and add examples or a test set."
        )
    width = accuracy["high"] - accuracy["low"]
    if width > WIDE:
        found.append(
            f"interval wider than 10 points: accuracy lies between {accuracy['low']:.0%} "
            f"and {accuracy['high']:.0%} with 95% confidence; more examples narrow it."
        )
    for b in baselines:
        score = b["accuracy"]["value"]
        if score > accuracy["high"]:
            found.append(
                f"{b['title']} scores {score:.0%} on the same examples, above the model's "
                "interval: the baseline does better than this model."
            )
        elif score >= accuracy["low"]:
            found.append(
                f"{b['title']} scores {score:.0%} on the same examples, inside the model's "
                "interval: the model may not beat it."
            )
    return found


def headline(report: dict) -> str:
    """One line with the lift: "accuracy 94% [90%, 97%] vs TF-IDF + logistic regression
    81% vs majority class 33%"."""
    a = report["accuracy"]
    text = f"accuracy {_pct(a['value'])} [{_pct(a['low'])}, {_pct(a['high'])}]"
    for b in report["baselines"]:
        text += f" vs {b['title']} {_pct(b['accuracy']['value'])}"
    return text


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _r(value) -> float:
    return round(float(value), 6)
