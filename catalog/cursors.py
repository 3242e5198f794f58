"""Keyset cursors: a cursor names the last row seen by its sort values, so pages stay correct
while rows are being added. Shared by the search backends."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from django.db.models import Q

from catalog.errors import InvalidInput


def after_q(ordering: list[str], values: list[Any]) -> Q:
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


def cursor_encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def cursor_values_check(values: list[Any], kinds: list[str]) -> None:
    """Cursors come from clients: each value must be of its sort's kind ("int", "number" or
    "datetime", an ISO string) before it reaches a query."""
    if not all(_of_kind(value, kind) for value, kind in zip(values, kinds, strict=True)):
        raise InvalidInput("The cursor does not match this sort; start again from the first page.")


def _of_kind(value: Any, kind: str) -> bool:
    if kind == "datetime":
        try:
            return isinstance(value, str) and bool(datetime.fromisoformat(value))
        except ValueError:
            return False
    numbers = (int,) if kind == "int" else (int, float)
    return isinstance(value, numbers) and not isinstance(value, bool) and abs(value) < 2**63


def cursor_decode(cursor: str, expected: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as exc:
        raise InvalidInput("The cursor is malformed; start again from the first page.") from exc
    if not isinstance(values, list) or len(values) != expected:
        raise InvalidInput("The cursor does not match this sort; start again from the first page.")
    return values
