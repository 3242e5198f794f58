"""Reads for datasets and fine-tune jobs: only their owner ever sees them."""

from __future__ import annotations

import re
import uuid

from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from adapters.base import HyperParams
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


def row_key(raw: object, *, missing: str) -> uuid.UUID:
    """A job's or an evaluation's id from a URL or a body; anything else is NotFound(missing),
    as an id that names no row."""
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise NotFound(missing) from exc


def job_get(*, user: AnyUser, job_id: str) -> FineTuneJob:
    key = row_key(job_id, missing="No such fine-tune job.")
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
    """1 for the next job a worker takes (the queue is first come, first served). Lists
    annotate ``queue_ahead`` (``jobs_queue_annotate``), so a page of them is one query."""
    if job.status != FineTuneJob.Status.QUEUED:
        return None
    ahead = getattr(job, "queue_ahead", None)
    if ahead is None:
        ahead = _queued_before(job.created_at).count()
    return ahead + 1


def jobs_queue_annotate(jobs: QuerySet[FineTuneJob]) -> QuerySet[FineTuneJob]:
    """Each queued job with the number of queued jobs ahead of it, in the same SELECT."""
    ahead = (
        _queued_before(OuterRef("created_at"))
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queued = When(status=FineTuneJob.Status.QUEUED, then=Coalesce(Subquery(ahead), 0))
    return jobs.annotate(queue_ahead=Case(queued, default=None, output_field=IntegerField()))


def _queued_before(created_at) -> QuerySet[FineTuneJob]:
    return FineTuneJob.objects.filter(status=FineTuneJob.Status.QUEUED, created_at__lt=created_at)


def job_progress(job: FineTuneJob) -> ProgressView:
    params = _hyper_params(job)
    steps = job.phases or []
    if not steps and job.status == FineTuneJob.Status.RUNNING and job.epochs:
        # A job that started before phases were recorded: its epoch counter is all we know.
        at = (job.started_at or job.created_at).isoformat()
        steps = [{"name": "training", "started": at, "done": job.epoch, "total": job.epochs}]
    return progress_view(
        status=job.status,
        steps=steps,
        strategy=params.strategy,
        # The image adapter always computes the body's outputs (its baseline needs them);
        # text does when the params cache them.
        features_expected=job.adapter == "image-classification" or params.caches_features,
        now=timezone.now(),
        queue_position=job_queue_position(job),
        finished=job.finished_at,
    )


def _hyper_params(job: FineTuneJob) -> HyperParams:
    """The job's parameters as the worker reads them; a row from an older schema (a key
    since removed) falls back to the defaults of its strategy."""
    params = job.params or {}
    try:
        return HyperParams.from_dict(params)
    except (TypeError, ValueError):
        return HyperParams.from_dict({"strategy": str(params.get("strategy", "head-only"))})
