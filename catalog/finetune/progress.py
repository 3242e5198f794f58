"""How far a fine-tune job has got: its phases in order, each with its own progress, one
overall fraction weighted by what each phase costs, and an ETA.

Pure functions over the phases the worker records in ``FineTuneJob.phases`` (a list of
``{"name", "started", "ended", "done", "total", ...}``, ISO time stamps): no Django here,
so tests feed them real values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from adapters.base import PHASES

LABELS = {
    "queued": "Queued",
    "preparing": "Preparing data",
    "features": "Computing features",
    "training": "Training",
    "evaluating": "Evaluating",
    "exporting": "Exporting",
    "publishing": "Publishing",
}

# What each phase costs, in seconds, measured 2026-11-30 on real MiniLM jobs on the 2-core dev
# machine (under other test load, so the proportions matter, not the totals):
# - head-only, the mean of three runs: tests/catalog/test_finetune_e2e.py's live-worker job
#   (200 rows + a 100-row test set, 5-fold CV + shipped fit, 40 epochs each: preparing 13.6,
#   features 59.5, training 22.6, evaluating 17.6, exporting 14.2 s), the browser test's job
#   (80 rows, 25 epochs: 14.9, 17.5, 9.1, 9.9, 7.0, publishing 0.3 s) and the adapter alone
#   (100 rows, 40 epochs: 17.9, 13.0, 56.4, 11.5, 15.5 s). Evaluating is the CV baselines
#   (TF-IDF per fold) and bootstrap intervals.
# - body (LoRA, 100 rows, max_length 64, hold-out run + shipped fit, 8 epochs each): preparing
#   18.2 and 20.3, training 270.7, evaluating 0.3, exporting 3.0 s; publishing as head-only.
# bench/finetune.py prints the same figures ("phase_s") for its scenarios. They weight the
# overall bar and give the ETA of the phases after training (whose own pace is measured
# live); waiting in the queue is not work, so it has no weight.
PHASE_COST: dict[str, dict[str, float]] = {
    "head-only": {
        "preparing": 15.0,
        "features": 30.0,
        "training": 29.0,
        "evaluating": 13.0,
        "exporting": 12.0,
        "publishing": 0.5,
    },
    "body": {
        "preparing": 19.0,
        "features": 0.0,  # LoRA, last-k and full run the body every epoch: nothing cached
        "training": 270.0,
        "evaluating": 0.3,
        "exporting": 3.0,
        "publishing": 0.5,
    },
}
TERMINAL = ("succeeded", "failed", "cancelled")
NEVER_FULL = 0.99  # the bar's ceiling until the job has succeeded: work remains


@dataclass
class PhaseView:
    name: str
    label: str
    state: str  # done | current | pending | skipped | stopped
    detail: str
    fraction: float  # of this phase

    @property
    def permille(self) -> int:  # a <progress max="1000"> value
        return round(self.fraction * 1000)


@dataclass
class ProgressView:
    phases: list[PhaseView]
    overall: float  # 0..1, weighted by PHASE_COST
    eta_seconds: float | None  # None until the first epoch is done, and once the job ended
    current: str | None

    @property
    def percent(self) -> int:
        return int(self.overall * 100)  # floor: 99.6 % of the work is not "100 %"

    @property
    def permille(self) -> int:
        return int(self.overall * 1000)

    @property
    def headline(self) -> str:
        """ "Training: fit 2 of 6, epoch 3/10 · 42 %", for lists of jobs."""
        phase = next((p for p in self.phases if p.state == "current"), None)
        if phase is None:
            return ""
        detail = f": {phase.detail}" if phase.detail else ""
        return f"{phase.label}{detail} · {self.percent} %"


def cost_family(strategy: str) -> str:
    return "head-only" if strategy == "head-only" else "body"


def phases_advance(steps: list[dict], name: str, *, at: str, **counts) -> list[dict]:
    """The recorded phases after ``name`` reports: the same phase updates its counts, a new
    one closes the previous at ``at`` and starts."""
    steps = [dict(s) for s in steps]
    if steps and steps[-1]["name"] == name:
        steps[-1].update(counts)
        return steps
    if steps and not steps[-1].get("ended"):
        steps[-1]["ended"] = at
    return [*steps, {"name": name, "started": at, "ended": None, **counts}]


def progress_view(
    *,
    status: str,
    steps: list[dict],
    strategy: str,
    features_expected: bool,
    now: datetime,
    queue_position: int | None = None,
    finished: datetime | None = None,
) -> ProgressView:
    if finished is not None and steps and not steps[-1].get("ended"):
        steps = [*steps[:-1], {**steps[-1], "ended": finished.isoformat()}]
    seen = {s["name"]: s for s in steps}
    current = _current(status, steps)
    at = _reached(status, steps, current)
    views = []
    for index, name in enumerate(PHASES):
        step = seen.get(name)
        state = _state(name, step, index, at, status, current, features_expected)
        views.append(
            PhaseView(name, LABELS[name], state, _detail(name, step, state, now, queue_position),
                      _fraction(step, state))
        )  # fmt: skip
    cost = PHASE_COST[cost_family(strategy)]
    overall = _overall(views, cost, status)
    eta = _eta(seen, current, cost, now) if status not in TERMINAL else None
    return ProgressView(views, overall, eta, current)


def _reached(status: str, steps: list[dict], current: str | None) -> int:
    """The index of the phase the job is in, or got to: those before it that never ran
    were skipped, those after it are still to come (or never came, for a failed job)."""
    if current:
        return PHASES.index(current)
    if status == "succeeded" or not steps:
        return len(PHASES) if status == "succeeded" else 0
    return PHASES.index(steps[-1]["name"])


def _current(status: str, steps: list[dict]) -> str | None:
    if status == "queued":
        return "queued"
    if status in TERMINAL or not steps:
        return None if status in TERMINAL else "preparing"
    return steps[-1]["name"]


def _state(name, step, index, at, status, current, features_expected) -> str:
    if name == current:
        return "current"
    if status in ("failed", "cancelled") and index == at:
        return "stopped"  # where it ended (queued, for a job cancelled before it started)
    if step is not None:
        return "done"
    if name == "features" and not features_expected:
        return "skipped"
    if status == "succeeded" or index < at:
        return "skipped"  # never ran, and the job went past it
    return "pending"


def _fraction(step: dict | None, state: str) -> float:
    if state in ("done", "skipped"):
        return 1.0 if state == "done" else 0.0
    if step is None or not step.get("total"):
        return 0.0
    return min(1.0, step.get("done", 0) / step["total"])


def _overall(views: list[PhaseView], cost: dict[str, float], status: str) -> float:
    if status == "succeeded":
        return 1.0
    counted = [v for v in views if v.name in cost and v.state != "skipped"]
    weighted = [(cost[v.name], v.fraction) for v in counted]
    total = sum(w for w, _ in weighted)
    if not total:
        return 0.0
    return min(NEVER_FULL, sum(w * f for w, f in weighted) / total)


def _eta(seen: dict, current: str | None, cost: dict[str, float], now: datetime) -> float | None:
    """Seconds left: training's own pace once an epoch is done, then the measured cost of
    each phase still to come (less what the current one has already spent)."""
    training = seen.get("training")
    if current is None or training is None or not training.get("done"):
        return None
    later = list(PHASES)[list(PHASES).index(current) + 1 :]
    remaining = sum(cost.get(name, 0.0) for name in later)
    if current == "training":
        spent = _seconds(training["started"], now)
        pace = spent / training["done"]
        return remaining + pace * max(0, training["total"] - training["done"])
    spent = _seconds(seen[current]["started"], now)
    return remaining + max(0.0, cost.get(current, 0.0) - spent)


def _seconds(start: str, end: datetime | str) -> float:
    end_at = datetime.fromisoformat(end) if isinstance(end, str) else end
    return max(0.0, (end_at - datetime.fromisoformat(start)).total_seconds())


def _detail(name, step, state, now, queue_position) -> str:
    if name == "queued" and state == "current":
        return f"position {queue_position} in the queue" if queue_position else "waiting"
    if state in ("skipped", "pending"):
        return "not needed" if state == "skipped" else ""
    counted = step and step.get("total")
    if state != "done" and name == "training" and counted:
        return training_detail(step)
    if state != "done" and counted:
        return f"{step.get('done', 0)}/{step['total']}"
    if state == "done" and step.get("ended"):
        return f"{_seconds(step['started'], step['ended']):.1f} s"
    return ""


def training_detail(step: dict) -> str:
    """ "fit 2 of 6, epoch 3/10": which fit (CV fold, hold-out run, shipped fit) and where."""
    if not step.get("per_fit"):  # no epoch yet, or a row from before fits were recorded
        return f"epoch {step['done']}/{step['total']}" if step.get("done") else "first epoch"
    epoch = f"epoch {step.get('fit_epoch', 0)}/{step.get('per_fit', 0)}"
    fits = step.get("fits", 1)
    return f"fit {step.get('fit', 1)} of {fits}, {epoch}" if fits > 1 else epoch
