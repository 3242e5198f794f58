"""LoRA through peft, with target modules chosen per architecture."""

from __future__ import annotations

from torch import nn

from ..base import HyperParams
from .network import body, head_names


def lora_targets(model: nn.Module, model_type: str) -> list[str] | str:
    """peft's own table for known architectures (attention query/value); otherwise every
    Linear of the body, or its full (non-depthwise) convolutions for CNNs without one."""
    from peft.utils.constants import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING

    known = TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING.get(model_type)
    if known:
        return list(known)
    prefix = model.base_model_prefix
    linear = [n for n, m in body(model).named_modules() if isinstance(m, nn.Linear)]
    if linear:
        return [f"{prefix}.{n}" for n in linear]
    convs = [
        n for n, m in body(model).named_modules() if isinstance(m, nn.Conv2d) and m.groups == 1
    ]
    if not convs:
        raise ValueError(f"found no layers to put LoRA on in a {model_type} model")
    return [f"{prefix}.{n}" for n in convs]


def lora_wrap(model: nn.Module, model_type: str, params: HyperParams, modality: str):
    from peft import LoraConfig, TaskType, get_peft_model

    heads = head_names(model)
    # A trained pooler (BERT's CLS projection) is part of what the classifier reads.
    extra = ["pooler"] if hasattr(body(model), "pooler") and body(model).pooler is not None else []
    config = LoraConfig(
        r=params.lora_rank,
        lora_alpha=params.lora_alpha,
        lora_dropout=0.0,
        target_modules=lora_targets(model, model_type),
        modules_to_save=heads + [e for e in extra if _has_params(body(model), e)],
        task_type=TaskType.SEQ_CLS if modality == "text" else None,
    )
    return get_peft_model(model, config)


def _has_params(module: nn.Module, name: str) -> bool:
    child = getattr(module, name, None)
    return child is not None and any(True for _ in child.parameters())
