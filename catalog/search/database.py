"""The default search backend: the database itself. On PostgreSQL, `postgres.py` (weighted
full-text search over narrow search tables, prefix matching, spelling correction, one
statement per search, estimates past HUB_SEARCH_EXACT_LIMIT). On SQLite, below: FTS5 with
prefix matching and bm25 ranking, through the ORM, exact counts, and the same spelling
correction (`spelling.py`) from the names of the most-downloaded models."""

from __future__ import annotations

from dataclasses import replace

from django.db import connection
from django.db.models import Count, F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from catalog.cursors import after_q, cursor_decode, cursor_encode, cursor_values_check
from catalog.models import Model
from catalog.search import postgres
from catalog.search.base import FACETS, Hit, SearchBackend, SearchPage, SearchQuery
from catalog.search.hub_filters import Group, models_with_parameters
from catalog.search.privacy import facets_shown, match_filters, match_groups
from catalog.search.spelling import correct_from, name_words, with_spelling_fallback
from catalog.search.text import fts5_prefix_query, tokens

FIELD = {
    "task": "task",
    "library": "library",
    "source_domain": "source_domain",
    "license": "license",
    "base_model": "base_model",
    "finetunable": "finetunable",
}
MULTI = {"language": "languages", "dataset": "datasets", "tag": "tags"}
SORT_ORDER = {
    "downloads": ("-downloads", "-id"),
    "likes": ("-likes", "-id"),
    "updated": ("-updated_at", "-id"),
    "created": ("-created_at", "-id"),
    "trending": ("-trending", "-id"),
    "relevance": ("-score", "-id"),
}
FACET_SIZE = 20
SPELLING_SOURCE_MODELS = 20_000
CURSOR_KIND = {"updated": "datetime", "created": "datetime", "relevance": "number"}


class DatabaseBackend(SearchBackend):
    name = "database"

    def search(self, query: SearchQuery) -> SearchPage:
        if connection.vendor == "postgresql":
            return facets_shown(postgres.search(query), query)
        page = with_spelling_fallback(query, self._search_orm, self._words_match, _correct)
        return facets_shown(page, query)

    def _words_match(self, query: SearchQuery) -> bool:
        unfiltered = replace(
            query,
            filters={},
            tag_groups=(),
            num_parameters=None,
            limit=1,
            cursor=None,
            with_facets=False,
        )
        return self._search_orm(unfiltered).total > 0

    def _search_orm(self, query: SearchQuery) -> SearchPage:
        visible = _visible(query)
        matched = _hub_filtered(self._text_match(visible, query.text), query)
        filtered = _apply_filters(matched, match_filters(query), query.author)
        sort = query.sort if query.sort in SORT_ORDER else "relevance"
        if sort == "relevance" and not tokens(query.text):
            sort = "downloads"  # no words to rank by: most used first, as hubs do
        ordering = SORT_ORDER[sort]
        rows_qs = filtered.order_by(*ordering)
        if query.cursor:
            values = cursor_decode(query.cursor, 2)
            cursor_values_check(values, [CURSOR_KIND.get(sort, "int"), "int"])
            rows_qs = rows_qs.filter(after_q(list(ordering), values))
        rows = list(
            rows_qs.values("id", "score", *[f.lstrip("-") for f in ordering[:1]])[: query.limit + 1]
        )
        next_cursor = None
        if len(rows) > query.limit:
            rows = rows[: query.limit]
            last = rows[-1]
            next_cursor = cursor_encode([_plain(last[ordering[0].lstrip("-")]), last["id"]])
        facets = self._facets(matched, query) if query.with_facets else {}
        return SearchPage(
            hits=[Hit(model_id=row["id"], score=float(row["score"] or 0)) for row in rows],
            total=filtered.count(),
            facets=facets,
            next_cursor=next_cursor,
        )

    def index_models(self, model_ids: list[int]) -> None:
        """Nothing to do: database triggers keep the text index current in the same commit."""

    def rebuild(self) -> int:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # refill the search tables from the models
                cursor.execute("SELECT catalog_search_refill()")
                cursor.execute("ANALYZE catalog_search")
            postgres.forget_catalog_size()
        elif connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("UPDATE catalog_model SET name = name")
        return Model.objects.count()

    def _text_match(self, queryset: QuerySet, text: str) -> QuerySet:
        if not tokens(text):
            return queryset.annotate(score=Value(0.0, output_field=FloatField()))
        if connection.vendor == "sqlite":
            return _sqlite_match(queryset, text)
        return queryset.filter(name__icontains=text).annotate(
            score=Value(0.0, output_field=FloatField())
        )

    def _facets(self, matched: QuerySet, query: SearchQuery) -> dict[str, list[tuple[str, int]]]:
        counts: dict[str, list[tuple[str, int]]] = {}
        filters = match_filters(query)
        for facet in FACETS:
            # Each facet counts under every other filter, so values within it can be combined.
            others = {key: value for key, value in filters.items() if key != facet}
            scope = _apply_filters(matched, others, query.author)
            counts[facet] = _facet_counts(scope, facet)
        return counts


def _correct(text: str, query: SearchQuery) -> str:
    """Spelling fix from the names of the most-downloaded models the user may see (SQLite
    catalogs are small)."""
    names = _visible(query).order_by("-downloads").values_list("namespace__name", "name")
    return correct_from(text, name_words(names[:SPELLING_SOURCE_MODELS]))


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _visible(query: SearchQuery) -> QuerySet:
    queryset = Model.objects.all()
    if not query.see_everything:
        queryset = queryset.filter(
            Q(private=False) | Q(namespace_id__in=list(query.visible_namespaces))
        )
    return queryset


def _sqlite_match(queryset: QuerySet, text: str) -> QuerySet:
    match = fts5_prefix_query(text)
    ids = RawSQL("SELECT rowid FROM catalog_model_fts WHERE catalog_model_fts MATCH %s", (match,))
    score = RawSQL(
        "(SELECT -bm25(catalog_model_fts, 10.0, 4.0, 2.0, 1.0) FROM catalog_model_fts "
        "WHERE catalog_model_fts MATCH %s AND rowid = catalog_model.id)",
        (match,),
        output_field=FloatField(),
    )
    return queryset.filter(id__in=ids).annotate(score=score)


def _apply_filters(queryset: QuerySet, filters: dict, author: str) -> QuerySet:
    if author:
        queryset = queryset.filter(namespace__name=author)
    for facet, values in filters.items():
        if not values:
            continue
        if facet in FIELD:
            wanted = [_bool(v) for v in values] if facet == "finetunable" else list(values)
            queryset = queryset.filter(**{f"{FIELD[facet]}__in": wanted})
        elif facet in MULTI:
            queryset = queryset.filter(_any_of(MULTI[facet], values))
    return queryset


def _hub_filtered(queryset: QuerySet, query: SearchQuery) -> QuerySet:
    """The Hub's `filter=` groups and `num_parameters` (not facets: every facet counts
    within them)."""
    for group in match_groups(query):
        queryset = queryset.filter(_group_q(group))
    if query.num_parameters:
        queryset = queryset.filter(id__in=models_with_parameters(*query.num_parameters))
    return queryset


def _group_q(group: Group) -> Q:
    """Any of the alternatives; none (an empty group) matches nothing."""
    either = Q(Value(False))  # compiles as SQL (an empty IN would not, in facet counts)
    for key, value in group:
        if key in FIELD:
            either |= Q(**{FIELD[key]: _bool(value) if key == "finetunable" else value})
        elif key in MULTI:
            either |= _any_of(MULTI[key], (value,))
    return either


def _bool(value: str) -> bool:
    return str(value).lower() in {"1", "true", "yes"}


def _any_of(column: str, values) -> Q:
    placeholders = ", ".join(["%s"] * len(values))
    ids = RawSQL(
        f"SELECT m.id FROM catalog_model m, json_each(m.{column}) j "
        f"WHERE j.value IN ({placeholders})",
        tuple(values),
    )
    return Q(id__in=ids)


def _facet_counts(scope: QuerySet, facet: str) -> list[tuple[str, int]]:
    if facet in FIELD:
        column = FIELD[facet]
        rows = (
            scope.order_by()
            .values(value=F(column))
            .annotate(n=Count("id"))
            .order_by("-n", "value")[:FACET_SIZE]
        )
        return [(_facet_value(row["value"]), row["n"]) for row in rows if row["value"] != ""]
    return _multi_counts(scope, MULTI[facet])


def _facet_value(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _multi_counts(scope: QuerySet, column: str) -> list[tuple[str, int]]:
    sql, params = scope.order_by().values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT j.value, COUNT(*) FROM catalog_model m, json_each(m.{column}) AS j "
            f"WHERE m.id IN ({sql}) GROUP BY j.value ORDER BY 2 DESC, 1 LIMIT {FACET_SIZE}",
            params,
        )
        return [(str(value), count) for value, count in cursor.fetchall()]
