"""Model info answers, kept in the cache and reused while the model's state is unchanged.

Building model info takes a handful of ORM queries (the model, its head, the lineage tree,
the files, the aliases) and most of its time is spent in the ORM, not in the database. A
read-mostly registry answers the same question many times, so the answer is cached under a
key made of everything it depends on, read in ONE plain SQL statement per request:

- the model's row (`updated_at` moves on every save and publish; the counters and the
  columns that `.update()` calls change are part of the key too);
- its ready versions (newest id and count) and its aliases (count and newest change);
- the viewer's sight (which private namespaces they see: lineage and card redaction depend
  on it), the revision asked for and the query string;
- a catalog-wide epoch, bumped when a model appears privately, changes visibility, moves or
  is deleted: those change what other models' answers may name (private ancestors, names in
  cards). Rare events, so a bump costs little.

Nothing is trusted beyond that: entries also expire after `INFO_CACHE_SECONDS`."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction

from catalog.models import Alias, Model, Namespace, Version
from catalog.selectors import Sight

INFO_CACHE_SECONDS = 300
EPOCH_KEY = "model-info:epoch"

_V, _A = Version._meta.db_table, Alias._meta.db_table
_M, _N = Model._meta.db_table, Namespace._meta.db_table
_STATE_SQL = f"""
SELECT m.id, m.private, m.namespace_id, m.updated_at, m.downloads, m.likes, m.trending,
       m.finetunable, m.base_model,
       (SELECT MAX(v.id) FROM {_V} v WHERE v.model_id = m.id AND v.status = %s),
       (SELECT COUNT(*) FROM {_V} v WHERE v.model_id = m.id AND v.status = %s),
       (SELECT MAX(a.updated_at) FROM {_A} a WHERE a.model_id = m.id),
       (SELECT COUNT(*) FROM {_A} a WHERE a.model_id = m.id)
FROM {_M} m JOIN {_N} n ON n.id = m.namespace_id
WHERE n.name = %s AND m.name = %s
"""


@dataclass(frozen=True)
class InfoSlot:
    """Where one viewer's answer about one model state lives; `private`: the model's."""

    key: str
    private: bool

    def get(self) -> dict | None:
        return cache.get(self.key)

    def put(self, data: dict) -> None:
        cache.set(self.key, data, INFO_CACHE_SECONDS)


def info_slot(*, owner: str, name: str, revision: str, query: str, sight: Sight) -> InfoSlot | None:
    """The slot for this request, or None when the model is missing or hidden from this
    viewer (the caller then takes the uncached path, which answers 404 or a redirect)."""
    ready = Version.Status.READY
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL, [ready, ready, owner, name])
        row = cursor.fetchone()
    if row is None:
        return None
    model_id, private, namespace_id = row[0], bool(row[1]), row[2]
    if private and not (sight.everything or namespace_id in sight.namespaces):
        return None
    viewer = "*" if sight.everything else ",".join(map(str, sorted(sight.namespaces)))
    state = "|".join(map(str, (*row, viewer, revision, query, cache.get(EPOCH_KEY, 0))))
    return InfoSlot(f"model-info:{model_id}:{hashlib.sha256(state.encode()).hexdigest()}", private)


def info_epoch_bump() -> None:
    """Every cached answer is stale (see the module's doc): now, and again when the
    transaction commits, since a request in between may cache what it read before."""
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    # A clock value, not a counter: an evicted counter restarting at 1 could meet old keys.
    cache.set(EPOCH_KEY, time.time_ns(), None)
