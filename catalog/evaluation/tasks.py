"""The evaluation worker's Celery task: a thin wrapper around ``run.evaluation_execute``."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(
    name="catalog.tasks.evaluation_run",  # the name messages queued before the move carry
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.HUB_FINETUNE_SOFT_TIME_LIMIT,
    time_limit=settings.HUB_FINETUNE_TIME_LIMIT,
    max_retries=None,
)
def evaluation_run(self, evaluation_id: str) -> None:
    # The run imports torch (inference): web processes that only enqueue never load it.
    from catalog.evaluation.run import EvaluationBusy, evaluation_execute

    try:
        evaluation_execute(evaluation_id)
    except EvaluationBusy as exc:
        raise self.retry(countdown=settings.HUB_FINETUNE_LEASE_SECONDS) from exc
