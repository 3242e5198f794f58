"""Celery tasks: thin wrappers that load ids and call services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(
    bind=True,
    acks_late=True,  # a worker that dies mid-job leaves the message for another worker
    reject_on_worker_lost=True,
    soft_time_limit=settings.HUB_FINETUNE_SOFT_TIME_LIMIT,
    time_limit=settings.HUB_FINETUNE_TIME_LIMIT,
    max_retries=None,
)
def finetune_run(self, job_id: str) -> None:
    from catalog.finetune.run import JobBusy, finetune_execute  # torch: worker only

    try:
        finetune_execute(job_id)
    except JobBusy as exc:
        raise self.retry(countdown=settings.HUB_FINETUNE_LEASE_SECONDS) from exc


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.HUB_FINETUNE_SOFT_TIME_LIMIT,
    time_limit=settings.HUB_FINETUNE_TIME_LIMIT,
    max_retries=None,
)
def evaluation_run(self, evaluation_id: str) -> None:
    from catalog.evaluation.run import EvaluationBusy, evaluation_execute  # torch: worker only

    try:
        evaluation_execute(evaluation_id)
    except EvaluationBusy as exc:
        raise self.retry(countdown=settings.HUB_FINETUNE_LEASE_SECONDS) from exc


@shared_task(acks_late=True)
def search_index_models(model_ids: list[int]) -> None:
    from catalog.search import get_backend

    get_backend().index_models(model_ids)


@shared_task
def trending_refresh() -> int:
    from catalog.services.downloads import trending_refresh as refresh

    return refresh()


@shared_task
def finetune_sweep() -> int:
    """Beat: re-enqueue jobs and evaluations stuck in queued (their message was lost to a
    broker outage)."""
    from catalog.evaluation.jobs import evaluations_requeue_stuck
    from catalog.services.sweeper import requeue_stuck_jobs

    older_than = settings.HUB_SWEEP_QUEUED_AFTER_SECONDS
    jobs = requeue_stuck_jobs(older_than=older_than)
    return len(jobs) + len(evaluations_requeue_stuck(older_than=older_than))


@shared_task
def lfs_staging_sweep() -> int:
    """Beat: delete LFS objects sent but never committed, once their user's staging folder
    has been idle for HUB_LFS_STAGING_SECONDS."""
    from catalog.services.lfs import lfs_staging_sweep as sweep

    return sweep()


@shared_task
def blobs_gc() -> int:
    """Beat: delete stored bytes nothing has referenced for HUB_BLOB_GC_GRACE_SECONDS."""
    from catalog.services.blob_gc import blobs_collect

    collected = blobs_collect(grace_seconds=settings.HUB_BLOB_GC_GRACE_SECONDS)
    return len(collected.blobs) + len(collected.orphans)
