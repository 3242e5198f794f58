"""The user's own test set: what it may hold, checked at submission and again in the worker."""

from __future__ import annotations

from collections.abc import Iterable

from ..base import DatasetError

SHOWN = 10


def extra_labels_refusal(test_labels: Iterable[str], train_labels: Iterable[str]) -> str | None:
    """None when every test label is a training label, else a message naming the others."""
    extra = sorted(set(test_labels) - set(train_labels))
    if not extra:
        return None
    shown = ", ".join(repr(label) for label in extra[:SHOWN])
    more = f" and {len(extra) - SHOWN} more" if len(extra) > SHOWN else ""
    return (
        f"The test set has labels the training data does not: {shown}{more}. A model "
        "predicts only the labels it trained on; remove those rows from the test set or "
        "add examples of them to the training data."
    )


def extra_labels_check(test_labels: Iterable[str], train_labels: Iterable[str]) -> None:
    reason = extra_labels_refusal(test_labels, train_labels)
    if reason:
        raise DatasetError(reason)
