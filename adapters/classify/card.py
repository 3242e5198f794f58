"""README.md for a derived model: the Hub's YAML front matter, then a short Markdown card.

A base given without a name (`base_id` None: the hub keeps private bases out of derived
files) leaves `base_model` out, as the Hub's convention allows, and the text says "a private
model"; `base_model_relation` still says how the model was derived."""

from __future__ import annotations

import yaml


def front_matter(info: dict) -> dict:
    metrics = info["metrics"]
    base = {"base_model": info["base_id"]} if info.get("base_id") else {}
    return {
        **base,
        "base_model_relation": info["relation"],
        "library_name": info["library"],
        "pipeline_tag": info["task"],
        "license": info.get("license") or "other",
        "datasets": [info["dataset"]],
        "tags": ["fine-tuned", info["strategy"]],
        "model-index": [
            {
                "name": info["name"],
                "results": [
                    {
                        "task": {"type": info["task"]},
                        "dataset": {"name": info["dataset"], "type": info["dataset"]},
                        "metrics": [
                            {
                                "type": "accuracy",
                                "value": metrics["accuracy"],
                                "name": "validation accuracy",
                            },
                            {"type": "f1", "value": metrics["macro_f1"], "name": "macro F1"},
                        ],
                    }
                ],
            }
        ],
    }


def readme(info: dict) -> str:
    meta = yaml.safe_dump(front_matter(info), sort_keys=False, allow_unicode=True)
    m = info["metrics"]
    labels = ", ".join(info["labels"])
    return (
        f"---\n{meta}---\n\n"
        f"Fine-tuned from {_base_text(info)} on "
        f"`{info['dataset']}` with the **{info['strategy']}** strategy.\n\n"
        f"## Results\nValidation accuracy {m['accuracy']:.3f}, macro F1 {m['macro_f1']:.3f} on "
        f"{m['val_examples']} held-out examples.\n\n"
        f"## Labels\n{labels}\n\n"
        f"## How it is stored\n{info['storage']}\n\n"
        "## Intended use\nClassifying inputs like the training data. The figures come from a "
        "small held-out split; check the model on your own data before relying on it. The "
        "base model's license and limitations apply.\n"
    )


def _base_text(info: dict) -> str:
    if not info.get("base_id"):
        return "a private model"
    revision = info.get("base_revision") or ""
    return f"`{info['base_id']}`" + (f" (revision `{revision[:12]}`)" if revision else "")
