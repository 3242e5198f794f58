from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from catalog.markdown import card_to_html
from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS

register = template.Library()


@register.filter
def card_html(text: str) -> str:
    return mark_safe(card_to_html(text))


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
    from catalog.finetune.charts import training_chart_svg

    return mark_safe(training_chart_svg(history))


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, {}) if mapping else {}
