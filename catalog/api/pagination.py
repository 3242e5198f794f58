"""The `Link: <...>; rel="next"` header of keyset-paged listings, as the Hugging Face Hub sends
it. The cursor itself comes from the search backends (`catalog.cursors`)."""

from __future__ import annotations

from django.http import HttpRequest


def next_link(request: HttpRequest, cursor: str | None) -> dict[str, str]:
    """The header naming the same listing from `cursor` on; none on the last page."""
    if not cursor:
        return {}
    params = request.GET.copy()
    params["cursor"] = cursor
    url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return {"Link": f'<{url}>; rel="next"'}
