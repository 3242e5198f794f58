"""The shared fine-tuning loop: frozen prefix (computed once, cached) + trainable suffix + head.

Adapters supply an ``ExampleSource`` that turns example indices into backbone inputs; this
module never sees text or pixels.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
import torch.nn.functional as F
from torch import nn

from . import metrics
from .architectures import Backbone
from .base import CancelFn, Cancelled, EpochProgress, HyperParams, LogFn, ProgressFn
from .splits import stratified_split

MAX_CACHE_BYTES = 2 * 1024**3  # beyond this, recompute the frozen part every epoch instead


class ExampleSource(Protocol):
    def input_batches(
        self, indices: list[int], batch_size: int
    ) -> Iterator[tuple[list[int], tuple[torch.Tensor, ...]]]:
        """Yields (indices in this batch, backbone inputs), covering ``indices`` once."""
        ...


@dataclass
class Hooks:
    on_progress: ProgressFn
    is_cancelled: CancelFn
    log: LogFn

    def check(self) -> None:
        if self.is_cancelled():
            raise Cancelled("training was cancelled")


@dataclass
class Outcome:
    head: nn.Linear
    metrics: dict[str, Any]
    history: list[dict[str, float]]
    cache: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    val_indices: list[int] = field(default_factory=list)


class Features:
    """Frozen-prefix outputs per example, cached once or recomputed on demand."""

    def __init__(self, backbone: Backbone, source: ExampleSource, keep: int, hooks: Hooks):
        self.backbone, self.source, self.keep, self.hooks = backbone, source, keep, hooks
        self.cache: dict[int, Any] | None = None
        self.passes = 0  # examples pushed through the frozen prefix
        self.bytes = 0

    def _compute(self, indices: list[int], batch_size: int) -> Iterator[tuple[list[int], list]]:
        for chunk, inputs in self.source.input_batches(indices, batch_size):
            self.hooks.check()
            with torch.no_grad():
                items = self.backbone.split(self.backbone.prefix(inputs, self.keep))
            self.passes += len(chunk)
            yield chunk, items

    def fill(self, indices: list[int], batch_size: int) -> bool:
        """Caches all examples; gives up (returns False) if the cache would be too large."""
        self.cache = {}
        step = max(1, len(indices) // 10)
        for chunk, items in self._compute(indices, batch_size):
            if len(self.cache) // step != (len(self.cache) + len(chunk)) // step:
                self.hooks.log(f"frozen features: {len(self.cache) + len(chunk)}/{len(indices)}")
            self.cache.update(zip(chunk, items, strict=True))
            self.bytes += sum(nbytes(x) for x in items)
            if self.bytes / len(self.cache) * len(indices) > MAX_CACHE_BYTES:
                self.cache, self.bytes = None, 0
                return False
        return True

    def batches(self, indices: list[int], batch_size: int) -> Iterator[tuple[list[int], Any]]:
        if self.cache is not None:
            for start in range(0, len(indices), batch_size):
                self.hooks.check()
                chunk = indices[start : start + batch_size]
                yield chunk, self.backbone.collate([self.cache[i] for i in chunk])
        else:
            for chunk, items in self._compute(indices, batch_size):
                yield chunk, self.backbone.collate(items)


def nbytes(x: Any) -> int:
    if isinstance(x, torch.Tensor):
        return x.numel() * x.element_size()
    return sum(nbytes(t) for t in x)


def make_head(in_features: int, n_classes: int, seed: int) -> nn.Linear:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Linear(in_features, n_classes)


def optimizer(backbone: Backbone, head: nn.Linear, p: HyperParams, keep: int):
    for param in backbone.parameters():
        param.requires_grad_(False)
    unit_params = [q for m in backbone.units(keep) for q in m.parameters()]
    for param in unit_params:
        param.requires_grad_(True)
    groups = [{"params": list(head.parameters()), "lr": p.learning_rate}]
    if unit_params:
        groups.append(
            {"params": unit_params, "lr": p.backbone_learning_rate or p.learning_rate / 100}
        )
    return torch.optim.AdamW(groups, weight_decay=p.weight_decay)


def evaluate(backbone, head, feats: Features, indices, y, batch_size) -> tuple[float, torch.Tensor]:
    backbone.eval()
    loss, preds = 0.0, torch.empty(len(y), dtype=torch.long)
    with torch.no_grad():
        for chunk, state in feats.batches(indices, batch_size):
            logits = head(backbone.suffix(state, feats.keep))
            target = y[chunk]
            loss += float(F.cross_entropy(logits, target, reduction="sum"))
            preds[chunk] = logits.argmax(1)
    return loss / max(1, len(indices)), preds[indices]


def train_epoch(backbone, head, opt, feats: Features, order, y, batch_size) -> float:
    backbone.train(feats.keep > 0)
    total = 0.0
    for chunk, state in feats.batches(order, batch_size):
        logits = head(backbone.suffix(state, feats.keep))
        loss = F.cross_entropy(logits, y[chunk])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += float(loss.detach()) * len(chunk)
    return total / len(order)


def run_epochs(backbone, feats, train_idx, y, n_classes, params, on_epoch) -> nn.Linear:
    """Trains a fresh head (and the unfrozen units) for ``params.epochs`` epochs."""
    head = make_head(backbone.feature_dim, n_classes, params.seed)
    opt = optimizer(backbone, head, params, feats.keep)
    g = torch.Generator().manual_seed(params.seed)
    for epoch in range(1, params.epochs + 1):
        order = [train_idx[i] for i in torch.randperm(len(train_idx), generator=g).tolist()]
        on_epoch(epoch, head, train_epoch(backbone, head, opt, feats, order, y, params.batch_size))
    backbone.eval()
    return head.eval()


def fit(
    backbone: Backbone,
    source: ExampleSource,
    y_list: list[int],
    labels: list[str],
    params: HyperParams,
    hooks: Hooks,
) -> Outcome:
    started = time.perf_counter()
    keep, y = params.trainable_units, torch.tensor(y_list)
    train_idx, val_idx = stratified_split(y_list, params.validation_split, params.seed)
    feats = Features(backbone.eval(), source, keep, hooks)
    cached = params.cache_features and feats.fill(sorted(train_idx + val_idx), params.batch_size)
    hooks.log(f"frozen features: {'cached once' if cached else 'recomputed every epoch'}")
    t_feats = time.perf_counter()
    history: list[dict[str, float]] = []
    preds = torch.empty(0, dtype=torch.long)

    def on_epoch(epoch: int, head: nn.Linear, train_loss: float) -> None:
        nonlocal preds
        val_loss, preds = evaluate(backbone, head, feats, val_idx, y, params.batch_size)
        acc = float((preds == y[val_idx]).float().mean())
        history.append(
            {"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss, "val_accuracy": acc}
        )
        hooks.on_progress(EpochProgress(epoch, params.epochs, train_loss, val_loss, acc))

    head = run_epochs(backbone, feats, train_idx, y, len(labels), params, on_epoch)
    t_epochs = time.perf_counter()
    refit = params.refit and keep == 0
    if refit:
        # Validation told us how this recipe does; the published head also learns from the
        # held-out examples. Cheap: only the head is trained, on cached features.
        hooks.log("refitting the head on all examples")
        everything = sorted(train_idx + val_idx)
        head = run_epochs(backbone, feats, everything, y, len(labels), params, lambda *a: None)
    cache = {
        "enabled": params.cache_features,
        "used": bool(cached),
        "trainable_units": keep,
        "examples": len(y_list),
        "frozen_prefix_passes": feats.passes,
        "cache_bytes": feats.bytes,
    }
    timings = {
        "features_s": round(t_feats - started, 3),
        "epochs_s": round(t_epochs - t_feats, 3),
        "refit_s": round(time.perf_counter() - t_epochs, 3),
    }
    summary = metrics.summary(y[val_idx], preds, labels)
    summary["refit_on_all_examples"] = refit
    return Outcome(head, summary, history, cache, timings, val_idx)
