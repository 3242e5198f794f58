"""Build the ``Trainee`` for a strategy: what trains, and how logits are computed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import numpy as np
import torch
from torch import nn

from ..base import Hooks, HyperParams
from .loop import Chunks, Trainee, index_chunks
from .lora import lora_wrap
from .network import (
    body_features,
    cached_body,
    head_logits,
    parameter_groups,
    set_trainable,
)


def on_device(batches: Chunks, device: torch.device) -> Chunks:
    def chunks(indices: list[int], batch_size: int) -> Iterator[tuple[list[int], dict]]:
        for chunk, inputs in batches(indices, batch_size):
            yield chunk, {k: v.to(device) for k, v in inputs.items()}

    return chunks


def cache_body_outputs(model, batches: Chunks, indices, params, hooks: Hooks) -> dict:
    """Head-only: run the frozen body once per example; the epochs reuse its outputs."""
    store: dict[int, tuple] = {}
    model.eval()
    hooks.phase("features", 0, len(indices))
    with torch.no_grad():
        for chunk, inputs in batches(indices, params.batch_size):
            hooks.check()
            first, pooled = body_features(model, inputs)
            for row, i in enumerate(chunk):
                store[i] = (first[row], None if pooled is None else pooled[row])
            hooks.phase("features", len(store), len(indices))
    hooks.log(f"frozen features: {len(store)} computed")
    return store


def pooled_features(store: dict, indices: list[int]) -> np.ndarray:
    """One vector per example from cached body outputs (the pooled output, else the first
    position, flattened): what a nearest-class-mean baseline compares."""
    rows = []
    for i in indices:
        first, pooled = store[i]
        rows.append((pooled if pooled is not None else first).flatten().float().cpu())
    return torch.stack(rows).numpy()


def stack_cached(store: dict, chunk: list[int]):
    first = torch.stack([store[i][0] for i in chunk])
    if store[chunk[0]][1] is None:
        return first, None
    return first, torch.stack([store[i][1] for i in chunk])


def transformers_trainee(
    model: nn.Module,
    batches: Chunks,
    n_examples: int,
    params: HyperParams,
    hooks: Hooks,
    *,
    modality: str,
    model_type: str,
    device: torch.device,
    stack: ExitStack,
    store: dict | None = None,
) -> tuple[Trainee, nn.Module, dict]:
    """(trainee, the module to publish, feature-cache facts). For cached head-only, the
    body is swapped for its cached outputs until ``stack`` closes; ``store`` reuses body
    outputs the caller computed already."""
    batches = on_device(batches, device)
    torch.manual_seed(params.seed)
    if params.strategy == "lora":
        model = lora_wrap(model, model_type, params, modality).to(device)
        trainee = Trainee(
            model,
            batches,
            lambda _c, inputs: model(**inputs).logits,
            lambda: parameter_groups(model, params),
        )
        return trainee, model, {"used": False}
    model.to(device)
    set_trainable(model, params)
    groups = lambda: parameter_groups(model, params)  # noqa: E731
    if params.caches_features:
        if store is None:
            store = cache_body_outputs(model, batches, list(range(n_examples)), params, hooks)
        stand_in = stack.enter_context(cached_body(model))
        trainee = Trainee(
            model,
            index_chunks,
            lambda chunk, _i: head_logits(model, stand_in, stack_cached(store, chunk), modality),
            groups,
        )
        return trainee, model, {"used": True, "examples": len(store)}
    trainee = Trainee(model, batches, lambda _c, inputs: model(**inputs).logits, groups)
    return trainee, model, {"used": False}


def linear_trainee(features: torch.Tensor, n_labels: int, params: HyperParams) -> Trainee:
    """A linear head on fixed sentence embeddings (sentence-transformers head-only)."""
    torch.manual_seed(params.seed)
    head = nn.Linear(features.shape[1], n_labels).to(features.device)
    return Trainee(
        head,
        index_chunks,
        lambda chunk, _i: head(features[chunk]),
        lambda: [{"params": list(head.parameters()), "lr": params.learning_rate}],
    )
