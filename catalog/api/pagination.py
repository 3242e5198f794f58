"""Keyset (cursor) pagination with a `Link: <...>; rel="next"` header, as the Hugging Face Hub
does. A cursor names the last row seen, so pages stay correct while models are being added."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from rest_framework.request import Request

from catalog.cursors import after_q, cursor_decode, cursor_encode, row_value
from catalog.errors import InvalidInput

MAX_LIMIT = 1000
DEFAULT_LIMIT = 50


def page_limit(request: Request) -> int:
    raw = request.query_params.get("limit", "")
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput(f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(raw)


def keyset_page(queryset: QuerySet, request: Request, limit: int) -> tuple[list[Model], str | None]:
    """Return one page of rows and the absolute URL of the next page (or None)."""
    ordering = list(queryset.query.order_by)
    cursor = request.query_params.get("cursor")
    if cursor:
        queryset = queryset.filter(after_q(ordering, cursor_decode(cursor, len(ordering))))
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    params = request.query_params.copy()
    params["cursor"] = cursor_encode([row_value(rows[-1], field) for field in ordering])
    return rows, request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def link_header(next_url: str | None) -> dict[str, str]:
    return {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
