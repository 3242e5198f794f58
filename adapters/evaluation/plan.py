"""How a fine-tune measures itself: which examples train and which judge, per run.

Rules (docs/evaluation.md explains them to users):

- Below ``cv_below`` examples (HUB_FINETUNE_CV_BELOW, default 2,000), when refitting is cheap
  (head-only on cached features or sentence embeddings), stratified k-fold CV of the whole
  procedure: k = 5, fewer when the smallest class has fewer examples (each fold must hold
  one of each). Every example is judged once, by a model that did not see it; the shipped
  model is then trained the same way on all examples. Cost: k + 1 head fits on features
  computed once.
- Below ``cv_below`` when every run trains the body (LoRA, last-k, full, uncached
  head-only): one stratified hold-out run (train on 1 - validation_split), then the shipped
  model is trained the same way on all examples. k-fold CV would cost k + 1 fits; this costs
  (1 - validation_split) + 1, about 1.8 single fits, within the 2x budget. 2-fold CV (2.0x)
  would judge every example, but each fold trains on half the data, a larger pessimistic
  bias on the small sets this branch serves than the hold-out run's 80%.
  ``evaluation="cv"`` asks for k-fold CV anyway (k + 1 fits).
- At or above ``cv_below``, or with ``evaluation="holdout"``: one stratified hold-out split,
  and the shipped model is the one trained on the rest: the figures describe that very
  model, at the cost of one fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..base import EVALUATIONS

MAX_FOLDS = 5


@dataclass
class Run:
    train: list[int]
    judge: list[int]  # examples this run's model predicts for the estimate


@dataclass
class Plan:
    kind: str  # "cv" | "holdout"
    runs: list[Run]
    refit_all: bool  # train the shipped model again on every example
    folds: int | None = None
    note: str = ""
    n: int = 0
    judged: list[int] = field(default_factory=list)  # all judged examples, sorted

    def procedure(self) -> dict:
        trained_on = self.n if self.refit_all else len(self.runs[0].train)
        return {
            "kind": self.kind,
            "folds": self.folds,
            "shipped": "all" if self.refit_all else "split",
            "trained_on": trained_on,
            **({"note": self.note} if self.note else {}),
        }

    @property
    def fits(self) -> float:
        """Training cost in single fits on all examples (epochs x examples)."""
        runs = sum(len(r.train) for r in self.runs) / max(self.n, 1)
        return round(runs + (1 if self.refit_all else 0), 3)


def plan_for(
    y: list[int], *, evaluation: str, cheap_refit: bool, cv_below: int, fraction: float, seed: int
) -> Plan:
    if evaluation not in EVALUATIONS:
        raise ValueError(f"evaluation must be one of {', '.join(EVALUATIONS)}")
    n = len(y)
    if evaluation == "holdout" or (evaluation == "auto" and n >= cv_below):
        train, judge = stratified_holdout(y, fraction, seed)
        note = (
            "a hold-out split was asked for"
            if evaluation == "holdout"
            else f"{n:,} examples: at or above the {cv_below:,} where cross-validation stops"
        )
        return _plan("holdout", [Run(train, judge)], False, n, note=note)
    if evaluation == "cv" or cheap_refit:
        smallest = int(min(c for c in np.bincount(np.asarray(y)) if c > 0))
        k = max(2, min(MAX_FOLDS, smallest))  # the dataset check guarantees 2 per class
        note = f"the smallest class has {smallest} examples, so {k} folds" if k < MAX_FOLDS else ""
        runs = [Run(*pair) for pair in stratified_folds(y, k, seed)]
        return _plan("cv", runs, True, n, folds=k, note=note)
    train, judge = stratified_holdout(y, fraction, seed)
    note = "one hold-out run keeps the job near 2x a single fit"
    return _plan("holdout", [Run(train, judge)], True, n, note=note)


def _plan(kind, runs, refit_all, n, *, folds=None, note="") -> Plan:
    judged = sorted(i for r in runs for i in r.judge)
    return Plan(kind, runs, refit_all, folds, note, n, judged)


def _class_orders(y: list[int], seed: int) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    labels = np.asarray(y)
    return [rng.permutation(np.flatnonzero(labels == c)).tolist() for c in np.unique(labels)]


def stratified_folds(y: list[int], k: int, seed: int) -> list[tuple[list[int], list[int]]]:
    """(train, judge) per fold. Per class, shuffled with ``seed`` and dealt round-robin
    starting where the previous class stopped, so fold sizes differ by at most one."""
    if k < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    folds: list[list[int]] = [[] for _ in range(k)]
    start = 0
    for members in _class_orders(y, seed):
        for j, i in enumerate(members):
            folds[(start + j) % k].append(i)
        start = (start + len(members)) % k
    everything = set(range(len(y)))
    return [(sorted(everything - set(f)), sorted(f)) for f in folds]


def stratified_holdout(y: list[int], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Per class, round(n * fraction) examples judge (at least 1, at most n - 1): every class
    with 2+ examples is on both sides."""
    train: list[int] = []
    judge: list[int] = []
    for members in _class_orders(y, seed):
        n_judge = min(max(1, round(len(members) * fraction)), len(members) - 1)
        judge += members[:n_judge]
        train += members[n_judge:]
    return sorted(train), sorted(judge)
