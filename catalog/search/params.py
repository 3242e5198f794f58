"""One reading of search parameters for the page and the API, so both show the same results.

Accepts the hub's own names (task, library, source_domain, license, language, dataset,
base_model, finetunable, tag) and the Hugging Face Hub's (search, author, filter,
pipeline_tag, gated, num_parameters, sort=lastModified|createdAt|trending_score ...).
`limit` is the Hub's: any number of models, served PAGE_MAX at a time with a `Link` to the
next page (the client follows it and stops at `limit`)."""

from __future__ import annotations

from collections.abc import Mapping

from catalog.errors import InvalidInput
from catalog.permissions import visible_namespace_ids
from catalog.search.base import FACETS, SORTS, SearchQuery
from catalog.search.hub_filters import NOTHING, Group, parameter_range, tag_group
from catalog.search.privacy import filters_hidden_bases
from catalog.selectors import AnyUser, Sight

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
PAGE_MAX = 100  # models per page, whatever `limit` asks
LIMIT_MAX = 1_000_000_000
FILTER_KEYS = (*FACETS, "tag")
TRUE, FALSE = {"1", "true", "yes"}, {"0", "false", "no"}
# Hub filters that name services this hub does not run: refused rather than ignored.
UNSUPPORTED = {
    "apps": "local apps (ollama, vllm ...)",
    "inference": "inference providers",
    "inference_provider": "inference providers",
}


def search_query(
    params: Mapping, user: AnyUser, *, default_limit: int = 30, with_facets: bool = True
) -> SearchQuery:
    _refuse_unsupported(params)
    filters: dict[str, list[str]] = {key: _list(params, key) for key in FILTER_KEYS}
    if _clean(params.get("pipeline_tag") or ""):
        filters["task"].append(_clean(params.get("pipeline_tag")))
    chosen = {key: tuple(dict.fromkeys(values)) for key, values in filters.items() if values}
    groups = _tag_groups(params)
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
        hidden_bases=filters_hidden_bases(chosen, sight, groups),
        tag_groups=groups,
        num_parameters=_num_parameters(params),
    )


def _list(params: Mapping, key: str) -> list[str]:
    getter = getattr(params, "getlist", None)
    values = getter(key) if getter else ([params[key]] if key in params else [])
    return [_clean(v) for value in values for v in str(value).split(",") if _clean(v)]


def _clean(value: str) -> str:
    """Without NUL characters (no database stores them; they can only come from a bad link)."""
    return str(value).replace("\x00", "").strip()


def _tag_groups(params: Mapping) -> tuple[Group, ...]:
    """One group per `filter=` value (each must match, as on the Hub), and `gated=true`
    as a group nothing matches: no model here is gated."""
    groups = [tag_group(value) for value in dict.fromkeys(_list(params, "filter"))]
    gated = _clean(params.get("gated") or "").lower()
    if gated and gated not in TRUE | FALSE:
        raise InvalidInput("gated must be true or false.")
    if gated in TRUE:
        groups.append(NOTHING)
    return tuple(groups)


def _num_parameters(params: Mapping) -> tuple[int, int | None] | None:
    text = _clean(params.get("num_parameters") or "")
    return parameter_range(text) if text else None


def _refuse_unsupported(params: Mapping) -> None:
    for key, what in UNSUPPORTED.items():
        if _clean(params.get(key) or ""):
            raise InvalidInput(
                f"The {key} filter is not supported: this hub runs no {what}. "
                f"Leave {key} out to list every model."
            )


def _sort(value: str) -> str:
    sort = SORT_ALIASES.get(value, value)
    if sort not in SORTS:
        raise InvalidInput(f"Unknown sort {value!r}; use one of: {', '.join(SORTS)}.")
    return sort


def _limit(raw, default: int) -> int:
    """The page size: `limit`, at most PAGE_MAX (the rest follows on the next pages)."""
    if raw in (None, ""):
        return default
    text = str(raw)  # ASCII digits only: int() refuses "²" and 5,000-digit numbers
    if (
        not (text.isascii() and text.isdigit() and len(text) <= len(str(LIMIT_MAX)))
        or not 1 <= int(text) <= LIMIT_MAX
    ):
        raise InvalidInput(f"limit must be a whole number from 1 to {LIMIT_MAX}.")
    return min(int(text), PAGE_MAX)


def _visible_namespaces(user: AnyUser) -> tuple[int, ...]:
    return tuple(visible_namespace_ids(user))
