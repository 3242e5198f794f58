"""Run one fine-tune job in this worker: claim it, train in a temp folder, publish.

Safe to run twice for the same job (a redelivered task after a worker died): a job that
already published is just finished, and a job another live worker is training (fresh
heartbeat) is left alone."""

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

from adapters.base import Cancelled, DatasetError, EpochProgress, PhaseProgress, TrainRequest
from catalog.blobs import stage_local_file
from catalog.errors import Forbidden
from catalog.finetune.job_rules import log_line, params_validate
from catalog.finetune.leases import lease_take
from catalog.finetune.progress import phases_advance
from catalog.finetune.publish import base_repo_for_files, finetune_publish
from catalog.finetune.rights import finetune_job_rights_check
from catalog.finetune.workspace import blob_to_path, version_materialize
from catalog.models import FineTuneJob
from catalog.services.datasets import adapter_get, dataset_check, dataset_limits
from catalog.services.formats import version_format_dict

logger = logging.getLogger(__name__)


def finetune_execute(job_id: str) -> None:
    job = _claim(job_id)
    if job is None:
        return
    try:
        _train_and_publish(job)
    except Cancelled:
        _finish(job_id, FineTuneJob.Status.CANCELLED, log="Cancelled by the user.")
    except DatasetError as exc:
        _finish(job_id, FineTuneJob.Status.FAILED, error=f"Dataset problem: {exc}")
    except Forbidden as exc:  # rights changed while the job waited or trained
        _finish(job_id, FineTuneJob.Status.FAILED, error=f"Not allowed any more: {exc}")
    except Exception as exc:  # the job records why; the worker keeps going
        logger.exception("fine-tune job %s failed", job_id)
        _finish(
            job_id, FineTuneJob.Status.FAILED, error=f"Training failed: {type(exc).__name__}: {exc}"
        )


def _claim(job_id: str) -> FineTuneJob | None:
    with transaction.atomic():
        job = FineTuneJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_terminal:
            return None
        if job.cancel_requested:
            job.status, job.finished_at = FineTuneJob.Status.CANCELLED, timezone.now()
            job.save(update_fields=["status", "finished_at"])
            return None
        restart = lease_take(job, running=FineTuneJob.Status.RUNNING, key=job_id)
        job.epoch, job.history = 0, []
        # The wait in the queue, then preparing: a restart starts the phases over.
        job.phases = phases_advance(
            [{"name": "queued", "started": job.created_at.isoformat(), "ended": None}],
            "preparing",
            at=job.heartbeat_at.isoformat(),
        )
        if restart:
            job.log += log_line("Worker restarted the job after the previous worker stopped.")
        job.log += log_line(f"Attempt {job.attempts} started.")
        job.save()
    return job


def _train_and_publish(job: FineTuneJob) -> None:
    adapter = adapter_get(job.adapter)
    params = params_validate(adapter, job.params)
    finetune_job_rights_check(job)
    base = job.base_version
    reporter = JobReporter(job.pk)
    with tempfile.TemporaryDirectory(prefix="finetune-", dir=settings.FILE_UPLOAD_TEMP_DIR) as tmp:
        root = Path(tmp)
        dataset_path = blob_to_path(job.dataset.blob_id, root / "data" / "dataset")
        _check_dataset(adapter, dataset_path, reporter)
        test = job.test_dataset
        test_path = blob_to_path(test.blob_id, root / "data" / "test") if test else None
        if test_path is not None:
            _check_dataset(adapter, test_path, reporter, what="test set")
        base_dir = version_materialize(base, root / "base")
        output = root / "out"
        output.mkdir()
        request = TrainRequest(
            base_dir=base_dir,
            dataset_path=dataset_path,
            params=params,
            output_dir=output,
            base_format=version_format_dict(base),
            base_repo=base_repo_for_files(job),  # a private base is not named in the files
            dataset_name=job.dataset.name,
            limits=dataset_limits(),
            device=settings.HUB_FINETUNE_DEVICE,
            test_path=test_path,
            test_name=test.name if test else "",
            cv_below=settings.HUB_FINETUNE_CV_BELOW,
        )
        started = time.monotonic()
        result = adapter.train(
            request,
            on_progress=reporter.progress,
            is_cancelled=reporter.is_cancelled,
            log=reporter.log,
            on_phase=reporter.phase,
        )
        reporter.phase(PhaseProgress("publishing"))
        reporter.log(f"Training finished in {time.monotonic() - started:.1f} s; publishing.")
        staged = [stage_local_file(name, output / name) for name in sorted(result.files)]
        version = finetune_publish(
            job_id=job.pk,
            staged=staged,
            metrics=result.metrics,
            training=result.training,
            layout=result.layout,
        )
        reporter.log(f"Published {version.model.full_name} v{version.number}.")


def _check_dataset(adapter, path: Path, reporter: JobReporter, what: str = "dataset") -> None:
    """The full check the upload left to the worker (images decoded, within the limits);
    a DatasetError fails the job with its message."""
    reporter.log(f"Checking the {what}.")
    summary, seconds = dataset_check(adapter=adapter, path=path)
    reporter.log(
        f"{what.capitalize()} checked in {seconds:.1f} s: {summary.rows} examples, "
        f"{len(summary.classes)} classes."
    )


class JobReporter:
    """Progress, log lines and cancellation, written through to the job row."""

    CANCEL_POLL_SECONDS = 1.0
    PROGRESS_SECONDS = 0.5

    def __init__(self, job_id) -> None:
        self.job_id = job_id
        self._written_at = 0.0
        self._checked_at = 0.0
        self._cancelled = False
        self._phase = ""

    def progress(self, update: EpochProgress) -> None:
        """Every epoch of every run moves the counter; the first run's epochs (measured on
        held-out examples) are the learning curve. Epochs of the other runs are written at
        most every PROGRESS_SECONDS, and the last of each fit always: head-only folds finish
        hundreds a second."""
        if not self._due(update.curve or update.fit_epoch == update.per_fit):
            return
        point = (
            {
                "epoch": update.epoch,
                "train_loss": round(update.train_loss, 5),
                "val_loss": round(update.val_loss, 5),
                "val_accuracy": round(update.val_accuracy, 5),
            }
            if update.curve
            else None
        )
        counts = {
            "done": update.epoch, "total": update.epochs, "fit": update.fit, "fits": update.fits,
            "fit_epoch": update.fit_epoch, "per_fit": update.per_fit,
        }  # fmt: skip
        self._write("training", counts, point, epoch=update.epoch, epochs=update.epochs)

    def phase(self, update: PhaseProgress) -> None:
        """A new phase is written at once; its n of N at most every PROGRESS_SECONDS, and
        the last one always."""
        new = update.phase != self._phase
        final = bool(update.total) and update.done >= update.total
        if not self._due(new or final):
            return
        self._phase = update.phase
        counts = {"done": update.done, "total": update.total} if update.total else {}
        self._write(update.phase, counts)

    def _due(self, now_anyway: bool) -> bool:
        """Whether to write: always when ``now_anyway``, else at most every PROGRESS_SECONDS."""
        now = time.monotonic()
        if not now_anyway and now - self._written_at < self.PROGRESS_SECONDS:
            return False
        self._written_at = now
        return True

    def _write(self, phase: str, counts: dict, point: dict | None = None, **fields) -> None:
        """One read-modify-write of the row: the phase's counts, a learning-curve point,
        ``fields``, the heartbeat. Only this worker writes these columns while it runs."""
        job = FineTuneJob.objects.get(pk=self.job_id)
        now = timezone.now()
        job.phases = phases_advance(job.phases, phase, at=now.isoformat(), **counts)
        if point is not None:
            job.history = [*job.history, point]
        for name, value in fields.items():
            setattr(job, name, value)
        job.heartbeat_at = now
        changed = ["phases", "heartbeat_at", *fields, *(["history"] if point else [])]
        job.save(update_fields=changed)

    def log(self, line: str) -> None:
        FineTuneJob.objects.filter(pk=self.job_id).update(
            log=Concat(F("log"), Value(log_line(line))), heartbeat_at=timezone.now()
        )

    def is_cancelled(self) -> bool:
        now = time.monotonic()
        if not self._cancelled and now - self._checked_at >= self.CANCEL_POLL_SECONDS:
            self._checked_at = now
            row = FineTuneJob.objects.filter(pk=self.job_id).values("cancel_requested").first()
            self._cancelled = bool(row and row["cancel_requested"])
            FineTuneJob.objects.filter(pk=self.job_id).update(heartbeat_at=timezone.now())
        return self._cancelled


def _finish(job_id, status: str, *, error: str = "", log: str = "") -> None:
    with transaction.atomic():
        job = FineTuneJob.objects.select_for_update().get(pk=job_id)
        if job.result_version_id:
            return  # published before the error: the job succeeded
        job.status, job.error, job.finished_at = status, error, timezone.now()
        job.log += log_line(log or error)
        job.save()
