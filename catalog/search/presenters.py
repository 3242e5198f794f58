"""What the search page shows besides the hits: labelled facets, highlights, and the
"no results with X; N without it" hints."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.http import QueryDict

from catalog.search import get_backend
from catalog.search.base import SearchPage, SearchQuery
from catalog.search.text import highlight
from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS

FACET_TITLES = {
    "task": "Task",
    "source_domain": "Source domain",
    "library": "Library",
    "license": "License",
    "language": "Language",
    "dataset": "Dataset",
    "base_model": "Derived from",
    "finetunable": "Fine-tunable here",
}
LABELS = {
    "task": TASKS,
    "source_domain": SOURCE_DOMAINS,
    "license": LICENSES,
    "finetunable": {"true": "Yes", "false": "No"},
}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    active: bool
    toggle_url: str


@dataclass
class Hint:
    facet: str
    value: str
    label: str
    count_without: int
    url: str


def facet_groups(page: SearchPage, query: SearchQuery, params: QueryDict) -> list[dict]:
    groups = []
    for facet, title in FACET_TITLES.items():
        active = set(query.filters.get(facet, ()))
        values = [
            FacetValue(
                value, _label(facet, value), count, value in active, _toggle(params, facet, value)
            )
            for value, count in page.facets.get(facet, [])
        ]
        for value in active - {v.value for v in values}:  # keep selected values visible at 0
            values.append(
                FacetValue(value, _label(facet, value), 0, True, _toggle(params, facet, value))
            )
        if values:
            groups.append({"key": facet, "title": title, "values": values})
    return groups


def no_result_hints(query: SearchQuery, params: QueryDict) -> list[Hint]:
    """For each active filter: how many results there would be without it."""
    hints = []
    backend = get_backend()
    for facet, values in query.filters.items():
        others = {key: vals for key, vals in query.filters.items() if key != facet}
        total = backend.search(
            replace(query, filters=others, limit=1, cursor=None, with_facets=False)
        ).total
        if total:
            label = ", ".join(_label(facet, value) for value in values)
            hints.append(Hint(facet, ",".join(values), label, total, _without(params, facet)))
    return hints


def highlights(models, text: str) -> dict[int, dict[str, str]]:
    return {
        m.pk: {"name": highlight(m.name, text), "summary": highlight(m.summary, text)}
        for m in models
    }


def _label(facet: str, value: str) -> str:
    return LABELS.get(facet, {}).get(value, value)


def _toggle(params: QueryDict, facet: str, value: str) -> str:
    updated = params.copy()
    updated.pop("cursor", None)
    current = [v for item in updated.getlist(facet) for v in item.split(",") if v]
    current = [v for v in current if v != value] if value in current else [*current, value]
    updated.setlist(facet, current)
    return "?" + updated.urlencode()


def _without(params: QueryDict, facet: str) -> str:
    updated = params.copy()
    updated.pop("cursor", None)
    updated.pop(facet, None)
    return "?" + updated.urlencode()
