"""Search names no private model to those who may not see it (see catalog/ancestry.py).

A public derivative's `base_model` (or a `base_model:` tag) may name its private base. So a
filter on that name matches nothing, exactly as a name of no model would, and facet values
that name it are left out; `params.search_query` finds such filter values once per query.
Spelling fixes come only from the names of models the user may see (`spelling.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from catalog.ancestry import tag_base
from catalog.search.base import SearchPage, SearchQuery
from catalog.search.hub_filters import Group
from catalog.selectors import Sight, names_hidden

# A filter value no model has: names are validated and tags stored stripped of spaces.
NEVER = " "


def query_sight(query: SearchQuery) -> Sight:
    return Sight(everything=query.see_everything, namespaces=frozenset(query.visible_namespaces))


def filters_hidden_bases(
    filters: dict[str, tuple[str, ...]], sight: Sight, groups: Iterable[Group] = ()
) -> frozenset[str]:
    """The base_model filter values (and `base_model:` tag values) naming hidden models,
    in the facet filters and in the Hub `filter=` groups."""
    pairs = [(key, value) for key in ("base_model", "tag") for value in filters.get(key, ())]
    pairs += [pair for group in groups for pair in group]
    names = [_named(key, value) or "" for key, value in pairs]
    return names_hidden(names, sight=sight)


def match_filters(query: SearchQuery) -> dict[str, tuple[str, ...]]:
    """`query.filters` as backends apply them: hidden bases replaced by NEVER."""
    if not query.hidden_bases:
        return query.filters
    return {
        key: tuple(_shown(key, value, query) for value in values)
        for key, values in query.filters.items()
    }


def match_groups(query: SearchQuery) -> tuple[Group, ...]:
    """`query.tag_groups` as backends apply them: hidden bases replaced by NEVER."""
    if not query.hidden_bases:
        return query.tag_groups
    return tuple(
        tuple((key, _shown(key, value, query)) for key, value in group)
        for group in query.tag_groups
    )


def _named(key: str, value: str) -> str | None:
    """The model a filter value names, if it names one."""
    return value if key == "base_model" else tag_base(value) if key == "tag" else None


def _shown(key: str, value: str, query: SearchQuery) -> str:
    name = _named(key, value)
    return NEVER if name is not None and name.strip().lower() in query.hidden_bases else value


def facets_shown(page: SearchPage, query: SearchQuery) -> SearchPage:
    """The page without base_model facet values that name models the user may not see."""
    values = page.facets.get("base_model")
    if not values:
        return page
    hidden = names_hidden([value for value, _ in values], sight=query_sight(query))
    if not hidden:
        return page
    shown = [(value, count) for value, count in values if value.lower() not in hidden]
    return replace(page, facets={**page.facets, "base_model": shown})
