"""Keyset (cursor) pagination with a `Link: <...>; rel="next"` header, as the Hugging Face Hub
does. A cursor names the last row seen, so pages stay correct while models are being added."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from django.db.models import Model, Q, QuerySet
from rest_framework.request import Request

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
        queryset = queryset.filter(_after_q(ordering, _decode(cursor, len(ordering))))
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    params = request.query_params.copy()
    params["cursor"] = _encode([_value(rows[-1], field) for field in ordering])
    return rows, request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def link_header(next_url: str | None) -> dict[str, str]:
    return {"Link": f'<{next_url}>; rel="next"'} if next_url else {}


def _after_q(ordering: list[str], values: list[Any]) -> Q:
    """Rows strictly after `values` in the given ordering: (a > x) or (a = x and b > y) ..."""
    result = Q()
    for index, field in enumerate(ordering):
        name = field.lstrip("-")
        op = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[index]})
        for prev_field, prev_value in zip(ordering[:index], values[:index], strict=True):
            step &= Q(**{prev_field.lstrip("-"): prev_value})
        result |= step
    return result


def _value(row: Model, field: str) -> Any:
    value: Any = row
    for part in field.lstrip("-").split("__"):
        value = getattr(value, part)
    return value.isoformat() if isinstance(value, datetime) else value


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(cursor: str, expected: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as exc:
        raise InvalidInput("The cursor is malformed; start again from the first page.") from exc
    if not isinstance(values, list) or len(values) != expected:
        raise InvalidInput("The cursor does not match this sort; start again from the first page.")
    return values
