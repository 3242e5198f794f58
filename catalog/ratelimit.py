"""Rate limits, log-in back-off and short-window de-duplication over Django's cache (Redis in
production, process memory by default), all keyed by one client identity."""

from __future__ import annotations

import hashlib
import ipaddress
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address a request came from. X-Forwarded-For is whatever the sender wrote, so it
    counts only behind the hub's own proxy (HUB_BEHIND_PROXY), and then only its right-most
    entry: the address that proxy saw and appended. Headers such as User-Agent never count."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.HUB_BEHIND_PROXY:
        appended = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        address = appended or address
    return address_group(address)


def address_group(address: str) -> str:
    """One key per client: an IPv6 host usually holds a whole /64, so it is keyed by that."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return "unknown"  # not an address: every such request shares one budget
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_id(request: HttpRequest, *, user=None) -> str:
    """Who is asking: a signed-in user by id (the session's, or `user` when a token named
    one), anyone else by address."""
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return "a" + _digest(client_address(request))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


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


UPLOADS_LIMITED = "Too many uploads; wait a while and try again."


def upload_allowed(request: HttpRequest, *, user=None) -> bool:
    limit, window = parse_rate(settings.HUB_UPLOAD_RATE)
    return not over_limit(f"upload:{client_id(request, user=user)}", limit=limit, window=window)


# --- Exponential back-off: after `threshold` failures, each further one locks for twice as long.


@dataclass(frozen=True)
class Backoff:
    threshold: int
    base: int
    cap: int

    def lock_seconds(self, failures: int) -> int:
        if failures < self.threshold:
            return 0
        return min(self.base * 2 ** min(failures - self.threshold, 32), self.cap)


def backoff_wait(key: str, rule: Backoff) -> int:
    """Seconds until `key` may try again (0: now)."""
    state = cache.get_many([f"bo:{key}:n", f"bo:{key}:at"])
    failures, last = state.get(f"bo:{key}:n", 0), state.get(f"bo:{key}:at", 0.0)
    return max(0, int(last + rule.lock_seconds(failures) - time.time() + 0.999))


def backoff_failure(key: str, rule: Backoff) -> None:
    """Record one failure. Counts are atomic increments, so parallel guesses all count; they
    are forgotten after twice the longest lock without a failure."""
    keep = 2 * rule.cap
    if not cache.add(f"bo:{key}:n", 1, timeout=keep):
        try:
            cache.incr(f"bo:{key}:n")
        except ValueError:  # expired between add and incr
            cache.add(f"bo:{key}:n", 1, timeout=keep)
        cache.touch(f"bo:{key}:n", keep)
    cache.set(f"bo:{key}:at", time.time(), timeout=keep)


def backoff_clear(key: str) -> None:
    cache.delete_many([f"bo:{key}:n", f"bo:{key}:at"])


# --- Log-in guessing, limited per username (one account) and per client (password spraying).


def login_rules() -> tuple[Backoff, Backoff]:
    base, cap = settings.HUB_LOGIN_LOCK_SECONDS, settings.HUB_LOGIN_LOCK_MAX_SECONDS
    return (
        Backoff(settings.HUB_LOGIN_USER_FAILURES, base, cap),
        Backoff(settings.HUB_LOGIN_CLIENT_FAILURES, base, cap),
    )


def _login_keys(request: HttpRequest, username: str) -> tuple[str, str]:
    name = unicodedata.normalize("NFKC", username).strip().casefold()[:150]
    return f"login-user:{_digest(name)}", f"login-client:{_digest(client_address(request))}"


def login_wait(request: HttpRequest, username: str) -> int:
    """Seconds before this client may try to log in as `username` again (0: now)."""
    keys, rules = _login_keys(request, username), login_rules()
    return max(backoff_wait(key, rule) for key, rule in zip(keys, rules, strict=True))


def login_failed(request: HttpRequest, username: str) -> None:
    for key, rule in zip(_login_keys(request, username), login_rules(), strict=True):
        backoff_failure(key, rule)


def login_succeeded(request: HttpRequest, username: str) -> None:
    """The account's count starts again; the client's does not, or one account of one's own
    would reset a spray across everyone else's."""
    backoff_clear(_login_keys(request, username)[0])
