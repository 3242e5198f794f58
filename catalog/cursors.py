"""Keyset cursors: a cursor names the last row seen by its sort values, so pages stay correct
while rows are being added. Shared by the search backends.

Cursors are sealed: the values (which include a model's sequential primary key, and so would
tell how many models, private ones included, were created since) are encrypted with a
BLAKE2b keystream under a key derived from SECRET_KEY and authenticated (encrypt-then-MAC),
so clients can only hand them back."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
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


NONCE_BYTES, TAG_BYTES = 12, 16


def cursor_encode(values: list[Any]) -> str:
    plain = json.dumps(values, separators=(",", ":")).encode()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = nonce + _xor(plain, _keystream(nonce, len(plain)))
    return base64.urlsafe_b64encode(sealed + _tag(sealed)).decode().rstrip("=")


def _key(purpose: str) -> bytes:
    material = f"hub-cursor:{purpose}:{settings.SECRET_KEY}".encode()
    return hashlib.blake2b(material, digest_size=32).digest()


def _keystream(nonce: bytes, length: int) -> bytes:
    key, blocks = _key("encrypt"), []
    for counter in range(0, length, 64):
        block = nonce + counter.to_bytes(8, "big")
        blocks.append(hashlib.blake2b(block, key=key, digest_size=64).digest())
    return b"".join(blocks)[:length]


def _tag(sealed: bytes) -> bytes:
    return hashlib.blake2b(sealed, key=_key("mac"), digest_size=TAG_BYTES).digest()


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def _unseal(cursor: str) -> bytes:
    raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
    sealed, tag = raw[:-TAG_BYTES], raw[-TAG_BYTES:]
    if len(sealed) <= NONCE_BYTES or not hmac.compare_digest(tag, _tag(sealed)):
        raise ValueError("not a cursor this hub made")
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    return _xor(body, _keystream(nonce, len(body)))


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
        values = json.loads(_unseal(cursor))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("The cursor is malformed; start again from the first page.") from exc
    if not isinstance(values, list) or len(values) != expected:
        raise InvalidInput("The cursor does not match this sort; start again from the first page.")
    return values
