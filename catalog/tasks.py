"""Celery beat's maintenance tasks: thin wrappers that call services. The workers' tasks live
with their domain (catalog/finetune/tasks.py, catalog/evaluation/tasks.py,
catalog/search/tasks.py); hub/celery.py discovers them all."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from catalog.evaluation.jobs import evaluations_requeue_stuck
from catalog.services.blob_gc import blobs_collect
from catalog.services.downloads import trending_refresh as downloads_trending_refresh
from catalog.services.lfs import lfs_staging_sweep as lfs_sweep
from catalog.services.sweeper import requeue_stuck_jobs


@shared_task
def trending_refresh() -> int:
    return downloads_trending_refresh()


@shared_task
def finetune_sweep() -> int:
    """Beat: re-enqueue jobs and evaluations stuck in queued (their message was lost to a
    broker outage)."""
    older_than = settings.HUB_SWEEP_QUEUED_AFTER_SECONDS
    jobs = requeue_stuck_jobs(older_than=older_than)
    return len(jobs) + len(evaluations_requeue_stuck(older_than=older_than))


@shared_task
def lfs_staging_sweep() -> int:
    """Beat: delete LFS objects sent but never committed, once their user's staging folder
    has been idle for HUB_LFS_STAGING_SECONDS."""
    return lfs_sweep()


@shared_task
def blobs_gc() -> int:
    """Beat: delete stored bytes nothing has referenced for HUB_BLOB_GC_GRACE_SECONDS."""
    collected = blobs_collect(grace_seconds=settings.HUB_BLOB_GC_GRACE_SECONDS)
    return len(collected.blobs) + len(collected.orphans)
