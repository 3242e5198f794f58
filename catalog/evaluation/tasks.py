"""The evaluation worker's Celery task: a thin wrapper around ``run.evaluation_execute``."""

from __future__ import annotations

from celery import shared_task

from catalog.finetune.leases import LEASED_TASK_OPTIONS, leased_run


@shared_task(
    name="catalog.tasks.evaluation_run",  # the name messages queued before the move carry
    **LEASED_TASK_OPTIONS,
)
def evaluation_run(self, evaluation_id: str) -> None:
    # The run imports torch (inference): web processes that only enqueue never load it.
    from catalog.evaluation.run import evaluation_execute

    leased_run(self, evaluation_execute, evaluation_id)
