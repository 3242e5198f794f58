"""The epochs: one loop for every strategy and layout.

A ``Trainee`` says how to batch examples, compute logits and which parameters train; the
loop never sees text, pixels or architectures. ``estimate.py`` runs it once per fold and
for the shipped model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..base import Hooks, HyperParams
from .device import resolve_device, seed_everything

Chunks = Callable[[list[int], int], Iterator[tuple[list[int], dict]]]


@dataclass
class Trainee:
    module: nn.Module  # what train()/eval() toggles
    chunks: Chunks  # (indices, batch size) -> (indices of the batch, inputs on the device)
    forward: Callable[[list[int], dict], torch.Tensor]  # -> logits
    groups: Callable[[], list[dict]]  # optimizer parameter groups


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


def run_epochs(
    trainee: Trainee, indices, y, params: HyperParams, hooks: Hooks, on_epoch, seen: set[int]
):
    """Trains on ``indices``; ``seen`` collects every example a batch fed the optimizer."""
    opt = torch.optim.AdamW(trainee.groups(), weight_decay=params.weight_decay)
    g = torch.Generator().manual_seed(params.seed)
    for epoch in range(1, params.epochs + 1):
        train_mode(trainee.module)
        order = [indices[i] for i in torch.randperm(len(indices), generator=g).tolist()]
        total = 0.0
        for chunk, inputs in trainee.chunks(order, params.batch_size):
            hooks.check()
            seen.update(chunk)
            logits = trainee.forward(chunk, inputs).float()
            loss = F.cross_entropy(logits, y[chunk].to(logits.device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(chunk)
        trainee.module.eval()
        on_epoch(epoch, total / max(1, len(order)))


def trainable_state(module: nn.Module) -> dict[str, torch.Tensor]:
    """A copy of what training changes (trainable parameters, and buffers such as BatchNorm
    statistics), so every run starts from the same weights."""
    trainable = {name for name, p in module.named_parameters() if p.requires_grad}
    state = module.state_dict(keep_vars=True)
    buffers = {name for name, _ in module.named_buffers()}
    return {k: v.detach().clone() for k, v in state.items() if k in trainable or k in buffers}


def restore(module: nn.Module, state: dict[str, torch.Tensor]) -> None:
    module.load_state_dict(state, strict=False)
