"""README.md for a derived model: the Hub's YAML front matter, then a short Markdown card.

A base given without a name (`base_id` None: the hub keeps private bases out of derived
files) leaves `base_model` out, as the Hub's convention allows, and the text says "a private
model"; `base_model_relation` still says how the model was derived.

The figures travel in `model-index` (the Hub's schema, read by huggingface_hub's
`ModelCard`/`metadata_load`): one result per report (the user's test set first, then the
estimate), each metric with its interval, method and n in `args`."""

from __future__ import annotations

import yaml

from ..evaluation import headline

SPLITS = {"cv": "train (cross-validated)", "holdout": "validation", "test_set": "test"}


def front_matter(info: dict) -> dict:
    base = {"base_model": info["base_id"]} if info.get("base_id") else {}
    return {
        **base,
        "base_model_relation": info["relation"],
        "library_name": info["library"],
        "pipeline_tag": info["task"],
        "license": info.get("license") or "other",
        "datasets": [info["dataset"]],
        "tags": ["fine-tuned", info["strategy"]],
        "model-index": [{"name": info["name"], "results": model_index_results(info)}],
    }


def reports(info: dict) -> list[tuple[str, dict]]:
    """(dataset name, report), the user's test set first."""
    metrics = info["metrics"]
    test = metrics.get("test_set")
    found = [(info.get("test_dataset") or "test set", test)] if test else []
    return [*found, (info["dataset"], metrics["estimate"])]


def model_index_results(info: dict) -> list[dict]:
    return [
        {
            "task": {"type": info["task"]},
            "dataset": {
                "name": dataset,
                "type": dataset,
                "split": SPLITS[report["procedure"]["kind"]],
            },
            "metrics": [
                _metric("accuracy", "accuracy", report, {}),
                _metric("f1", "macro F1", report, {"average": "macro"}),
            ],
        }
        for dataset, report in reports(info)
    ]


def _metric(kind: str, title: str, report: dict, args: dict) -> dict:
    figure = report["accuracy" if kind == "accuracy" else "macro_f1"]
    return {
        "type": kind,
        "value": figure["value"],
        "name": f"{title} ({report['procedure']['kind']}, n={report['n']})",
        "args": {
            **args,
            "confidence_interval": [figure["low"], figure["high"]],
            "confidence": figure["confidence"],
            "interval_method": figure["method"],
            "n": report["n"],
            "procedure": report["procedure"]["description"],
        },
    }


def readme(info: dict) -> str:
    meta = yaml.safe_dump(front_matter(info), sort_keys=False, allow_unicode=True)
    labels = ", ".join(info["labels"])
    results = "\n".join(_result_text(dataset, report) for dataset, report in reports(info))
    return (
        f"---\n{meta}---\n\n"
        f"Fine-tuned from {_base_text(info)} on "
        f"`{info['dataset']}` with the **{info['strategy']}** strategy.\n\n"
        f"## Results\n{results}\n"
        "Intervals are 95%: Wilson for accuracy, a 1,000-resample bootstrap for macro F1. "
        "Every figure is in `metrics.json` (per-class scores, confusion matrix).\n\n"
        f"## Labels\n{labels}\n\n"
        f"## How it is stored\n{info['storage']}\n\n"
        "## Intended use\nClassifying inputs like the training data. Check the model on "
        "your own data before relying on it. The base model's license and limitations "
        "apply.\n"
    )


def _result_text(dataset: str, report: dict) -> str:
    f1 = report["macro_f1"]
    lines = [
        f"**`{dataset}`**: {report['procedure']['description']}.",
        f"- {headline(report)}",
        f"- macro F1 {f1['value']:.3f} [{f1['low']:.3f}, {f1['high']:.3f}]",
        *(f"- warning: {w}" for w in report["warnings"]),
    ]
    return "\n".join(lines) + "\n"


def _base_text(info: dict) -> str:
    if not info.get("base_id"):
        return "a private model"
    revision = info.get("base_revision") or ""
    return f"`{info['base_id']}`" + (f" (revision `{revision[:12]}`)" if revision else "")
