"""The client for the configured server. Both clients take the same bodies; they differ in
their bulk helper and their not-found error, which `Engine` hides.

opensearch-py talks to OpenSearch-API servers (OpenSearch, osmem-server): the elasticsearch-py
8+ client sends a `compatible-with` media type and checks a product header that those servers
do not speak. Each client is imported only when its backend is selected."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

TIMEOUT_S = 30


@dataclass(frozen=True)
class Engine:
    client: Any  # opensearchpy.OpenSearch | elasticsearch.Elasticsearch
    bulk_helper: Callable[..., tuple[int, list]]
    not_found: type[Exception]

    def bulk(self, actions: Iterable[dict], **kwargs: Any) -> list[dict]:
        """Send actions; return the failures, ignoring deletes of documents already gone."""
        _, errors = self.bulk_helper(
            self.client, actions, raise_on_error=False, chunk_size=500, **kwargs
        )
        return [e for e in errors if e.get("delete", {}).get("status") != 404]

    def alias_targets(self, alias: str) -> list[str]:
        """Indices the alias points at; [] when there is no such alias."""
        try:
            return sorted(self.client.indices.get_alias(name=alias))
        except self.not_found:
            return []


def engine_connect(kind: str, url: str) -> Engine:
    if kind == "elasticsearch":
        return _elasticsearch(url)
    return _opensearch(url)


def _opensearch(url: str) -> Engine:
    from opensearchpy import NotFoundError, OpenSearch, helpers

    client = OpenSearch(hosts=[url], timeout=TIMEOUT_S, max_retries=2, retry_on_timeout=True)
    return Engine(client, helpers.bulk, NotFoundError)


def _elasticsearch(url: str) -> Engine:
    from elasticsearch import Elasticsearch, NotFoundError, helpers

    client = Elasticsearch(url, request_timeout=TIMEOUT_S, max_retries=2, retry_on_timeout=True)
    return Engine(client, helpers.bulk, NotFoundError)
