"""The fine-tune worker's Celery task: a thin wrapper around ``run.finetune_execute``
(torch and transformers load inside the adapters, only when a job trains)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from catalog.finetune.run import JobBusy, finetune_execute


@shared_task(
    name="catalog.tasks.finetune_run",  # the name messages queued before the move carry
    bind=True,
    acks_late=True,  # a worker that dies mid-job leaves the message for another worker
    reject_on_worker_lost=True,
    soft_time_limit=settings.HUB_FINETUNE_SOFT_TIME_LIMIT,
    time_limit=settings.HUB_FINETUNE_TIME_LIMIT,
    max_retries=None,
)
def finetune_run(self, job_id: str) -> None:
    try:
        finetune_execute(job_id)
    except JobBusy as exc:
        raise self.retry(countdown=settings.HUB_FINETUNE_LEASE_SECONDS) from exc
