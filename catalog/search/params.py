"""One reading of search parameters for the page and the API, so both show the same results.

Accepts the hub's own names (task, library, source_domain, license, language, dataset,
base_model, finetunable, tag) and the Hugging Face Hub's (search, author, filter,
pipeline_tag, sort=lastModified|createdAt|trending_score ...)."""

from __future__ import annotations

from collections.abc import Mapping

from catalog.errors import InvalidInput
from catalog.permissions import visible_namespace_ids
from catalog.search.base import FACETS, SORTS, SearchQuery
from catalog.search.privacy import filters_hidden_bases
from catalog.selectors import AnyUser, Sight
from catalog.vocab import LIBRARIES, LICENSES, SOURCE_DOMAINS, TASKS

SORT_ALIASES = {
    "lastModified": "updated",
    "last_modified": "updated",
    "createdAt": "created",
    "created_at": "created",
    "trending_score": "trending",
    "trendingScore": "trending",
    "downloads": "downloads",
    "likes": "likes",
    "": "relevance",
}
MAX_LIMIT = 100
FILTER_KEYS = (*FACETS, "tag")


def search_query(
    params: Mapping, user: AnyUser, *, default_limit: int = 30, with_facets: bool = True
) -> SearchQuery:
    filters: dict[str, list[str]] = {key: _list(params, key) for key in FILTER_KEYS}
    if _clean(params.get("pipeline_tag") or ""):
        filters["task"].append(_clean(params.get("pipeline_tag")))
    for value in _list(params, "filter"):
        key, item = _classify_filter(value)
        filters[key].append(item)
    chosen = {key: tuple(dict.fromkeys(values)) for key, values in filters.items() if values}
    namespaces = _visible_namespaces(user)
    everything = bool(getattr(user, "is_superuser", False))
    sight = Sight(everything=everything, namespaces=frozenset(namespaces))
    return SearchQuery(
        text=_clean(params.get("search") or params.get("q") or "")[:200],
        filters=chosen,
        author=_clean(params.get("author") or ""),
        sort=_sort(params.get("sort") or ""),
        limit=_limit(params.get("limit"), default_limit),
        cursor=params.get("cursor") or None,
        visible_namespaces=namespaces,
        see_everything=everything,
        with_facets=with_facets,
        hidden_bases=filters_hidden_bases(chosen, sight),
    )


def _list(params: Mapping, key: str) -> list[str]:
    getter = getattr(params, "getlist", None)
    values = getter(key) if getter else ([params[key]] if key in params else [])
    return [_clean(v) for value in values for v in str(value).split(",") if _clean(v)]


def _clean(value: str) -> str:
    """Without NUL characters (no database stores them; they can only come from a bad link)."""
    return str(value).replace("\x00", "").strip()


def _classify_filter(value: str) -> tuple[str, str]:
    """HF-style `filter=` values: `license:mit`, `dataset:x`, a task, a library or a tag."""
    prefix, _, rest = value.partition(":")
    if rest and prefix in {
        "license",
        "dataset",
        "base_model",
        "language",
        "task",
        "library",
        "source_domain",
    }:
        return prefix, rest
    if value in TASKS:
        return "task", value
    if value in LIBRARIES:
        return "library", value
    if value in SOURCE_DOMAINS:
        return "source_domain", value
    if value in LICENSES and value not in {"other", "unknown"}:
        return "license", value
    return "tag", value


def _sort(value: str) -> str:
    sort = SORT_ALIASES.get(value, value)
    if sort not in SORTS:
        raise InvalidInput(f"Unknown sort {value!r}; use one of: {', '.join(SORTS)}.")
    return sort


def _limit(raw, default: int) -> int:
    if raw in (None, ""):
        return default
    text = str(raw)  # ASCII digits only: int() refuses "²" and 5,000-digit numbers
    if (
        not (text.isascii() and text.isdigit() and len(text) <= 3)
        or not 1 <= int(text) <= MAX_LIMIT
    ):
        raise InvalidInput(f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(raw)


def _visible_namespaces(user: AnyUser) -> tuple[int, ...]:
    return tuple(visible_namespace_ids(user))
