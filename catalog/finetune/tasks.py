"""The fine-tune worker's Celery task: a thin wrapper around ``run.finetune_execute``
(torch and transformers load inside the adapters, only when a job trains)."""

from __future__ import annotations

from celery import shared_task

from catalog.finetune.leases import LEASED_TASK_OPTIONS, leased_run
from catalog.finetune.run import finetune_execute


@shared_task(
    name="catalog.tasks.finetune_run",  # the name messages queued before the move carry
    **LEASED_TASK_OPTIONS,
)
def finetune_run(self, job_id: str) -> None:
    leased_run(self, finetune_execute, job_id)
