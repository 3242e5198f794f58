"""Fixed-window rate limits and short-window de-duplication over Django's cache (Redis in
production, process memory by default)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest


def client_id(request: HttpRequest) -> str:
    """Signed-in users by id; anonymous clients by address and user agent."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
    address = forwarded or request.META.get("REMOTE_ADDR", "")
    agent = request.META.get("HTTP_USER_AGENT", "")
    return "a" + hashlib.sha256(f"{address}|{agent}".encode()).hexdigest()[:24]


def over_limit(key: str, *, limit: int, window: int) -> bool:
    """Count one hit for `key`; True once more than `limit` hits fall in the current window."""
    full_key = f"rl:{key}"
    if cache.add(full_key, 1, timeout=window):
        return limit < 1
    try:
        return cache.incr(full_key) > limit
    except ValueError:  # expired between add and incr
        cache.add(full_key, 1, timeout=window)
        return False


def first_in_window(key: str, *, window: int) -> bool:
    """True the first time `key` is seen within `window` seconds."""
    return cache.add(f"seen:{key}", 1, timeout=window)


def parse_rate(value: str) -> tuple[int, int]:
    """'10/300' -> (10 hits, 300 seconds)."""
    count, _, seconds = value.partition("/")
    return int(count), int(seconds or 60)


def upload_allowed(request: HttpRequest) -> bool:
    from django.conf import settings

    limit, window = parse_rate(settings.HUB_UPLOAD_RATE)
    return not over_limit(f"upload:{client_id(request)}", limit=limit, window=window)
