"""Search: one interface (base.py), two backends chosen by HUB_SEARCH_BACKEND (backend.py);
the index follows writes through `search_models_changed` (indexing.py) and search's own
task (tasks.py). Nothing here imports the services or catalog.tasks: the catalog depends on
search, never the reverse."""

from __future__ import annotations

from catalog.search.backend import get_backend
from catalog.search.indexing import search_models_changed

__all__ = ["get_backend", "search_models_changed"]
