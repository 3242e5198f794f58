"""Search on PostgreSQL over the narrow `catalog_search` tables (migration 0004).

Per search, at most three statements:
1. On a big catalog (over HUB_SEARCH_EXACT_LIMIT models), one over a sample table (one
   model in 16, or in 128 past ~130k models) says how many models the words, owner and
   visibility match. If that is over the limit, the total and the facet counts are the
   sample's, scaled and marked as estimates (as search engines do past a threshold), and
   the exact statement below is never run.
2. Otherwise one statement does it all: the matching rows are collected once (a materialised
   CTE), then hits, total and every facet (each counted under the other filters) come back
   as one JSON row.
3. With estimated counts, the hits come from their own statement on the sort's index. Large
   results sorted by relevance rank the RELEVANCE_CANDIDATES most-downloaded matches; paging
   past them goes on through the other matches by downloads.

Relevance is ts_rank_cd over name, tags and summary; a card mention matches but ranks 0.

When the words find nothing, each word that is not a known name word is replaced by the
closest of its trigram neighbours in `catalog_search_word` and the search runs once more.
That table counts every model's name words, so a neighbour is used only if a model the user
may see has it in its name (its count for the tie-break is those models', capped)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import connection

from catalog.cursors import cursor_decode, cursor_encode, cursor_values_check
from catalog.errors import InvalidInput
from catalog.search.base import FACETS, Hit, SearchPage, SearchQuery
from catalog.search.hub_filters import Group, models_with_parameters
from catalog.search.privacy import match_filters, match_groups
from catalog.search.spelling import MIN_WORD, closest, edit_distance, with_spelling_fallback
from catalog.search.text import pg_prefix_tsquery, tokens

# (one model in N, table), as migration 0004 keeps them; the first that keeps the sample
# under SAMPLE_ROWS rows is used, so estimates stay fine-grained on mid-size catalogs.
SAMPLES = ((16, "catalog_search_sample_16"), (128, "catalog_search_sample_128"))
SAMPLE_ROWS = 8192
FACET_SIZE = 20
RELEVANCE_CANDIDATES = 100
SPELLING_CANDIDATES = 40
SPELLING_COUNT_CAP = 100
ANONYMOUS = SearchQuery()  # sees public models only
AFTER_CANDIDATES = "then-downloads"  # cursor marker: relevance paging went past the candidates
SINGLE = ("task", "library", "source_domain", "license", "base_model", "finetunable")
MULTI = {"language": "languages", "dataset": "datasets"}
SORT_COLUMN = {
    "downloads": "downloads",
    "likes": "likes",
    "updated": "updated_at",
    "created": "created_at",
    "trending": "trending",
    "relevance": "score",
}
CURSOR_CAST = {"updated": "timestamptz", "created": "timestamptz", "relevance": "float8"}
CURSOR_KIND = {"timestamptz": "datetime", "float8": "number", "bigint": "int"}
TSQUERY = "to_tsquery('english', %s)"


@dataclass
class Sql:
    """A fragment of SQL with its positional parameters."""

    text: str = "TRUE"
    params: list = field(default_factory=list)

    def and_(self, text: str, *params) -> Sql:
        return Sql(f"{self.text} AND {text}", [*self.params, *params])


@dataclass
class Plan:
    query: SearchQuery
    tsquery: str
    sort: str
    # False: test the words row by row while walking the sort's index, instead of letting
    # the planner intersect the text index (it underestimates multi-word matches).
    text_index: bool = True

    @property
    def ranked(self) -> bool:
        return self.sort == "relevance"


def search(query: SearchQuery) -> SearchPage:
    return with_spelling_fallback(query, _search_once, _words_match, correct_spelling)


def _words_match(query: SearchQuery) -> bool:
    query = replace(query, tag_groups=(), num_parameters=None)
    base = _base(Plan(query, pg_prefix_tsquery(query.text), "downloads"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM catalog_search WHERE {base.text})", base.params
        )
        return cursor.fetchone()[0]


def _search_once(query: SearchQuery) -> SearchPage:
    tsquery = pg_prefix_tsquery(query.text)
    sort = query.sort if query.sort in SORT_COLUMN else "relevance"
    if sort == "relevance" and not tsquery:
        sort = "downloads"  # no words to rank by: most used first, as hubs do
    plan = Plan(query, tsquery, sort)
    after_candidates = _continued(plan)
    if after_candidates:  # past the ranked candidates: the rest by downloads
        page = _search_planned(after_candidates)
        page.next_cursor = page.next_cursor and _continue_cursor(page.next_cursor)
        return page
    return _search_planned(plan)


def _search_planned(plan: Plan) -> SearchPage:
    limit = settings.HUB_SEARCH_EXACT_LIMIT
    size = catalog_size()
    if size > limit:
        rate, table = sample_for(size)
        sample = _run_counts(plan, table)
        sample.update(base=sample["base"] * rate, total=sample["total"] * rate, rate=rate)
        if sample["base"] > limit:
            return _estimated_page(plan, sample, limit)
    return _exact_page(plan)


# --- the statements ---------------------------------------------------------------------------


def _exact_page(plan: Plan) -> SearchPage:
    """Hits, total and facets over the whole (matching) catalog in one statement."""
    if not plan.query.with_facets:
        return _exact_page_without_facets(plan)
    hits = _hits_from_cte(plan)
    parts = [Sql(f"(SELECT count(*) FROM m WHERE {_filters_ok(plan)}) AS total")]
    parts.append(Sql(f"({hits.text}) AS hits", hits.params))
    parts += _facet_parts(plan)
    row = _fetch_json_row(_with_cte(plan, "catalog_search", parts))
    hits, next_cursor = _hits(plan, row["hits"] or [])
    return SearchPage(hits=hits, total=row["total"], facets=_facets(row), next_cursor=next_cursor)


def _exact_page_without_facets(plan: Plan) -> SearchPage:
    """Hits on the sort's index and an exact count: no rows collected for facets."""
    hits, count = _hits_statement(plan, candidates=False), _count_statement(plan)
    row = _fetch_json_row(
        Sql(
            f"SELECT (SELECT json_agg(json_build_array(model_id, score, k) "
            f"  ORDER BY k DESC, model_id DESC) FROM ({hits.text}) AS x (model_id, score, k)"
            f") AS hits, ({count.text}) AS total",
            [*hits.params, *count.params],
        )
    )
    hits, next_cursor = _hits(plan, row["hits"] or [])
    return SearchPage(hits=hits, total=row["total"], next_cursor=next_cursor)


def _estimated_page(plan: Plan, sample: dict, limit: int) -> SearchPage:
    total = sample["total"]  # already scaled by the sample's rate
    estimated = True
    if total <= limit:  # the filters narrow it down enough to count exactly
        total, estimated = _exact_total(plan), False
    # Walking the sort's index reads ~N * wanted / matches rows; the text index reads every
    # match. The sample's estimate tells which is fewer (the planner's is often far off).
    wanted = RELEVANCE_CANDIDATES if plan.ranked else plan.query.limit
    walk = sample["total"] * sample["total"]
    plan = replace(plan, text_index=walk < wanted * catalog_size())
    if plan.ranked:
        hits, next_cursor = _ranked_then_downloads(plan)
    else:
        hits, next_cursor = _hits(plan, _fetch_rows(_hits_statement(plan, candidates=True)))
    facets = {
        name: [(value, count * sample["rate"]) for value, count in values]
        for name, values in _facets(sample).items()
    }
    return SearchPage(
        hits=hits,
        total=total,
        facets=facets,
        next_cursor=next_cursor,
        total_is_estimate=estimated,
        facets_are_estimates=bool(facets),
    )


def _ranked_then_downloads(plan: Plan) -> tuple[list[Hit], str | None]:
    """A page of the ranked candidates; where they run out, the page (and the paging) goes on
    with the other matches by downloads, from just after the last candidate."""
    rows = _fetch_rows(_hits_statement(plan, candidates=True))
    if len(rows) > plan.query.limit:
        return _hits(plan, rows)
    boundary = _last_candidate(plan)
    if boundary is None:  # fewer matches than candidates: all ranked, nothing more
        return _hits(plan, rows)
    room = plan.query.limit - len(rows)
    hits, _ = _hits(plan, rows)  # all of them: no more candidates to page to
    if room == 0:
        return hits, _continue_cursor(cursor_encode(list(boundary)))
    rest = replace(
        plan,
        sort="downloads",
        query=replace(plan.query, cursor=cursor_encode(list(boundary)), limit=room),
    )
    more, next_cursor = _hits(rest, _fetch_rows(_hits_statement(rest, candidates=True)))
    return hits + more, next_cursor and _continue_cursor(next_cursor)


def _last_candidate(plan: Plan) -> tuple[int, int] | None:
    """(downloads, model_id) of the last ranked candidate, if there are that many matches."""
    where = _where_all(plan)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT downloads, model_id FROM catalog_search WHERE {where.text} "
            f"ORDER BY downloads DESC, model_id DESC OFFSET {RELEVANCE_CANDIDATES - 1} LIMIT 1",
            where.params,
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def _continue_cursor(downloads_cursor: str) -> str:
    return cursor_encode([AFTER_CANDIDATES, *cursor_decode(downloads_cursor, 2)])


def _continued(plan: Plan) -> Plan | None:
    """The downloads-sorted plan a relevance cursor past the candidates stands for."""
    if not plan.ranked or not plan.query.cursor:
        return None
    try:
        marker, downloads, model_id = cursor_decode(plan.query.cursor, 3)
    except InvalidInput:
        return None
    if marker != AFTER_CANDIDATES:
        raise InvalidInput("The cursor does not match this sort; start again from the first page.")
    cursor_values_check([downloads, model_id], ["int", "int"])
    query = replace(plan.query, cursor=cursor_encode([downloads, model_id]))
    return replace(plan, query=query, sort="downloads")


def _run_counts(plan: Plan, table: str) -> dict:
    """Matching rows (`base`), rows passing the filters too (`total`), and facets."""
    parts = [Sql("(SELECT count(*) FROM m) AS base")]
    parts.append(Sql(f"(SELECT count(*) FROM m WHERE {_filters_ok(plan)}) AS total"))
    if plan.query.with_facets:
        parts += _facet_parts(plan)
    counts_only = replace(plan, sort="downloads")  # no ranking needed for counts
    return _fetch_json_row(_with_cte(counts_only, table, parts))


def _count_statement(plan: Plan) -> Sql:
    where = _where_all(plan)
    return Sql(f"SELECT count(*) FROM catalog_search WHERE {where.text}", where.params)


def _exact_total(plan: Plan) -> int:
    return _fetch_rows(_count_statement(plan))[0][0]


def _hits_statement(plan: Plan, *, candidates: bool) -> Sql:
    """The page of hits. Ranked with `candidates`: too many matches to rank them all, so
    rank the RELEVANCE_CANDIDATES most-downloaded ones (the planner walks the downloads
    index, or sorts a small bitmap-scanned set, whichever it expects to be cheaper)."""
    where = _where_all(plan)
    size = plan.query.limit + 1
    if not plan.ranked:
        column = SORT_COLUMN[plan.sort]
        cursor = _cursor_condition(plan, column)
        where = where.and_(cursor.text, *cursor.params)
        return Sql(
            f"SELECT model_id, 0.0::float8, {column} FROM catalog_search WHERE {where.text} "
            f"ORDER BY {column} DESC, model_id DESC LIMIT {size}",
            where.params,
        )
    cursor = _cursor_condition(plan, "score")
    top = (
        f"ORDER BY downloads DESC, model_id DESC LIMIT {RELEVANCE_CANDIDATES}" if candidates else ""
    )
    return Sql(
        f"SELECT model_id, score, score FROM ("
        f"  SELECT model_id, ts_rank_cd(search_vector, {TSQUERY}, 32)::float8 AS score FROM ("
        f"    SELECT model_id, search_vector FROM catalog_search WHERE {where.text} {top}) AS c"
        f") AS r WHERE {cursor.text} ORDER BY score DESC, model_id DESC LIMIT {size}",
        [plan.tsquery, *where.params, *cursor.params],
    )


# --- building blocks --------------------------------------------------------------------------


def _base(plan: Plan) -> Sql:
    """What is not a facet: visibility, owner, tags, words."""
    query = plan.query
    where = Sql()
    if not query.see_everything:
        where = where.and_(
            "(NOT private OR namespace_id = ANY(%s))", list(query.visible_namespaces)
        )
    if query.author:
        where = where.and_(
            "namespace_id = (SELECT id FROM catalog_namespace WHERE name = %s)", query.author
        )
    tags = match_filters(query).get("tag")
    if tags:
        where = where.and_("tags && %s::text[]", list(tags))
    for group in match_groups(query):
        either = _group_sql(group)
        where = where.and_(either.text, *either.params)
    if query.num_parameters:
        sql, params = models_with_parameters(*query.num_parameters).query.sql_with_params()
        where = where.and_(f"model_id IN ({sql})", *params)
    if plan.tsquery:
        match = f"search_vector @@ {TSQUERY}"
        where = where.and_(match if plan.text_index else f"({match}) IS TRUE", plan.tsquery)
    return where


def _active_filters(plan: Plan) -> dict[str, tuple[str, ...]]:
    filters = match_filters(plan.query)
    return {key: values for key, values in filters.items() if key in FACETS and values}


def _filter_sql(facet: str, values: tuple[str, ...]) -> Sql:
    if facet in MULTI:
        return Sql(f"{MULTI[facet]} && %s::text[]", [list(values)])
    if facet == "finetunable":
        return Sql("finetunable = ANY(%s)", [[_bool(v) for v in values]])
    return Sql(f"{facet} = ANY(%s)", [list(values)])


def _group_sql(group: Group) -> Sql:
    """A Hub `filter=` value: any of its alternatives (none: nothing matches)."""
    parts = [
        Sql("tags @> %s::text[]", [[value]]) if key == "tag" else _filter_sql(key, (value,))
        for key, value in group
    ]
    text = " OR ".join(part.text for part in parts) or "FALSE"
    return Sql(f"({text})", [param for part in parts for param in part.params])


def _where_all(plan: Plan) -> Sql:
    where = _base(plan)
    for facet, values in _active_filters(plan).items():
        condition = _filter_sql(facet, values)
        where = where.and_(condition.text, *condition.params)
    return where


def _with_cte(plan: Plan, table: str, parts: list[Sql]) -> Sql:
    """`WITH m AS (matching rows, one ok_<facet> flag per active filter) SELECT parts`."""
    columns = ["model_id", *SINGLE, *MULTI.values()]
    params: list = []
    for facet, values in _active_filters(plan).items():
        condition = _filter_sql(facet, values)
        columns.append(f"({condition.text}) AS ok_{facet}")
        params += condition.params
    if plan.ranked:
        columns.append(f"ts_rank_cd(search_vector, {TSQUERY}, 32)::float8 AS score")
        params.append(plan.tsquery)
    else:
        columns += ["0.0::float8 AS score", f"{SORT_COLUMN[plan.sort]} AS sort_value"]
    base = _base(plan)
    params += base.params
    for part in parts:
        params += part.params
    return Sql(
        f"WITH m AS MATERIALIZED (SELECT {', '.join(columns)} FROM {table} WHERE {base.text}) "
        f"SELECT {', '.join(part.text for part in parts)}",
        params,
    )


def _cte_sort_column(plan: Plan) -> str:
    return "score" if plan.ranked else "sort_value"


def _hits_from_cte(plan: Plan) -> Sql:
    column = _cte_sort_column(plan)
    cursor = _cursor_condition(plan, column)
    return Sql(
        "SELECT json_agg(json_build_array(model_id, score, k) ORDER BY k DESC, model_id DESC) "
        "FROM ("
        f"SELECT model_id, score, {column} AS k FROM m WHERE {_filters_ok(plan)} "
        f"AND {cursor.text} ORDER BY k DESC, model_id DESC LIMIT {plan.query.limit + 1}) AS h",
        cursor.params,
    )


def _filters_ok(plan: Plan, *, skip: str = "") -> str:
    flags = [f"ok_{facet}" for facet in _active_filters(plan) if facet != skip]
    return " AND ".join(flags) or "TRUE"


def _facet_parts(plan: Plan) -> list[Sql]:
    parts = []
    for facet in FACETS:
        ok = _filters_ok(plan, skip=facet)
        if facet in MULTI:
            source = f"m, unnest(m.{MULTI[facet]}) AS v WHERE {ok}"
        else:
            source = f"(SELECT {facet}::text AS v FROM m WHERE {ok}) AS f WHERE v <> ''"
        parts.append(
            Sql(
                "(SELECT json_agg(json_build_array(v, n) ORDER BY n DESC, v) "
                f"FROM (SELECT v, count(*) AS n FROM "
                f"{source} GROUP BY v ORDER BY n DESC, v LIMIT {FACET_SIZE}) AS g) "
                f"AS facet_{facet}"
            )
        )
    return parts


def _cursor_condition(plan: Plan, column: str) -> Sql:
    if not plan.query.cursor:
        return Sql()
    value, model_id = cursor_decode(plan.query.cursor, 2)
    cast = CURSOR_CAST.get(plan.sort, "bigint")
    cursor_values_check([value, model_id], [CURSOR_KIND[cast], "int"])
    return Sql(f"({column}, model_id) < (%s::{cast}, %s::bigint)", [value, model_id])


def _hits(plan: Plan, rows: list) -> tuple[list[Hit], str | None]:
    next_cursor = None
    if len(rows) > plan.query.limit:
        rows = rows[: plan.query.limit]
        model_id, _score, sort_value = rows[-1]
        next_cursor = cursor_encode([_plain(sort_value), model_id])
    return [Hit(model_id=row[0], score=float(row[1] or 0)) for row in rows], next_cursor


def _facets(row: dict) -> dict[str, list[tuple[str, int]]]:
    return {
        facet: [(str(value), int(count)) for value, count in row[f"facet_{facet}"] or []]
        for facet in FACETS
        if f"facet_{facet}" in row
    }


def _fetch_json_row(statement: Sql) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT row_to_json(r)::text FROM ({statement.text}) AS r", statement.params
        )
        return json.loads(cursor.fetchone()[0])


def _fetch_rows(statement: Sql) -> list:
    with connection.cursor() as cursor:
        cursor.execute(statement.text, statement.params)
        return [list(row) for row in cursor.fetchall()]


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _bool(value: str) -> bool:
    return str(value).lower() in {"1", "true", "yes"}


# --- catalog size and spelling ----------------------------------------------------------------

_size_cache: dict[str, float] = {}
SIZE_TTL_S = 30.0


def catalog_size() -> int:
    """The planner's row count of catalog_search (kept by autovacuum), cached briefly."""
    now = time.monotonic()
    if now - _size_cache.get("at", -SIZE_TTL_S) >= SIZE_TTL_S:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT greatest(reltuples, 0)::bigint FROM pg_class "
                "WHERE oid = 'catalog_search'::regclass"
            )
            _size_cache.update(at=now, size=cursor.fetchone()[0])
    return int(_size_cache["size"])


def sample_for(size: int) -> tuple[int, str]:
    """The sample table to estimate from on a catalog of `size` models, and its rate."""
    return next((s for s in SAMPLES if size / s[0] <= SAMPLE_ROWS), SAMPLES[-1])


def forget_catalog_size() -> None:
    _size_cache.clear()


def correct_spelling(text: str, query: SearchQuery = ANONYMOUS) -> str:
    """Each word that no name `query`'s user may see contains, replaced by the known name
    word closest to it (edit distance, transpositions included; ties go to the word more
    models use)."""
    words = tokens(text)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT q.word, c.word FROM unnest(%s::text[]) AS q(word) "
            "CROSS JOIN LATERAL (SELECT w.word FROM catalog_search_word w "
            "  WHERE w.models > 0 ORDER BY w.word <-> q.word LIMIT %s) AS c",
            [words, SPELLING_CANDIDATES],
        )
        near: dict[str, list[str]] = {}
        for word, candidate in cursor.fetchall():
            if len(word) >= MIN_WORD and edit_distance(word, candidate) <= max(1, len(word) // 3):
                near.setdefault(word, []).append(candidate)  # close enough to be a typo of it
    counts = _visible_name_counts(sorted({c for found in near.values() for c in found}), query)
    return " ".join(
        closest(word, [(c, counts[c]) for c in near.get(word, []) if counts.get(c)])
        for word in words
    )


def _visible_name_counts(words: list[str], query: SearchQuery) -> dict[str, int]:
    """How many models the user may see have each word in their owner or model name, up to
    SPELLING_COUNT_CAP: the text index narrows (names are its weight A), the name decides."""
    if not words:
        return {}
    visible, params = "TRUE", [words]
    if not query.see_everything:
        visible = "(NOT s.private OR s.namespace_id = ANY(%s))"
        params = [list(query.visible_namespaces), words]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.word, (SELECT count(*) FROM (SELECT 1 FROM catalog_search s "
            "  JOIN catalog_model m ON m.id = s.model_id "
            "  JOIN catalog_namespace n ON n.id = m.namespace_id "
            "  WHERE s.search_vector @@ to_tsquery('english', c.word || ':A') "
            f"  AND {visible} AND c.word IN (SELECT catalog_search_words(n.name, m.name)) "
            f"  LIMIT {SPELLING_COUNT_CAP}) AS x) FROM unnest(%s::text[]) AS c(word)",
            params,
        )
        return dict(cursor.fetchall())
