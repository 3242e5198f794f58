"""Train the shipped model and measure the procedure that trained it.

The plan (``adapters.evaluation.plan``) says which examples train and which judge in each
run; every run starts from the same weights, the judged examples' predictions are pooled
(out of fold for CV) into one report, and baselines run on the same runs. The user's test
set sits in the same index space after the training examples (indices >= ``n_train``) and
is never in a run's training indices; ``seen`` records what the optimizer actually got."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch

from ..base import EpochProgress, Hooks, HyperParams
from ..evaluation import classification_report
from ..evaluation.baselines import FitPredict, baselines_on_test, estimate_baselines
from ..evaluation.plan import Plan
from .loop import Trainee, predict, restore, run_epochs, trainable_state


@dataclass
class TestSet:
    indices: list[int]  # into the joint index space, all >= n_train
    name: str


@dataclass
class Outcome:
    metrics: dict  # {"estimate": report, "test_set": report | None}
    history: list[dict[str, float]]
    timings: dict[str, float] = field(default_factory=dict)
    trained: set[int] = field(default_factory=set)  # every example the optimizer saw


class Progress:
    """One epoch counter over every run, so the job's progress bar is honest; the first
    run's epochs, measured on its judged examples, are the learning curve."""

    def __init__(self, hooks: Hooks, epochs: int, runs: int) -> None:
        self.hooks, self.total, self.done = hooks, epochs * runs, 0
        self.runs = runs
        self.history: list[dict[str, float]] = []

    def epoch(self, train_loss: float, val: tuple[float, float] | None) -> None:
        self.done += 1
        val_loss, val_accuracy = val if val else (None, None)
        if val:
            self.history.append(
                {"epoch": self.done, "train_loss": train_loss, "val_loss": val_loss,
                 "val_accuracy": val_accuracy}
            )  # fmt: skip
        self.hooks.on_progress(
            EpochProgress(
                self.done, self.total, train_loss, val_loss, val_accuracy, bool(val), self.runs
            )
        )


def fit_and_measure(
    trainee: Trainee,
    y_all: list[int],
    labels: list[str],
    params: HyperParams,
    hooks: Hooks,
    *,
    plan: Plan,
    baselines: dict[str, FitPredict],
    test: TestSet | None = None,
    row_hashes: list[str] | None = None,
) -> Outcome:
    started = time.perf_counter()
    y = torch.tensor(y_all)
    initial = trainable_state(trainee.module)
    progress = Progress(hooks, params.epochs, len(plan.runs) + int(plan.refit_all))
    hooks.phase("training", 0, progress.total)
    judged: dict[int, int] = {}
    seen: set[int] = set()
    for number, run in enumerate(plan.runs):
        if len(plan.runs) > 1:
            hooks.log(f"fold {number + 1} of {len(plan.runs)}: {len(run.train)} examples train")
        curve = number == 0
        last: dict[int, int] = {}  # the curve's last pass: the run's predictions, already made

        def on_epoch(_epoch: int, train_loss: float, run=run, curve=curve, last=last) -> None:
            val = None
            if curve:  # the learning curve costs a prediction pass per epoch: first run only
                loss, preds = predict(trainee, run.judge, y, params.batch_size)
                last.clear()
                last.update(preds)
                val = (loss, sum(preds[i] == y_all[i] for i in run.judge) / len(run.judge))
            progress.epoch(train_loss, val)

        _fresh(trainee, initial, params)
        run_epochs(trainee, run.train, y, params, hooks, on_epoch, seen)
        judged.update(last or predict(trainee, run.judge, y, params.batch_size)[1])
    estimated = time.perf_counter()
    if plan.refit_all:
        hooks.log(f"training the shipped model on all {plan.n} examples")
        _fresh(trainee, initial, params)
        shipped_train = list(range(plan.n))
        on_epoch = lambda _epoch, loss: progress.epoch(loss, None)  # noqa: E731
        run_epochs(trainee, shipped_train, y, params, hooks, on_epoch, seen)
    else:
        shipped_train = plan.runs[0].train  # the hold-out run's model is the shipped one
    fitted = time.perf_counter()
    hooks.phase("evaluating")
    estimate = classification_report(
        [y_all[i] for i in plan.judged],
        [judged[i] for i in plan.judged],
        labels,
        procedure=plan.procedure(),
        seed=params.seed,
        baselines=estimate_baselines(baselines, plan),
    )
    test_report = None
    if test is not None:
        test_report = _test_report(
            trainee, y, y_all, labels, params, test, baselines, shipped_train,
            _overlap(test, plan.n, seen, row_hashes),
        )  # fmt: skip
    timings = {
        "estimate_s": round(estimated - started, 3),
        "shipped_fit_s": round(fitted - estimated, 3),
        "fits": plan.fits,
    }
    return Outcome({"estimate": estimate, "test_set": test_report}, progress.history, timings, seen)


def _fresh(trainee: Trainee, initial: dict, params: HyperParams) -> None:
    restore(trainee.module, initial)
    torch.manual_seed(params.seed)  # dropout draws the same way in every run


def _overlap(test: TestSet, n_train: int, seen: set[int], hashes: list[str] | None):
    """(test rows whose content the optimizer saw, is the test set the training set)."""
    if hashes is None:
        return None
    trained_rows = {hashes[i] for i in seen}
    shared = sum(hashes[i] in trained_rows for i in test.indices)
    identical = {hashes[i] for i in test.indices} == set(hashes[:n_train])
    return shared, identical


def _test_report(trainee, y, y_all, labels, params, test, baselines, shipped_train, overlap):
    _, preds = predict(trainee, test.indices, y, params.batch_size)
    report = classification_report(
        [y_all[i] for i in test.indices],
        [preds[i] for i in test.indices],
        labels,
        procedure={"kind": "test_set", "dataset": test.name},
        seed=params.seed,
        baselines=baselines_on_test(baselines, shipped_train, test.indices),
    )
    if overlap is not None:
        shared, identical = overlap
        report["procedure"]["rows_seen_in_training"] = shared
        report["warnings"][:0] = overlap_warnings(shared, len(test.indices), identical)
    return report


def overlap_warnings(shared: int, total: int, identical: bool) -> list[str]:
    if identical:
        return [
            "test set is the training set: every test example was trained on, so these "
            "figures say how well the model remembers, not how it generalises."
        ]
    if shared:
        return [
            f"{shared} of {total} test examples also appear in the training data: the "
            "figures on them are optimistic."
        ]
    return []
