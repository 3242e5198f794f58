"""Keyset pages for the Hub's list routes the client walks with `Link: rel="next"` (commits,
likers, liked repos). The cursor is sealed (catalog.cursors), so it reveals no row ids."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from catalog.api.pagination import next_link
from catalog.cursors import after_q, cursor_decode, cursor_encode, cursor_values_check
from catalog.errors import InvalidInput

PAGE_DEFAULT = 50
PAGE_MAX = 1000
# What keyset_page reads from the query, for the schema.
PAGED = [
    OpenApiParameter(
        "limit", int, description=f"Page size (default {PAGE_DEFAULT}, at most {PAGE_MAX})."
    ),
    OpenApiParameter("cursor", str, description='From the `Link: <...>; rel="next"` header.'),
]


def keyset_page(
    request: Request,
    rows: QuerySet,
    *,
    ordering: list[str],
    kinds: list[str],
    default: int | None = None,
) -> tuple[list, dict[str, str]]:
    """One page of `rows` in `ordering` (unique), after the request's `cursor`; and the
    `Link` header of the next page, if there is one."""
    limit = _limit(request.query_params.get("limit"), default or PAGE_DEFAULT)
    cursor = request.query_params.get("cursor")
    if cursor:
        values = cursor_decode(cursor, len(ordering))
        cursor_values_check(values, kinds)
        rows = rows.filter(after_q(ordering, values))
    page = list(rows.order_by(*ordering)[: limit + 1])
    if len(page) <= limit:
        return page, {}
    page = page[:limit]
    return page, next_link(request, cursor_encode([_value(page[-1], f) for f in ordering]))


def _limit(raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= PAGE_MAX:
        raise InvalidInput(f"limit must be a whole number from 1 to {PAGE_MAX}.")
    return int(raw)


def _value(row: object, field: str):
    value = getattr(row, field.lstrip("-"))
    return value.isoformat() if isinstance(value, datetime) else value
