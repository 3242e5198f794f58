"""Re-enqueue fine-tune jobs whose task message never reached (or left) the broker.

A job row is committed before its task is sent; if the broker is down at that moment the
submit still succeeds (the job shows as queued) and this sweeper, run periodically by Celery
beat or `manage.py sweep_jobs`, sends the task again once the broker is back. A job that is
merely waiting behind others may get a second message: harmless, since the worker's claim
(catalog.finetune.run) runs a job once and drops deliveries for finished jobs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from catalog.finetune.jobs import finetune_enqueue
from catalog.models import FineTuneJob

logger = logging.getLogger(__name__)


def requeue_stuck_jobs(*, older_than: float, limit: int = 500) -> list[str]:
    """Send the task again for jobs queued (or last re-sent) more than `older_than` seconds
    ago; return their ids. Raises the broker's error if it is still down (nothing marked)."""
    queued = FineTuneJob.objects.filter(status=FineTuneJob.Status.QUEUED, cancel_requested=False)
    requeued = requeue_stuck(
        queued.only("pk", "params"),
        finetune_enqueue,
        older_than=older_than,
        limit=limit,
        log=Concat(F("log"), Value("Task sent again by the sweeper (still queued).\n")),
    )
    if requeued:
        logger.info("re-enqueued %d queued fine-tune job(s): %s", len(requeued), requeued)
    return requeued


def requeue_stuck(
    queued: QuerySet, enqueue: Callable, *, older_than: float, limit: int, **mark: object
) -> list[str]:
    """Enqueue again the rows of `queued` (fine-tune jobs, evaluations) sent more than
    `older_than` seconds ago, oldest first; mark each still queued as sent now (plus `mark`)."""
    cutoff = timezone.now() - timedelta(seconds=older_than)
    stuck = list(
        # heartbeat_at of a queued row = when it was last re-sent (the claim overwrites it).
        queued.annotate(sent_at=Coalesce("heartbeat_at", "created_at"))
        .filter(sent_at__lte=cutoff)
        .order_by("created_at")[:limit]
    )
    for row in stuck:
        enqueue(row)  # a broker error stops the sweep: retried next run
        # Only a row still queued is marked; one claimed meanwhile keeps its heartbeat.
        type(row).objects.filter(pk=row.pk, status="queued").update(
            heartbeat_at=timezone.now(), **mark
        )
    return [str(row.pk) for row in stuck]
