"""Checks shared by every dataset kind: classes and examples per class, the time budget."""

from __future__ import annotations

import time
from collections import Counter

from ..base import DatasetError, DatasetLimits


def check_classes(labels: list[str], limits: DatasetLimits) -> dict[str, int]:
    """Counts per class, sorted by class name; raises DatasetError when training can't work."""
    counts = Counter(labels)
    if not counts:
        raise DatasetError("The dataset has no examples.")
    if len(counts) < 2:
        only = next(iter(counts))
        raise DatasetError(
            f"Found only one class ({only!r}); a classifier needs at least 2 different labels."
        )
    if len(counts) > limits.max_classes:
        raise DatasetError(
            f"Found {len(counts)} classes; the limit is {limits.max_classes}. "
            "Merge rare labels or split the task."
        )
    small = sorted(c for c, n in counts.items() if n < limits.min_examples_per_class)
    if small:
        shown = ", ".join(f"{c!r} ({counts[c]})" for c in small[:5])
        more = f" and {len(small) - 5} more" if len(small) > 5 else ""
        raise DatasetError(
            f"Each class needs at least {limits.min_examples_per_class} examples; too few in: "
            f"{shown}{more}. Add examples or remove those classes."
        )
    return {c: counts[c] for c in sorted(counts)}


class Deadline:
    """The wall-clock budget of one check; ``check()`` runs between units of work (a row, an
    image), so no unit outlives it by more than its own bounded cost."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self, where: str) -> None:
        if time.monotonic() >= self.ends:
            raise DatasetError(
                f"Checking the dataset took more than {self.seconds:g} s (stopped at {where}). "
                "Use fewer or smaller files, or split the dataset."
            )
