"""The base model as a transformers classifier, with the parts each strategy trains."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from torch import nn
from transformers import AutoModelForImageClassification, AutoModelForSequenceClassification
from transformers.modeling_outputs import BaseModelOutputWithPooling

from ..base import HyperParams


def load_classifier(base_dir: Path, labels: list[str], modality: str) -> nn.Module:
    """The base's body with a fresh head for ``labels`` (never runs code from the repo)."""
    auto = (
        AutoModelForImageClassification
        if modality == "image"
        else AutoModelForSequenceClassification
    )
    model = auto.from_pretrained(
        base_dir,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
        ignore_mismatched_sizes=True,  # a base that already classifies gets a new head
        trust_remote_code=False,
        use_safetensors=True,  # never fall back to a pickled pytorch_model.bin
        local_files_only=True,
    )
    for name in head_names(model):
        reset_parameters(getattr(model, name))
    return model


def head_names(model: nn.Module) -> list[str]:
    """Top-level modules outside the body that hold parameters: the classification head
    (classifier, pre_classifier, pooler on DeBERTa, ...), whatever the architecture calls it."""
    body = model.base_model_prefix
    return [
        name
        for name, child in model.named_children()
        if name != body and any(True for _ in child.parameters())
    ]


def reset_parameters(module: nn.Module) -> None:
    # A base that was already a classifier with as many labels keeps no old head weights:
    # the same job gives the same head whatever the base's last task was.
    for sub in module.modules():
        if hasattr(sub, "reset_parameters"):
            sub.reset_parameters()


def body(model: nn.Module) -> nn.Module:
    return getattr(model, model.base_model_prefix)


def layer_stack(module: nn.Module) -> nn.ModuleList:
    """The body's repeated blocks (encoder layers, CNN stages): the largest ModuleList."""
    lists = [m for m in module.modules() if isinstance(m, nn.ModuleList) and len(m)]
    if not lists:
        raise ValueError("this architecture has no stack of layers to unfreeze")
    return max(lists, key=lambda m: sum(p.numel() for p in m.parameters()))


def last_k_parameter_names(model: nn.Module, k: int) -> set[str]:
    """The last ``k`` blocks of the body and everything registered after them (final norm,
    pooler): the suffix of the network that last-k trains."""
    stack = layer_stack(body(model))
    k = min(k, len(stack))
    first = next(iter(stack[len(stack) - k].parameters()))
    names, found = set(), False
    for name, param in body(model).named_parameters():
        found = found or param is first
        if found:
            names.add(f"{model.base_model_prefix}.{name}")
    return names


def set_trainable(model: nn.Module, params: HyperParams) -> None:
    """Freeze by strategy (LoRA is frozen by peft itself)."""
    heads = tuple(f"{n}." for n in head_names(model))
    unfrozen = (
        last_k_parameter_names(model, params.unfreeze_layers)
        if params.strategy == "last-k"
        else set()
    )
    for name, param in model.named_parameters():
        param.requires_grad_(
            params.strategy == "full" or name.startswith(heads) or name in unfrozen
        )


def parameter_groups(model: nn.Module, params: HyperParams) -> list[dict]:
    """The head at ``learning_rate``, the body (or LoRA matrices) at the body's rate."""
    heads = tuple(f"{n}." for n in head_names(model))
    head, rest = [], []
    for name, param in model.named_parameters():
        if param.requires_grad:
            is_head = name.startswith(heads) or ".modules_to_save." in name
            (head if is_head else rest).append(param)
    groups = [{"params": head, "lr": params.learning_rate}]
    if rest:
        groups.append({"params": rest, "lr": params.body_learning_rate})
    return groups


class CachedBody(nn.Module):
    """Stands in for the frozen body during head-only training: returns its cached outputs,
    so the architecture's own head code (CLS token, pooler, pooled features) runs unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.outputs: tuple[torch.Tensor, torch.Tensor | None] | None = None

    def forward(self, *args, **kwargs) -> BaseModelOutputWithPooling:
        first, pooled = self.outputs
        return BaseModelOutputWithPooling(last_hidden_state=first, pooler_output=pooled)


def body_features(model: nn.Module, inputs: dict) -> tuple[torch.Tensor, torch.Tensor | None]:
    """What the head reads from the frozen body: the first position of the last hidden state
    (all a CLS-style head looks at; whole maps for CNNs) and the pooled output, if any."""
    out = body(model)(**inputs)
    hidden = out.last_hidden_state
    first = hidden[:, :1] if hidden.dim() == 3 else hidden  # (B, 1, H); CNN maps stay whole
    pooled = getattr(out, "pooler_output", None)
    if pooled is not None and hidden.dim() != 3:
        first = first[:, :, :1, :1] * 0  # CNN heads read only the pooled output: keep it tiny
    return first.detach(), None if pooled is None else pooled.detach()


@contextmanager
def cached_body(model: nn.Module) -> Iterator[CachedBody]:
    prefix = model.base_model_prefix
    real = getattr(model, prefix)
    stand_in = CachedBody()
    setattr(model, prefix, stand_in)
    try:
        yield stand_in
    finally:
        setattr(model, prefix, real)


def head_logits(model: nn.Module, stand_in: CachedBody, features, modality: str) -> torch.Tensor:
    stand_in.outputs = features
    size = features[0].shape[0]
    dummy = (
        {"pixel_values": torch.zeros(size, 1, 1, 1, device=features[0].device)}
        if modality == "image"
        else {"input_ids": torch.zeros(size, 1, dtype=torch.long, device=features[0].device)}
    )
    return model(**dummy).logits
