"""Generated model cards for derived models."""

from __future__ import annotations

from catalog.models import FineTuneJob


def finetune_card(job: FineTuneJob) -> str:
    base = job.base_version
    summary = job.dataset.summary
    params = job.params
    classes = ", ".join(f"{name} ({count})" for name, count in summary.get("per_class", {}).items())
    lines = [
        f"# {job.target_name or base.model.name}",
        "",
        f"Fine-tuned from [{base.model.full_name}@v{base.number}](/{base.model.full_name}/tree/"
        f"{base.revision}) on `{job.dataset.name}` with the `{job.adapter}` adapter.",
        "",
        "## Training data",
        f"- {summary.get('rows', '?')} examples ({summary.get('format', '?')}), "
        f"{len(summary.get('classes', []))} classes: {classes}",
        f"- validation split: {params.get('validation_split')}, seed {params.get('seed')}",
        "",
        "## Training",
        f"- strategy: {params.get('strategy')}"
        + (
            f" (last {params.get('unfreeze_layers')} layers unfrozen)"
            if params.get("strategy") == "last-k"
            else " (frozen backbone, new head)"
        ),
        f"- epochs: {params.get('epochs')}, learning rate: {params.get('learning_rate')}, "
        f"batch size: {params.get('batch_size')}",
        "",
        "## Intended use",
        "Classifying inputs like the training data above. Measured on the held-out validation "
        "split only; check it on your own data before relying on it. The base model's license "
        "and limitations apply.",
    ]
    return "\n".join(lines) + "\n"
