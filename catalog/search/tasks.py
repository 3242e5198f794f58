"""Search's own Celery task: the index follows writes (see indexing.py). Search depends on
the catalog, never the reverse: the services call `search_models_changed`, not this task."""

from __future__ import annotations

from celery import shared_task

from catalog.search.backend import get_backend


# The name messages queued before the task moved here still carry.
@shared_task(name="catalog.tasks.search_index_models", acks_late=True)
def search_index_models(model_ids: list[int]) -> None:
    get_backend().index_models(model_ids)
