"""Reads for datasets and fine-tune jobs: only their owner ever sees them."""

from __future__ import annotations

import re
import uuid

from django.utils import timezone

from catalog.errors import NotFound
from catalog.finetune.progress import ProgressView, progress_view
from catalog.models import Dataset, FineTuneJob
from catalog.selectors import AnyUser

DATASET_ID_RE = re.compile(r"[0-9]{1,18}")


def dataset_id_parse(raw: object) -> int | None:
    """A dataset id as a client sends it (JSON number or form text): ASCII digits only, so
    int() never meets "²" or a 5,000-digit number."""
    if isinstance(raw, bool) or not DATASET_ID_RE.fullmatch(str(raw)):
        return None
    return int(str(raw))


def dataset_get(*, user: AnyUser, dataset_id: int) -> Dataset:
    dataset = (
        Dataset.objects.filter(pk=dataset_id, owner_id=user.pk).first()
        if user.is_authenticated
        else None
    )
    if dataset is None:
        raise NotFound(f"Dataset {dataset_id} does not exist or is not yours.")
    return dataset


def job_get(*, user: AnyUser, job_id: str) -> FineTuneJob:
    try:
        key = uuid.UUID(str(job_id))
    except ValueError as exc:
        raise NotFound("No such fine-tune job.") from exc
    job = (
        FineTuneJob.objects.select_related(
            "base_version__model__namespace", "dataset", "result_version__model__namespace"
        )
        .filter(pk=key, owner_id=user.pk)
        .first()
        if user.is_authenticated
        else None
    )
    if job is None:
        raise NotFound("No such fine-tune job.")
    return job


def jobs_for_base(*, user: AnyUser, model) -> list[FineTuneJob]:
    if not user.is_authenticated:
        return []
    return list(
        FineTuneJob.objects.filter(owner_id=user.pk, base_version__model=model).select_related(
            "result_version__model__namespace"
        )[:10]
    )


def job_queue_position(job: FineTuneJob) -> int | None:
    """1 for the next job a worker takes (the queue is first come, first served)."""
    if job.status != FineTuneJob.Status.QUEUED:
        return None
    ahead = FineTuneJob.objects.filter(
        status=FineTuneJob.Status.QUEUED, created_at__lt=job.created_at
    ).count()
    return ahead + 1


def job_progress(job: FineTuneJob) -> ProgressView:
    params = job.params or {}
    # Head-only reads cached body outputs (text) and the image adapter always computes them
    # (its baseline needs them): the phases where "computing features" runs.
    features = job.adapter == "image-classification" or (
        params.get("strategy", "head-only") == "head-only" and params.get("cache_features", True)
    )
    steps = job.phases or []
    if not steps and job.status == FineTuneJob.Status.RUNNING and job.epochs:
        # A job that started before phases were recorded: its epoch counter is all we know.
        at = (job.started_at or job.created_at).isoformat()
        steps = [{"name": "training", "started": at, "done": job.epoch, "total": job.epochs}]
    return progress_view(
        status=job.status,
        steps=steps,
        strategy=params.get("strategy", "head-only"),
        features_expected=features,
        now=timezone.now(),
        queue_position=job_queue_position(job),
        finished=job.finished_at,
    )
