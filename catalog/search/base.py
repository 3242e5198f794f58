"""The search interface. Both backends (database, OpenSearch/Elasticsearch) take the same
query and return the same shape, so the page and the API show the same results whichever runs.

Visibility is part of the query: a backend must only ever count or return models the user
may see (public ones, plus private ones in `SearchQuery.visible_namespaces`), and must name
no private model the user may not see, as a base in filters, facets or spelling fixes
(`privacy.py`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

# Facet keys, in display order. Multi-valued facets (language, dataset) match any value.
FACETS = (
    "task",
    "library",
    "source_domain",
    "license",
    "language",
    "dataset",
    "base_model",
    "finetunable",
)
SORTS = ("relevance", "downloads", "likes", "updated", "created", "trending")


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet -> allowed values
    author: str = ""
    sort: str = "relevance"
    limit: int = 30
    cursor: str | None = None  # opaque; from SearchPage.next_cursor
    visible_namespaces: tuple[int, ...] = ()  # namespace ids whose private models the user sees
    see_everything: bool = False  # superusers
    with_facets: bool = True
    # Lower-cased base_model filter values naming private models the user may not see: they
    # match nothing, as a name of no model would (backends filter by `match_filters`).
    hidden_bases: frozenset[str] = frozenset()
    # The Hub's `filter=` values (hub_filters.py): a model must match one alternative
    # (facet key or "tag", value) of every group; an empty group matches nothing.
    tag_groups: tuple[tuple[tuple[str, str], ...], ...] = ()
    # Latest ready version's parameter count within [low, high] (high None: no upper bound).
    num_parameters: tuple[int, int | None] | None = None

    @property
    def filtered(self) -> bool:
        """Whether anything besides the words narrows the results."""
        return bool(self.filters or self.tag_groups or self.num_parameters)


@dataclass
class Hit:
    model_id: int
    score: float = 0.0
    highlights: dict[str, str] = field(default_factory=dict)  # field -> HTML with <mark>


@dataclass
class SearchPage:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    next_cursor: str | None = None
    # Over very large result sets a backend may estimate rather than count (shown as "about").
    total_is_estimate: bool = False
    facets_are_estimates: bool = False
    corrected_text: str = ""  # set when the words found nothing and a spelling fix did


class SearchBackend(ABC):
    name: str

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchPage: ...

    @abstractmethod
    def index_models(self, model_ids: list[int]) -> None:
        """(Re)index these models; ids that no longer exist are removed."""

    @abstractmethod
    def rebuild(self) -> int:
        """Rebuild the whole index; return the number of models indexed."""
