"""The epochs: one loop for every strategy and layout.

A ``Trainee`` says how to batch examples, compute logits and which parameters train; the
loop never sees text, pixels or architectures."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .. import metrics
from ..base import CancelFn, Cancelled, EpochProgress, HyperParams, LogFn, ProgressFn
from ..splits import stratified_split
from .device import resolve_device, seed_everything

Chunks = Callable[[list[int], int], Iterator[tuple[list[int], dict]]]


@dataclass
class Hooks:
    on_progress: ProgressFn
    is_cancelled: CancelFn
    log: LogFn

    def check(self) -> None:
        if self.is_cancelled():
            raise Cancelled("training was cancelled")


@dataclass
class Trainee:
    module: nn.Module  # what train()/eval() toggles
    chunks: Chunks  # (indices, batch size) -> (indices of the batch, inputs on the device)
    forward: Callable[[list[int], dict], torch.Tensor]  # -> logits
    groups: Callable[[], list[dict]]  # optimizer parameter groups
    reset_head: Callable[[], None]  # a fresh head, for the refit


@dataclass
class Outcome:
    metrics: dict[str, Any]
    history: list[dict[str, float]]
    timings: dict[str, float] = field(default_factory=dict)
    val_indices: list[int] = field(default_factory=list)


def begin(
    request, labels: list[str], example_labels: list[str], hooks: Hooks
) -> tuple[list[int], torch.device]:
    """What every run does once its dataset is read: class indices, device, seeds."""
    index = {label: i for i, label in enumerate(labels)}
    device = resolve_device(request.device)
    seed_everything(request.params.seed)
    hooks.log(f"training on {device}")
    return [index[label] for label in example_labels], device


def index_chunks(indices: list[int], batch_size: int) -> Iterator[tuple[list[int], dict]]:
    for start in range(0, len(indices), batch_size):
        yield indices[start : start + batch_size], {}


def predict(trainee: Trainee, indices: list[int], y: torch.Tensor, batch_size: int):
    """(mean loss, {index: predicted class})."""
    trainee.module.eval()
    loss, preds = 0.0, {}
    with torch.no_grad():
        for chunk, inputs in trainee.chunks(indices, batch_size):
            logits = trainee.forward(chunk, inputs).float().cpu()
            loss += float(F.cross_entropy(logits, y[chunk], reduction="sum"))
            preds.update(zip(chunk, logits.argmax(1).tolist(), strict=True))
    return loss / max(1, len(indices)), preds


def train_mode(module: nn.Module) -> None:
    """Training mode, except for normalisation statistics of frozen layers: a frozen
    BatchNorm that kept updating its running mean and variance would change the body
    behind the head's back (and, for LoRA, in a way the adapter does not save)."""
    module.train()
    for sub in module.modules():
        if isinstance(sub, nn.modules.batchnorm._BatchNorm) and not any(
            p.requires_grad for p in sub.parameters(recurse=False)
        ):
            sub.eval()


def run_epochs(trainee: Trainee, indices, y, params: HyperParams, hooks: Hooks, on_epoch):
    opt = torch.optim.AdamW(trainee.groups(), weight_decay=params.weight_decay)
    g = torch.Generator().manual_seed(params.seed)
    for epoch in range(1, params.epochs + 1):
        train_mode(trainee.module)
        order = [indices[i] for i in torch.randperm(len(indices), generator=g).tolist()]
        total = 0.0
        for chunk, inputs in trainee.chunks(order, params.batch_size):
            hooks.check()
            logits = trainee.forward(chunk, inputs).float()
            loss = F.cross_entropy(logits, y[chunk].to(logits.device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(chunk)
        trainee.module.eval()
        on_epoch(epoch, total / max(1, len(order)))


def fit(
    trainee: Trainee, y_list: list[int], labels: list[str], params: HyperParams, hooks: Hooks
) -> Outcome:
    """Trains on a stratified split, measures on the held-out part; head-only then refits
    the head on every example (cheap on cached features)."""
    started = time.perf_counter()
    y = torch.tensor(y_list)
    train_idx, val_idx = stratified_split(y_list, params.validation_split, params.seed)
    history: list[dict[str, float]] = []
    preds: dict[int, int] = {}

    def on_epoch(epoch: int, train_loss: float) -> None:
        nonlocal preds
        val_loss, preds = predict(trainee, val_idx, y, params.batch_size)
        acc = sum(preds[i] == int(y[i]) for i in val_idx) / max(1, len(val_idx))
        history.append(
            {"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss, "val_accuracy": acc}
        )
        hooks.on_progress(EpochProgress(epoch, params.epochs, train_loss, val_loss, acc))

    run_epochs(trainee, train_idx, y, params, hooks, on_epoch)
    t_epochs = time.perf_counter()
    summary = metrics.summary(y[val_idx], torch.tensor([preds[i] for i in val_idx]), labels)
    refit = params.strategy == "head-only" and params.refit
    if refit:
        hooks.log("refitting the head on all examples")
        trainee.reset_head()
        run_epochs(trainee, sorted(train_idx + val_idx), y, params, hooks, lambda *a: None)
    summary["refit_on_all_examples"] = refit
    timings = {
        "epochs_s": round(t_epochs - started, 3),
        "refit_s": round(time.perf_counter() - t_epochs, 3),
    }
    return Outcome(summary, history, timings, val_idx)
