"""What text.py and image.py share to set up a measured fit: the plan, the joint index
space of training and test examples, and row hashes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from ..base import TrainRequest
from ..evaluation.plan import Plan, plan_for
from .estimate import TestSet
from .loop import Chunks


@dataclass
class Examples:
    """Training examples at 0..n-1, then the test set's (if any) at n..n+m-1."""

    n_train: int
    labels: list[str]  # per example, training then test
    hashes: list[str]  # sha256 of each example's input (text or image bytes)
    test_name: str = ""

    @property
    def test(self) -> TestSet | None:
        if len(self.labels) == self.n_train:
            return None
        return TestSet(list(range(self.n_train, len(self.labels))), self.test_name)


def plan_request(request: TrainRequest, y: list[int], n_train: int, *, cheap_refit: bool) -> Plan:
    p = request.params
    return plan_for(
        y[:n_train], evaluation=p.evaluation, cheap_refit=cheap_refit,
        cv_below=request.cv_below, fraction=p.validation_split, seed=p.seed,
    )  # fmt: skip


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def joined(first: Chunks, n_first: int, second: Chunks | None) -> Chunks:
    """Batches over the joint index space: indices below ``n_first`` come from ``first``,
    the rest from ``second`` (shifted). A batch never mixes the two."""
    if second is None:
        return first

    def chunks(indices: list[int], batch_size: int) -> Iterator[tuple[list[int], dict]]:
        own = [i for i in indices if i < n_first]
        other = [i - n_first for i in indices if i >= n_first]
        if own:
            yield from first(own, batch_size)
        if other:
            for chunk, inputs in second(other, batch_size):
                yield [i + n_first for i in chunk], inputs

    return chunks
