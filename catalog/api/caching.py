"""HTTP caching of responses for a pinned revision (a 40-hex sha or `vN`): such a version
never changes, so caches may keep its answer for a year and revalidate with an ETag.

Only an anonymous answer about a public model is `public`: an authenticated one may show
private lineage, so shared caches must not keep it (`private`). The ETag is a hash of the
body, so a 304 is exact even for the model-level fields (downloads, likes, aliases)."""

from __future__ import annotations

import hashlib
import json
import re

from django.utils.cache import patch_vary_headers
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.naming import REVISION_RE, VERSION_NUMBER_RE

ONE_YEAR = 31_536_000
_TAG_RE = re.compile(r'(?:W/)?"([^"]*)"')


def is_pinned(revision: str) -> bool:
    return bool(REVISION_RE.match(revision) or VERSION_NUMBER_RE.match(revision))


def body_etag(data: object) -> str:
    """A strong ETag for a JSON body (stable key order, so equal data -> equal tag)."""
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
    return f'"{hashlib.sha256(raw).hexdigest()[:32]}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.strip('"').removeprefix("W/").strip('"')
    return wanted in _TAG_RE.findall(if_none_match)


def immutable_etag_response(
    request: Request,
    response: Response,
    *,
    etag: str | None = None,
    public: bool,
    max_age: int = ONE_YEAR,
) -> Response:
    """Add ETag and cache headers to `response` (DRF, not yet rendered); a matching
    If-None-Match turns it into a bodiless 304 with the same headers. `immutable` only for a
    full year: shorter lifetimes are for answers that embed counters."""
    etag = etag or body_etag(response.data)
    shared = public and not _personal(request)
    if etag_matches(request.headers.get("If-None-Match"), etag):
        response = Response(status=304)
    response["ETag"] = etag
    response["Cache-Control"] = f"{'public' if shared else 'private'}, max-age={max_age}" + (
        ", immutable" if max_age >= ONE_YEAR else ""
    )
    patch_vary_headers(response, ["Authorization", "Cookie"])
    return response


def _personal(request: Request) -> bool:
    user = getattr(request, "user", None)
    return bool(request.headers.get("Authorization")) or bool(user and user.is_authenticated)
