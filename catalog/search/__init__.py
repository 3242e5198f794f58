"""Search: one interface (base.py), two backends chosen by HUB_SEARCH_BACKEND."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from catalog.search.base import SearchBackend

BACKENDS = {
    "database": "catalog.search.database.DatabaseBackend",
    "opensearch": "catalog.search.elastic.ElasticBackend",
    "elasticsearch": "catalog.search.elastic.ElasticBackend",
}


@cache
def _backend(name: str) -> SearchBackend:
    return import_string(BACKENDS[name])()


def get_backend() -> SearchBackend:
    return _backend(settings.HUB_SEARCH_BACKEND)


def search_models_changed(model_ids: list[int]) -> None:
    """Call inside the write's transaction: the index follows once it commits."""
    from django.db import transaction

    if settings.HUB_SEARCH_BACKEND == "database":
        return  # triggers already updated the text index in the same transaction
    ids = sorted(set(model_ids))
    transaction.on_commit(lambda: _schedule(ids))


def _schedule(ids: list[int]) -> None:
    from catalog.tasks import search_index_models

    search_index_models.delay(ids)
