"""Run one evaluation in this worker: claim it, re-check rights, check the dataset in full,
load the version as its library saved it, predict, record the report.

Safe to run twice (a redelivered task): a finished evaluation is left alone, and one another
live worker holds (fresh heartbeat) is retried later."""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from adapters.base import DatasetError
from adapters.inference.predict import PredictRequest, predict_dataset
from catalog.errors import Forbidden, HubError
from catalog.evaluation.reports import evaluation_report
from catalog.evaluation.targets import evaluation_labels, evaluation_target
from catalog.finetune.leases import lease_take
from catalog.finetune.workspace import blob_to_path, version_materialize
from catalog.models import Evaluation
from catalog.services.datasets import adapter_get, dataset_check, dataset_limits

logger = logging.getLogger(__name__)
PROGRESS_SECONDS = 0.5  # how often the row learns how far prediction got


def evaluation_execute(evaluation_id: str) -> None:
    evaluation = _claim(evaluation_id)
    if evaluation is None:
        return
    try:
        report = _evaluate(evaluation, Reporter(evaluation.pk))
    except DatasetError as exc:
        _fail(evaluation_id, f"Dataset problem: {exc}")
    except Forbidden as exc:  # rights changed while it waited
        _fail(evaluation_id, f"Not allowed any more: {exc.message}")
    except HubError as exc:  # e.g. the dataset's labels, re-checked
        _fail(evaluation_id, exc.message)
    except Exception as exc:  # the row records why; the worker keeps going
        logger.exception("evaluation %s failed", evaluation_id)
        _fail(evaluation_id, f"Evaluation failed: {type(exc).__name__}: {exc}")
    else:
        Evaluation.objects.filter(pk=evaluation_id).update(
            status=Evaluation.Status.SUCCEEDED, report=report, finished_at=timezone.now()
        )


def _claim(evaluation_id: str) -> Evaluation | None:
    with transaction.atomic():
        row = Evaluation.objects.select_for_update().filter(pk=evaluation_id).first()
        if row is None or row.is_terminal:
            return None
        restart = lease_take(row, running=Evaluation.Status.RUNNING, key=evaluation_id)
        row.done = 0
        row.log += ("A worker restarted it.\n" if restart else "") + f"Attempt {row.attempts}.\n"
        row.save()
    return Evaluation.objects.select_related(
        "version__model__namespace", "version__parent__model__namespace", "dataset", "owner"
    ).get(pk=evaluation_id)


def _evaluate(evaluation: Evaluation, reporter: Reporter) -> dict:
    version = evaluation.version
    classifier = evaluation_target(user=evaluation.owner, version=version)
    mapping = evaluation_labels(classifier=classifier, dataset=evaluation.dataset)
    with tempfile.TemporaryDirectory(prefix="evaluate-", dir=settings.FILE_UPLOAD_TEMP_DIR) as tmp:
        root = Path(tmp)
        dataset_path = blob_to_path(evaluation.dataset.blob_id, root / "data" / "dataset")
        reporter.log("Checking the dataset.")
        summary, seconds = dataset_check(
            adapter=adapter_get(classifier.adapter_key), path=dataset_path
        )
        reporter.log(f"Dataset checked in {seconds:.1f} s: {summary.rows} examples.")
        request = PredictRequest(
            classifier=classifier,
            model_dir=version_materialize(version, root / "model"),
            dataset_path=dataset_path,
            mapping=mapping,
            # A LoRA adapter runs on the version the hub linked it to, never on a name
            # written inside its files.
            base_dir=(
                version_materialize(version.parent, root / "base")
                if classifier.loader == "peft"
                else None
            ),
            limits=dataset_limits(),
            device=settings.HUB_FINETUNE_DEVICE,
        )
        predictions = predict_dataset(
            request, on_progress=reporter.progress, is_cancelled=lambda: False
        )
    reporter.log(
        f"Predicted {len(predictions.y_pred)} examples on {predictions.device} "
        f"(loading {predictions.timings['load_s']:.1f} s, "
        f"predicting {predictions.timings['predict_s']:.1f} s)."
    )
    return evaluation_report(
        evaluation=evaluation,
        y_true=predictions.y_true,
        y_pred=predictions.y_pred,
        labels=predictions.labels,
    )


class Reporter:
    """Progress and log lines, written through to the row (progress at most twice a second)."""

    def __init__(self, evaluation_id) -> None:
        self.evaluation_id = evaluation_id
        self._written_at = 0.0

    def progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._written_at < PROGRESS_SECONDS:
            return
        self._written_at = now
        Evaluation.objects.filter(pk=self.evaluation_id).update(
            done=done, total=total, heartbeat_at=timezone.now()
        )

    def log(self, line: str) -> None:
        Evaluation.objects.filter(pk=self.evaluation_id).update(
            log=Concat(F("log"), Value(f"{line.rstrip()}\n")), heartbeat_at=timezone.now()
        )


def _fail(evaluation_id, error: str) -> None:
    Evaluation.objects.filter(pk=evaluation_id).update(
        status=Evaluation.Status.FAILED,
        error=error,
        log=Concat(F("log"), Value(f"{error}\n")),
        finished_at=timezone.now(),
    )
