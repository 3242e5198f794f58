from __future__ import annotations

import re

from django import template
from django.utils.safestring import mark_safe

from catalog.finetune.charts import training_chart_svg
from catalog.markdown import card_to_html
from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS

register = template.Library()


@register.filter
def card_html(text: str) -> str:
    return mark_safe(card_to_html(text))


# nh3 writes headings without attributes, so these match every heading the card has.
_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")
_LEADING_HEADING = re.compile(r"\A\s*<h1>(.*?)</h1>", re.DOTALL)


@register.filter
def card_page_html(text: str, model_name: str) -> str:
    """The card as the model page shows it, under the page's own H1: a first H1 that only
    repeats the model's name is dropped, and the card's top heading level becomes H2 with
    the others following in step (so headings never skip a level)."""
    html = card_to_html(text)
    first = _LEADING_HEADING.match(html)
    title, name = (first[1].strip().lower() if first else ""), (model_name or "").lower()
    if first and (title == name or title.endswith(f"/{name}")):
        html = html[first.end() :]
    levels = [int(level) for _, level in _HEADING_TAG.findall(html)]
    shift = 2 - min(levels) if levels else 0
    html = _HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + shift, 6)}>", html)
    return mark_safe(html)


@register.filter
def other_models(lineage: list, model) -> list:
    """The ancestors that belong to other models (a private one stays as None): an upload's
    parent is the model's own previous version, which the version history already shows."""
    return [v for v in lineage if v is None or v.model_id != model.pk]


@register.filter
def task_label(value: str) -> str:
    return TASKS.get(value, value)


@register.filter
def domain_label(value: str) -> str:
    return SOURCE_DOMAINS.get(value, value)


@register.filter
def license_label(value: str) -> str:
    return LICENSES.get(value, value)


@register.filter
def compact_number(value: int | None) -> str:
    """1234567 -> 1.2M, as hubs show parameter counts."""
    if not isinstance(value, int | float):
        return "—"
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(value)


@register.filter
def short_sha(value: str) -> str:
    return (value or "")[:10]


@register.simple_tag
def job_chart(history: list[dict]) -> str:
    """An inline SVG of training loss and validation accuracy per epoch."""
    return mark_safe(training_chart_svg(history))


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, {}) if mapping else {}
