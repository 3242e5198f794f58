"""The interface the Django side calls: adapter ABC plus request/result/progress types."""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

MiB = 1024 * 1024
STRATEGIES = ("head-only", "lora", "last-k", "full")
EVALUATIONS = ("auto", "cv", "holdout")
DEVICES = ("auto", "cpu", "cuda")


class DatasetError(ValueError):
    """A dataset we refuse. The message is shown to the user and says what to fix."""


class Cancelled(Exception):
    """Training stopped because ``is_cancelled()`` returned True."""


@dataclass(frozen=True)
class DatasetLimits:
    max_rows: int = 100_000
    max_zip_members: int = 20_000
    max_uncompressed_bytes: int = 512 * MiB
    max_text_file_bytes: int = 64 * MiB
    max_member_bytes: int = 64 * MiB  # one file inside a ZIP
    max_image_pixels: int = 25_000_000  # per image, e.g. 5000 x 5000
    max_total_pixels: int = 2_000_000_000  # all images together: what one decoding pass costs
    max_columns: int = 1_000  # fields in a CSV row, keys in a JSON Lines object
    max_header_chars: int = 64 * 1024  # a CSV's first line, measured before any parsing
    max_row_chars: int = MiB  # one record; training truncates texts to max_length tokens anyway
    max_lines: int = 1_000_000  # physical lines of a text file (blank ones included)
    max_seconds: float = 300.0  # one check of a dataset, wall clock
    min_examples_per_class: int = 2  # one to train on and one to validate with
    max_classes: int = 1_000


@dataclass
class DatasetSummary:
    kind: str  # "text" | "images"
    rows: int
    classes: list[str]
    per_class: dict[str, int]
    format: str  # "csv" | "jsonl" | "zip"
    columns: list[str] = field(default_factory=list)  # text: the columns used
    header: list[str] = field(default_factory=list)  # text: every column, for the picker
    candidates: dict[str, list[str]] = field(default_factory=dict)  # text: other choices
    samples: dict[str, list[str]] = field(default_factory=dict)  # a few examples per class

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class HyperParams:
    strategy: str = "head-only"  # head-only | lora | last-k | full
    unfreeze_layers: int = 2  # last-k: how many of the last encoder layers/stages train
    epochs: int = 30
    learning_rate: float = 0.01  # the new head's rate
    backbone_learning_rate: float = 0.0  # lora/last-k/full: the body's rate; 0 = strategy default
    batch_size: int = 32
    validation_split: float = 0.2
    seed: int = 0
    weight_decay: float = 0.0
    max_length: int = 256  # text: tokens per example (longer texts are truncated)
    lora_rank: int = 8
    lora_alpha: int = 16
    cache_features: bool = True  # head-only: run the frozen body once, reuse its outputs
    # How the figures are measured (adapters.evaluation.plan): auto = k-fold CV below the
    # hub's threshold (a hold-out run for strategies that train the body), a hold-out split
    # at or above it; cv or holdout force one.
    evaluation: str = "auto"

    @property
    def caches_features(self) -> bool:
        """Head-only with cached body outputs: the body runs once, before any fit."""
        return self.strategy == "head-only" and self.cache_features

    def validate(self, max_units: int | None = None) -> None:
        """Raises ValueError naming the field and the allowed range."""
        checks = [
            (self.strategy in STRATEGIES, f"strategy must be one of {', '.join(STRATEGIES)}"),
            (1 <= self.epochs <= 500, "epochs must be between 1 and 500"),
            (0 < self.learning_rate <= 1, "learning_rate must be > 0 and <= 1"),
            (1 <= self.batch_size <= 1024, "batch_size must be between 1 and 1024"),
            (0.05 <= self.validation_split <= 0.5, "validation_split must be 0.05 to 0.5"),
            (0 <= self.seed < 2**31, "seed must be between 0 and 2**31-1"),
            (0 <= self.weight_decay <= 1, "weight_decay must be between 0 and 1"),
            (8 <= self.max_length <= 512, "max_length must be between 8 and 512"),
            (0 <= self.backbone_learning_rate <= 1, "backbone_learning_rate must be 0 to 1"),
            (1 <= self.lora_rank <= 256, "lora_rank must be between 1 and 256"),
            (1 <= self.lora_alpha <= 1024, "lora_alpha must be between 1 and 1024"),
            (self.evaluation in EVALUATIONS, f"evaluation must be one of {', '.join(EVALUATIONS)}"),
        ]  # fmt: skip
        if self.strategy == "last-k":
            top = max_units if max_units is not None else 64
            checks.append(
                (1 <= self.unfreeze_layers <= top, f"unfreeze_layers must be between 1 and {top}")
            )
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    @property
    def body_learning_rate(self) -> float:
        return self.backbone_learning_rate or BODY_RATES.get(self.strategy, 0.0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], defaults: HyperParams | None = None) -> HyperParams:
        """Known keys over the chosen strategy's defaults; unknown keys raise ValueError."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown hyper-parameter(s): {', '.join(unknown)}")
        base = defaults or cls()
        typed = {k: _coerce(k, v, type(getattr(base, k))) for k, v in data.items()}
        strategy = typed.get("strategy", base.strategy)
        if strategy != base.strategy and strategy in STRATEGY_DEFAULTS:
            base = replace(base, strategy=strategy, **STRATEGY_DEFAULTS[strategy])
        return replace(base, **typed)


# A strategy that trains the body wants fewer epochs, smaller batches and gentler rates than
# a linear head on frozen features; these apply when the user picks it without saying more.
STRATEGY_DEFAULTS: dict[str, dict[str, Any]] = {
    "head-only": {"epochs": 30, "learning_rate": 0.01, "batch_size": 32},
    "lora": {"epochs": 10, "learning_rate": 0.002, "batch_size": 16, "max_length": 128},
    "last-k": {"epochs": 6, "learning_rate": 0.002, "batch_size": 16, "max_length": 128},
    "full": {"epochs": 4, "learning_rate": 0.001, "batch_size": 16, "max_length": 128},
}
BODY_RATES = {"lora": 0.002, "last-k": 1e-4, "full": 5e-5}


def _coerce(name: str, value: Any, kind: type) -> Any:
    """Form values arrive as strings; bool("false") would be True, so parse explicitly."""
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{name} must be true or false")
    try:
        return kind(value)
    except (TypeError, ValueError):
        noun = {int: "a whole number", float: "a number"}.get(kind, kind.__name__)
        raise ValueError(f"{name} must be {noun}") from None


# The stages of a fine-tune job, in order. Adapters report the ones they run (preparing to
# exporting) through ``PhaseFn``; the hub adds queued and publishing around them.
PHASES = ("queued", "preparing", "features", "training", "evaluating", "exporting", "publishing")


@dataclass
class EpochProgress:
    epoch: int  # counted over every fit of the job: 1..epochs
    epochs: int  # epochs per fit x fits
    train_loss: float
    val_loss: float | None = None  # None: this run has no held-out examples (the shipped fit)
    val_accuracy: float | None = None
    curve: bool = True  # part of the learning curve shown to the user (the first run)
    fits: int = 1  # CV folds or the hold-out run, plus the shipped fit when it is refitted

    @property
    def per_fit(self) -> int:
        return max(1, self.epochs // max(1, self.fits))

    @property
    def fit(self) -> int:
        """Which fit this epoch belongs to, from 1."""
        return (self.epoch - 1) // self.per_fit + 1

    @property
    def fit_epoch(self) -> int:
        """The epoch within its fit, from 1."""
        return (self.epoch - 1) % self.per_fit + 1


@dataclass
class PhaseProgress:
    phase: str  # one of PHASES
    done: int = 0  # countable steps of the phase (examples encoded, epochs); 0 of 0: none
    total: int = 0


@dataclass
class TrainRequest:
    base_dir: Path  # the base version's files, as its manifest lays them out
    dataset_path: Path
    params: HyperParams
    output_dir: Path
    base_format: dict[str, Any]  # adapters.formats.ModelFormat.to_dict() of the base
    base_repo: dict[str, Any]  # {"id": "owner/name", "revision": 40 hex, "license": ...}
    dataset_name: str = "dataset"
    limits: DatasetLimits = field(default_factory=DatasetLimits)
    device: str = "auto"  # auto | cpu | cuda
    test_path: Path | None = None  # the user's own test set: never trained on
    test_name: str = ""
    cv_below: int = 2000  # HUB_FINETUNE_CV_BELOW: cross-validate smaller datasets


@dataclass
class TrainResult:
    files: list[str]  # relative to output_dir
    metrics: dict[str, Any]  # {"estimate": report, "test_set": report | None}
    layout: dict[str, Any]  # library, pipeline_tag, base_model_relation, ... of the output
    training: dict[str, Any]  # params used, timings, feature cache info


ProgressFn = Callable[[EpochProgress], None]
PhaseFn = Callable[[PhaseProgress], None]
CancelFn = Callable[[], bool]
LogFn = Callable[[str], None]


@dataclass
class Hooks:
    """What a job hands its training run, bundled once: progress, phases, log, cancel."""

    on_progress: ProgressFn
    is_cancelled: CancelFn
    log: LogFn
    on_phase: PhaseFn | None = None

    def phase(self, name: str, done: int = 0, total: int = 0) -> None:
        if self.on_phase is not None:
            self.on_phase(PhaseProgress(name, done, total))

    def check(self) -> None:
        if self.is_cancelled():
            raise Cancelled("training was cancelled")


class Adapter(ABC):
    key: str
    title: str
    task: str  # pipeline tag of the output model
    training_module: str  # dotted path of a module with train(adapter, request, hooks)

    @abstractmethod
    def accepts(self, base_format: dict) -> str | None:
        """None when this adapter can fine-tune the base model, else a short reason why not.

        ``base_format`` is ``adapters.formats.ModelFormat.to_dict()``: JSON only, no torch."""

    def default_params(self, strategy: str = "head-only") -> HyperParams:
        return HyperParams.from_dict({"strategy": strategy})

    @abstractmethod
    def precheck_dataset(self, path: Path, limits: DatasetLimits) -> DatasetSummary:
        """The web request's check: layout, labels and headers, no image decoding, a cost
        bounded whatever the file holds; raises DatasetError. The worker runs
        ``inspect_dataset`` before training."""

    @abstractmethod
    def inspect_dataset(self, path: Path, limits: DatasetLimits) -> DatasetSummary:
        """Validates the whole dataset (images decoded), within ``limits``; raises
        DatasetError."""

    def train(
        self,
        request: TrainRequest,
        *,
        on_progress: ProgressFn,
        is_cancelled: CancelFn,
        log: LogFn,
        on_phase: PhaseFn | None = None,
    ) -> TrainResult:
        """Fine-tunes into ``request.output_dir``; raises Cancelled, DatasetError.
        ``on_phase`` hears each phase as it starts (and features' n of N as they go)."""
        request.params.validate()  # before torch loads: a bad value fails in a moment
        # torch loads here, in the worker, not in web processes that only check acceptance.
        train = importlib.import_module(self.training_module).train
        return train(self, request, Hooks(on_progress, is_cancelled, log, on_phase))
