"""The training settings explained: what each hyper-parameter does, which strategies it
applies to, and why its default is what it is. The numbers come from the adapter's defaults
(`adapters.base.STRATEGY_DEFAULTS`), so the text cannot drift from what a job uses."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.base import STRATEGIES, Adapter

# Form fields shown only for some strategies (the rest apply to all).
APPLIES = {"unfreeze_layers": ("last-k",)}
LABELS = {"head-only": "head only", "lora": "LoRA", "last-k": "last layers", "full": "full"}


@dataclass(frozen=True)
class ParamHelp:
    explain: str  # one line: what it does
    reason: str  # why the default is what it is
    strategies: tuple[str, ...] = STRATEGIES
    defaults: dict[str, object] | None = None  # strategy -> the default a number field takes


def params_help(adapter: Adapter) -> dict[str, ParamHelp]:
    """Per form field. `defaults` holds a value per strategy where the strategy sets it."""
    by_strategy = {name: adapter.default_params(name) for name in STRATEGIES}
    head, body = by_strategy["head-only"], by_strategy["lora"]

    def per_strategy(field: str) -> dict[str, object]:
        return {name: getattr(params, field) for name, params in by_strategy.items()}

    def listing(field: str) -> str:
        values = per_strategy(field)
        return ", ".join(f"{values[name]} for {LABELS[name]}" for name in STRATEGIES)

    return {
        "strategy": ParamHelp(
            "Which weights train: a new head only, small LoRA updates, the last layers, or all.",
            "head only: the body runs once and its outputs are cached, so training takes "
            "seconds and the new version stores kilobytes; the others adapt the body and cost "
            "more time and storage.",
        ),
        "unfreeze_layers": ParamHelp(
            "How many of the model's last layers train along with the new head.",
            f"{head.unfreeze_layers}: the top layers hold the most task-specific features; "
            "more layers cost time and storage for little gain on small datasets.",
            APPLIES["unfreeze_layers"],
            per_strategy("unfreeze_layers"),
        ),
        "epochs": ParamHelp(
            "Passes over the training examples.",
            f"{listing('epochs')}: a head on cached features is cheap per pass and needs "
            "many; a training body fits small datasets within a few passes, then overfits.",
            defaults=per_strategy("epochs"),
        ),
        "learning_rate": ParamHelp(
            "Step size of the new head's updates.",
            f"{head.learning_rate:g} for a fresh head alone; {body.learning_rate:g} when the "
            "body trains too, so large steps do not undo what it learned.",
            defaults=per_strategy("learning_rate"),
        ),
        "batch_size": ParamHelp(
            "Examples per training step.",
            f"{listing('batch_size')}: cached features are small; a body's gradients need "
            "memory, and smaller batches fit CPUs and small GPUs.",
            defaults=per_strategy("batch_size"),
        ),
        "evaluation": ParamHelp(
            "How the figures shown for the new model are measured.",
            "automatic: cross-validation on small datasets (tighter figures from few "
            "examples), one held-out split on large ones (enough examples, less time).",
        ),
        "validation_split": ParamHelp(
            "Share of the examples held out to measure the model when a split is used.",
            f"{head.validation_split:g}: enough held-out examples for a stable figure "
            "while most of them still train.",
            defaults=per_strategy("validation_split"),
        ),
        "seed": ParamHelp(
            "Fixes the random choices (the split, the new head's start, the order).",
            f"{head.seed}: any fixed value makes a run repeatable; change it to see how "
            "much the figures move between runs.",
            defaults=per_strategy("seed"),
        ),
    }


def params_applicable(params: dict) -> dict:
    """The submitted parameters without those the chosen strategy does not use (a value left
    in a hidden field must not reach the job)."""
    strategy = params.get("strategy") or "head-only"
    return {key: value for key, value in params.items() if strategy in APPLIES.get(key, STRATEGIES)}
