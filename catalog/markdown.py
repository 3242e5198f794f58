"""Model cards: Markdown rendered to HTML, then sanitised with an allowlist (nh3), so no
script, event handler, style or javascript: link survives whatever the card contains.

The parser is markdown-it-py (CommonMark plus GFM tables and strikethrough), which is linear
in the input where Python-Markdown was quadratic on runs of `[`. Its nesting is capped, and a
CPU budget is checked as it parses: a card that needs more is shown as plain text. Rendered
cards are cached by content, so page views of the same card pay for it once."""

from __future__ import annotations

import contextlib
import hashlib
import time

import nh3
from django.core.cache import cache
from django.utils.html import escape
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock, table
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

from catalog.services.cards import FRONT_MATTER_RE

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "span": {"class"},
    "div": {"class"},
    "th": {"align", "style"},
    "td": {"align", "style"},
    "ol": {"start"},
}
# markdown-it aligns table cells with style="text-align: ..."; nothing else may pass.
ALLOWED_STYLES = {"text-align"}
MAX_NESTING = 20  # blockquotes, lists and inline brackets deeper than this stay text
# One table is parsed in one step, so its size is capped: wider ones stay text, longer ones
# end at the cap and their remaining rows read as text.
MAX_TABLE_COLUMNS = 256
MAX_TABLE_CELLS = 20_000
RENDER_CPU_SECONDS = 1.0  # CPU one render may spend before the card falls back to text
CACHE_SECONDS = 24 * 3600
CACHE_VERSION = 1  # bump when the rendering changes


class RenderBudgetExceeded(Exception):
    """The card took more CPU than its budget."""


def _over_budget(env: dict) -> None:
    if time.thread_time() > env["deadline"]:
        raise RenderBudgetExceeded


def _block_budget(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    _over_budget(state.env)
    return False  # never matches: only looks at the clock before each block


def _inline_budget(state: StateInline, silent: bool) -> bool:
    _over_budget(state.env)
    return False


def _inline_tokens(state: StateCore) -> None:
    """The core "inline" step, looking at the clock between blocks (table cells included)."""
    for token in state.tokens:
        if token.type == "inline":
            _over_budget(state.env)
            token.children = token.children or []
            state.md.inline.parse(token.content, state.md, state.env, token.children)


def _table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if start + 1 >= end:
        return False
    delimiter_row = state.src[state.bMarks[start + 1] : state.eMarks[start + 1]]
    columns = delimiter_row.count("|") + 1
    if columns > MAX_TABLE_COLUMNS:
        return False
    return table(state, start, min(end, start + 2 + MAX_TABLE_CELLS // columns), silent)


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    parser.block.ruler.at("table", _table, {"alt": ["paragraph", "reference"]})
    parser.enable(["table", "strikethrough"])
    parser.block.ruler.before("table", "budget", _block_budget)
    parser.inline.ruler.after("text", "budget", _inline_budget)  # at each markup character
    parser.core.ruler.at("inline", _inline_tokens)
    return parser


PARSER = _parser()


def card_render(text: str, *, budget: float = RENDER_CPU_SECONDS) -> str:
    """Sanitised HTML of a card; plain text when parsing needs more than `budget` CPU seconds."""
    body = FRONT_MATTER_RE.sub("", text or "", count=1)
    try:
        html = PARSER.render(body, {"deadline": time.thread_time() + budget})
    except RenderBudgetExceeded:
        return f'<pre class="card-raw">{escape(body)}</pre>'
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        filter_style_properties=ALLOWED_STYLES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


def card_cache_key(text: str) -> str:
    digest = hashlib.sha256((text or "").encode("utf-8", "surrogatepass")).hexdigest()
    return f"card-html:{CACHE_VERSION}:{digest}"


def card_to_html(text: str) -> str:
    """`card_render`, cached by the card's content."""
    key = card_cache_key(text)
    try:
        html = cache.get(key)
    except Exception:  # a cache outage costs a (bounded) render, not the page
        return card_render(text)
    if html is None:
        html = card_render(text)
        with contextlib.suppress(Exception):
            cache.set(key, html, CACHE_SECONDS)
    return html
