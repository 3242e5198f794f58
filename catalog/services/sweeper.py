"""Re-enqueue fine-tune jobs whose task message never reached (or left) the broker.

A job row is committed before its task is sent; if the broker is down at that moment the
submit still succeeds (the job shows as queued) and this sweeper, run periodically by Celery
beat or `manage.py sweep_jobs`, sends the task again once the broker is back. A job that is
merely waiting behind others may get a second message: harmless, since the worker's claim
(catalog.finetune.run) runs a job once and drops deliveries for finished jobs."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import F, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from catalog.finetune.jobs import finetune_enqueue
from catalog.models import FineTuneJob

logger = logging.getLogger(__name__)


def requeue_stuck_jobs(*, older_than: float, limit: int = 500) -> list[str]:
    """Send the task again for jobs queued (or last re-sent) more than `older_than` seconds
    ago; return their ids. Raises the broker's error if it is still down (nothing marked)."""
    cutoff = timezone.now() - timedelta(seconds=older_than)
    stuck = list(
        FineTuneJob.objects.filter(status=FineTuneJob.Status.QUEUED, cancel_requested=False)
        # heartbeat_at of a queued job = when it was last re-sent (the claim overwrites it).
        .annotate(sent_at=Coalesce("heartbeat_at", "created_at"))
        .filter(sent_at__lte=cutoff)
        .order_by("created_at")
        .only("pk", "params")[:limit]
    )
    requeued: list[str] = []
    for job in stuck:
        job_id = job.pk
        finetune_enqueue(job)  # a broker error stops the sweep: retried next run
        # Only a job still queued is marked; one claimed meanwhile keeps its heartbeat.
        FineTuneJob.objects.filter(pk=job_id, status=FineTuneJob.Status.QUEUED).update(
            heartbeat_at=timezone.now(),
            log=Concat(F("log"), Value("Task sent again by the sweeper (still queued).\n")),
        )
        requeued.append(str(job_id))
    if requeued:
        logger.info("re-enqueued %d queued fine-tune job(s): %s", len(requeued), requeued)
    return requeued
