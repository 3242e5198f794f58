"""The `Link: <...>; rel="next"` header of keyset-paged listings, as the Hugging Face Hub sends
it. The cursor itself comes from the search backends (`catalog.cursors`)."""

from __future__ import annotations


def link_header(next_url: str | None) -> dict[str, str]:
    return {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
