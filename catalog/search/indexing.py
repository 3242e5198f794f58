"""How writes reach the search index: services call `search_models_changed` inside their
transaction (an explicit call, not a model signal, so bulk updates are not missed)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from catalog.search.tasks import search_index_models


def search_models_changed(model_ids: list[int]) -> None:
    """Call inside the write's transaction: the index follows once it commits."""
    if settings.HUB_SEARCH_BACKEND == "database":
        return  # triggers already updated the text index in the same transaction
    ids = sorted(set(model_ids))
    transaction.on_commit(lambda: search_index_models.delay(ids))
