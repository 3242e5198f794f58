"""A SearchQuery as one search request, and the response as a SearchPage. The semantics are
the database backend's (catalog/search/database.py): every word must match somewhere, filters
within a facet are OR and across facets AND, each facet counts under every other filter, and
visibility is part of the query, so hits, total and facet counts never include private models
the user may not see."""

from __future__ import annotations

from typing import Any

from elasticsearch.dsl import A, Q, Search
from elasticsearch.dsl.query import Query

from catalog.cursors import cursor_decode, cursor_encode
from catalog.errors import InvalidInput
from catalog.search.base import FACETS, Hit, SearchPage, SearchQuery
from catalog.search.database import FACET_SIZE, FIELD, MULTI
from catalog.search.hub_filters import Group
from catalog.search.privacy import match_filters, match_groups
from catalog.search.text import tokens

FILTER_FIELDS = {**FIELD, **MULTI}  # filter key -> document field (arrays match any value)
SORT_FIELDS = {
    "relevance": "_score",
    "downloads": "downloads",
    "likes": "likes",
    "updated": "updated_at",
    "created": "created_at",
    "trending": "trending",
}
# Weights follow the database backend's: name first, then tags/task/domain/library, summary, card.
TEXT_FIELDS = [
    "name^4",
    "owner.text^2",
    "tags.text^2",
    "task_text^2",
    "source_domain_text^2",
    "library.text^2",
    "summary^1.5",
    "card",
]
PREFIX_FIELDS = [f for f in TEXT_FIELDS if not f.startswith("name")]  # names: name.prefix
# Dropped from a query that has other words, as PostgreSQL's english configuration does.
# fmt: off
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
    "to", "was", "will", "with",
})
# fmt: on


def search_body(query: SearchQuery) -> dict[str, Any]:
    words = query_words(query.text)
    sort = _sort_name(query.sort, words)
    search = Search().query(_matched(query, words)).source(False)
    facet_filters = _facet_filters(match_filters(query))
    if facet_filters:  # after the aggregations, so each facet can leave its own filter out
        search = search.post_filter(Q("bool", filter=list(facet_filters.values())))
    if query.with_facets:
        _add_facet_aggs(search, facet_filters)
    search = search.sort({SORT_FIELDS[sort]: {"order": "desc"}}, {"id": {"order": "desc"}})
    extra: dict[str, Any] = {"size": query.limit + 1, "track_total_hits": True}
    if words and sort != "relevance":
        extra["track_scores"] = True
    if query.cursor:
        extra["search_after"] = _cursor_values(query.cursor)
    return search.extra(**extra).to_dict()


def search_page(response: dict[str, Any], query: SearchQuery) -> SearchPage:
    rows = response["hits"]["hits"]
    shown = rows[: query.limit]
    next_cursor = cursor_encode(list(shown[-1]["sort"])) if len(rows) > query.limit else None
    return SearchPage(
        hits=[Hit(model_id=int(row["_id"]), score=float(row.get("_score") or 0)) for row in shown],
        total=int(response["hits"]["total"]["value"]),
        facets=_facet_counts(response.get("aggregations", {})) if query.with_facets else {},
        next_cursor=next_cursor,
    )


def query_words(text: str) -> list[str]:
    words = tokens(text)
    kept = [word for word in words if word not in STOP_WORDS]
    return kept or words


def _sort_name(sort: str, words: list[str]) -> str:
    sort = sort if sort in SORT_FIELDS else "relevance"
    if sort == "relevance" and not words:
        return "downloads"  # no words to rank by: most used first, as the database backend
    return sort


def _matched(query: SearchQuery, words: list[str]) -> Query:
    """Text, visibility, author and the filters that are not facets: what facets count in."""
    must = [_word_match(word) for word in words] or [Q("match_all")]
    filters = [] if query.see_everything else [_visible(query.visible_namespaces)]
    if query.author:
        filters.append(Q("term", owner=query.author))
    for key, values in match_filters(query).items():
        if key not in FACETS and key in FILTER_FIELDS and values:
            filters.append(_values_filter(key, values))
    filters += [_group_filter(group) for group in match_groups(query)]
    if query.num_parameters:
        raise InvalidInput(
            "num_parameters needs the database search backend (HUB_SEARCH_BACKEND=database); "
            "the search index holds no parameter counts."
        )
    return Q("bool", must=must, filter=filters)


def _group_filter(group: Group) -> Query:
    """A Hub `filter=` value: any of its alternatives (none: nothing matches)."""
    either = [_values_filter(key, (value,)) for key, value in group if key in FILTER_FIELDS]
    return Q("bool", should=either, minimum_should_match=1) if either else Q("match_none")


def _word_match(word: str) -> Query:
    """One query word must match some field: whole (typos allowed) or as a prefix."""
    return Q(
        "bool",
        should=[
            # prefix_length 1: typos rarely hit the first letter, and it bounds the expansion
            Q("multi_match", query=word, fields=TEXT_FIELDS, fuzziness="AUTO", prefix_length=1),
            Q("match", **{"name.prefix": {"query": word, "boost": 2}}),
            Q("multi_match", query=word, type="bool_prefix", fields=PREFIX_FIELDS),
        ],
        minimum_should_match=1,
    )


def _visible(namespaces: tuple[int, ...]) -> Query:
    public = Q("term", private=False)
    if not namespaces:
        return public
    return Q(
        "bool", should=[public, Q("terms", namespace_id=list(namespaces))], minimum_should_match=1
    )


def _facet_filters(filters: dict[str, tuple[str, ...]]) -> dict[str, Query]:
    return {
        key: _values_filter(key, values)
        for key, values in filters.items()
        if key in FACETS and key in FILTER_FIELDS and values
    }


def _values_filter(key: str, values: tuple[str, ...]) -> Query:
    wanted: list[Any] = list(values)
    if key == "finetunable":
        wanted = [str(v).lower() in {"1", "true", "yes"} for v in values]
    return Q("terms", **{FILTER_FIELDS[key]: wanted})


def _add_facet_aggs(search: Search, facet_filters: dict[str, Query]) -> None:
    for facet in FACETS:
        others = [q for key, q in facet_filters.items() if key != facet]
        scope = Q("bool", filter=others) if others else Q("match_all")
        terms = A("terms", field=FILTER_FIELDS[facet], size=FACET_SIZE)
        search.aggs.bucket(facet, A("filter", filter=scope)).bucket("values", terms)


def _facet_counts(aggregations: dict[str, Any]) -> dict[str, list[tuple[str, int]]]:
    counts: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        buckets = aggregations.get(facet, {}).get("values", {}).get("buckets", [])
        values = [(str(b.get("key_as_string", b["key"])), int(b["doc_count"])) for b in buckets]
        if facet in FIELD:
            values = [(value, n) for value, n in values if value != ""]  # as the database does
        counts[facet] = values
    return counts


def _cursor_values(cursor: str) -> list[float | int]:
    values = cursor_decode(cursor, 2)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        raise InvalidInput("The cursor does not match this sort; start again from the first page.")
    return values
