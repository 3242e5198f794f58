"""Lineage reads in a fixed number of queries: a model's versions link to their parents
(`Version.parent`), in the same model or across models (forks, fine-tunes, uploads naming a
base). Walking those links one `.parent` at a time cost a few queries per ancestor; here one
recursive query (`WITH RECURSIVE`, on PostgreSQL and SQLite alike) finds every ancestor, and
one more fetches them with only what links and privacy checks need: never an ancestor's card,
message or metadata. What the viewer may see of them is decided in `catalog/ancestry.py`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT

from catalog.models import Model, Version

LINEAGE_LIMIT = 20  # links followed above any one version

# `chain`: the version itself and the links above it, whatever model they are in.
# `walk`: the model's ready versions and, above them, the versions of other models they
# derive from (the model's own versions are all anchors, so the walk never re-enters them).
# UNION (not UNION ALL) in `walk` drops a row met twice at the same depth, so versions that
# share a base do not multiply the rows; the depth caps both walks.
_TREE_SQL = """
WITH RECURSIVE
chain(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM {table} WHERE id = %s
    UNION ALL
    SELECT v.id, v.parent_id, chain.depth + 1
    FROM {table} v JOIN chain ON v.id = chain.parent_id
    WHERE chain.depth < %s
),
walk(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM {table} WHERE model_id = %s AND status = %s
    UNION
    SELECT v.id, v.parent_id, walk.depth + 1
    FROM {table} v JOIN walk ON v.id = walk.parent_id
    WHERE walk.depth < %s AND NOT (v.model_id = %s AND v.status = %s)
)
SELECT id FROM chain UNION SELECT id FROM walk WHERE depth > 0
"""
# What a link needs: the version's number and revision, its model's name and namespace, and
# whether the model is private (`Sight.sees`).
_LINK_FIELDS = (
    "number",
    "revision",
    "parent_id",
    "status",
    "model",
    "model__name",
    "model__private",
    "model__namespace",
    "model__namespace__name",
)


@dataclass(frozen=True)
class VersionTree:
    """Versions above one model's versions, by id, each with its model and namespace."""

    model_id: int
    known: dict[int, Version] = field(default_factory=dict)

    def parent(self, version: Version) -> Version | None:
        return self.known.get(version.parent_id) if version.parent_id else None

    def chain(self, version: Version, limit: int = LINEAGE_LIMIT) -> list[Version]:
        """The ancestors of `version`, parent first, as far as they were fetched."""
        chain: list[Version] = []
        current = self.parent(version)
        while current is not None and len(chain) < limit:
            chain.append(current)
            current = self.parent(current)
        return chain

    def ancestors(self) -> list[Version]:
        """Every fetched version of another model."""
        return [version for version in self.known.values() if version.model_id != self.model_id]

    def link(self, versions: list[Version]) -> None:
        """Learn these versions, and give each its parent from the tree, so that reading
        `.parent` costs no query (a parent beyond the tree is still read lazily)."""
        for version in versions:
            self.known.setdefault(version.pk, version)
        for version in versions:
            parent = self.parent(version)
            if parent is not None:
                version.parent = parent


def version_tree(
    *, model: Model, version: Version | None = None, limit: int = LINEAGE_LIMIT
) -> VersionTree:
    """In one query: the `limit` links above `version` (any model), and up to `limit` links of
    other models above each of `model`'s ready versions."""
    ready = Version.Status.READY
    table = Version._meta.db_table
    params = [version.pk if version else None, limit, model.pk, ready, limit, model.pk, ready]
    rows = Version.objects.filter(pk__in=RawSQL(_TREE_SQL.format(table=table), params))
    if version is not None:
        rows = rows.exclude(pk=version.pk)  # the caller holds it, whole
    tree = VersionTree(model.pk)
    tree.link(list(rows.select_related("model__namespace").only(*_LINK_FIELDS).order_by()))
    return tree


def version_bases(model: Model) -> list[tuple[str | None, str | None, str | None]]:
    """The distinct (base_model, peft_base, peft_base_revision) that the metadata of the
    model's ready versions names: strings that may name a private model."""
    rows = (
        model.versions.filter(status=Version.Status.READY)
        .values_list(
            KT("metadata__base_model"),
            KT("metadata__format__peft_base"),
            KT("metadata__format__peft_base_revision"),
        )
        .order_by()
        .distinct()
    )
    return [row for row in rows if any(row)]
