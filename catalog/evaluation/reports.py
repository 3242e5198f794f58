"""The report of one evaluation run: ``adapters.evaluation.report``'s shape, with the
majority-class baseline on the same examples and a procedure that names the dataset."""

from __future__ import annotations

from adapters.evaluation import classification_report
from adapters.evaluation.baselines import majority
from catalog.models import Evaluation

TRAINING_DATA_WARNING = (
    "This is the dataset this model was fine-tuned on: figures on training data are "
    "optimistic; evaluate on examples it never saw."
)


def evaluation_report(
    *, evaluation: Evaluation, y_true: list[str], y_pred: list[str], labels: list[str]
) -> dict:
    """``labels`` are the model's, in output order; rows are scored over every label that
    occurs in the dataset or in the predictions (a class neither holds says nothing)."""
    used = set(y_true) | set(y_pred)
    shown = [label for label in labels if label in used]
    index = {label: i for i, label in enumerate(shown)}
    truth = [index[label] for label in y_true]
    predicted = [index[label] for label in y_pred]
    # The best constant guess on these very examples: what any model must beat.
    every = list(range(len(truth)))
    baselines = [{"name": "majority", "y_pred": majority(truth)(every, every)}]
    dataset = evaluation.dataset
    trained_on_it = _trained_on(evaluation)
    report = classification_report(
        truth,
        predicted,
        shown,
        procedure={
            "kind": "evaluation",
            "description": (
                f"evaluation of this version on {dataset.name}, n={len(truth):,}"
                + (" (the data it was fine-tuned on)" if trained_on_it else "")
            ),
            "dataset": dataset.name,
            "dataset_sha256": dataset.blob_id,
        },
        baselines=baselines,
    )
    if trained_on_it:
        report["warnings"] = [TRAINING_DATA_WARNING, *report["warnings"]]
    return report


def _trained_on(evaluation: Evaluation) -> bool:
    """Whether the version was fine-tuned here on the same bytes."""
    job = getattr(evaluation.version, "finetune_job", None)
    return job is not None and job.dataset.blob_id == evaluation.dataset.blob_id
