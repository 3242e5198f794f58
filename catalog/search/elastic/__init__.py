"""The OpenSearch / Elasticsearch backend: one document per model in an index reached through
an alias (HUB_SEARCH_INDEX), so `rebuild` can fill a fresh index and swap it in atomically.
Only imported when HUB_SEARCH_BACKEND names an engine."""

from __future__ import annotations

import logging
import time
from itertools import islice

from django.conf import settings
from django.utils import timezone

from catalog.models import Model
from catalog.search.base import SearchBackend, SearchPage, SearchQuery
from catalog.search.elastic.engine import Engine, engine_connect
from catalog.search.elastic.mapping import index_body, model_document
from catalog.search.elastic.query import search_body, search_page
from catalog.search.privacy import facets_shown

logger = logging.getLogger(__name__)
BATCH = 500


class SearchIndexError(RuntimeError):
    """The engine refused documents (the first failures are in the message)."""


class ElasticBackend(SearchBackend):
    name = "elastic"

    def __init__(self) -> None:
        self.name = settings.HUB_SEARCH_BACKEND  # "opensearch" | "elasticsearch"
        self.alias = settings.HUB_SEARCH_INDEX.lower()
        self.engine: Engine = engine_connect(settings.HUB_SEARCH_BACKEND, settings.HUB_SEARCH_URL)

    def search(self, query: SearchQuery) -> SearchPage:
        try:
            response = self.engine.client.search(index=self.alias, body=search_body(query))
        except self.engine.not_found:
            logger.error("search index %s is missing: run `manage.py reindex`", self.alias)
            return SearchPage(hits=[], total=0, facets={})
        return facets_shown(search_page(response, query), query)

    def index_models(self, model_ids: list[int]) -> None:
        ids = sorted(set(model_ids))
        if not ids:
            return
        self._ensure_index()
        rows = Model.objects.filter(pk__in=ids).select_related("namespace")
        found = {row.pk: row for row in rows}
        actions = [_index_action(self.alias, row) for row in found.values()]
        actions += [_delete_action(self.alias, pk) for pk in ids if pk not in found]
        # wait_for: the person who just saved sees the change on their next search
        self._bulk(actions, refresh="wait_for")

    def rebuild(self) -> int:
        """Fill a new index, then point the alias at it and drop the old one(s)."""
        started = timezone.now()
        target = f"{self.alias}-{time.time_ns()}"
        indices = self.engine.client.indices
        indices.create(index=target, body=index_body(target))
        try:
            count = self._fill(target)
            indices.refresh(index=target)
            self._point_alias(target)
        except BaseException:
            indices.delete(index=target)
            raise
        # Edits made while the new index filled went to the old one: replay them.
        changed = Model.objects.filter(updated_at__gte=started).values_list("pk", flat=True)
        self.index_models(list(changed))
        return count

    def _fill(self, target: str) -> int:
        rows = Model.objects.select_related("namespace").order_by("pk").iterator(chunk_size=BATCH)
        count = 0
        while batch := list(islice(rows, BATCH)):
            self._bulk([_index_action(target, row) for row in batch])
            count += len(batch)
        return count

    def _point_alias(self, target: str) -> None:
        indices = self.engine.client.indices
        old = self.engine.alias_targets(self.alias)
        if not old and indices.exists(index=self.alias):
            indices.delete(index=self.alias)  # a plain index by that name (made by hand)
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": target, "alias": self.alias}})
        indices.update_aliases(body={"actions": actions})
        for name in old:
            indices.delete(index=name)

    def _ensure_index(self) -> None:
        """First write on an empty server: create the index with its mapping, not a guessed one."""
        if self.engine.client.indices.exists(index=self.alias):
            return
        target = f"{self.alias}-{time.time_ns()}"
        body = index_body(target)
        body["aliases"] = {self.alias: {}}
        self.engine.client.indices.create(index=target, body=body)

    def _bulk(self, actions, **kwargs) -> None:
        errors = self.engine.bulk(actions, **kwargs)
        if errors:
            raise SearchIndexError(f"{len(errors)} documents failed, e.g. {errors[:3]}")


def _index_action(index: str, model: Model) -> dict:
    return {"_op_type": "index", "_index": index, "_id": model.pk, "_source": model_document(model)}


def _delete_action(index: str, pk: int) -> dict:
    return {"_op_type": "delete", "_index": index, "_id": pk}
