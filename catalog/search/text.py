"""Query-text helpers shared by the backends: tokenising, and <mark> highlights in Python so
that both backends highlight the same way."""

from __future__ import annotations

import re

from django.utils.html import escape

TOKEN_RE = re.compile(r"[A-Za-z0-9]+")
MAX_TOKENS = 8


def tokens(text: str) -> list[str]:
    return [token.lower() for token in TOKEN_RE.findall(text or "")][:MAX_TOKENS]


def pg_prefix_tsquery(text: str) -> str:
    """'bert base uncas' -> 'bert & base & uncas:*': the word being typed is a prefix, the
    others are whole words (tokens are alphanumeric, so nothing to escape)."""
    words = tokens(text)
    return " & ".join([*words[:-1], f"{words[-1]}:*"]) if words else ""


def fts5_prefix_query(text: str) -> str:
    return " AND ".join(f'"{token}"*' for token in tokens(text))


def highlight(value: str, text: str, *, limit: int = 240) -> str:
    """Escape `value` and wrap words starting with a query token in <mark>."""
    terms = tokens(text)
    value = value[:limit] + ("…" if len(value) > limit else "")
    if not terms:
        return escape(value)
    pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")", re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(value):
        end = match.end()
        while end < len(value) and value[end].isalnum():
            end += 1
        out += [
            escape(value[last : match.start()]),
            "<mark>",
            escape(value[match.start() : end]),
            "</mark>",
        ]
        last = end
    out.append(escape(value[last:]))
    return "".join(out)
