"""The configured search backend: one interface (base.py), two implementations chosen by
HUB_SEARCH_BACKEND, loaded by dotted path so an unused engine's client is never imported."""

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
def backend_load(name: str) -> SearchBackend:
    return import_string(BACKENDS[name])()


def get_backend() -> SearchBackend:
    return backend_load(settings.HUB_SEARCH_BACKEND)
