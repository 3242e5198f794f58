"""Formatting of figures: numbers render as numbers. Counts are integers without decimals,
rates are percentages with one decimal and their 95% interval ("94.0 % [90.1, 96.8]"), and
the confusion matrix is a heat map whose colour repeats what each cell's number says.

`{% metrics_panel metrics %}` renders any stored metrics (a fine-tune's estimate and test set,
an evaluation's report, older flat figures) with ``templates/catalog/_metrics.html``."""

from __future__ import annotations

from django import template

from catalog.evaluation.figures import metric_sections

register = template.Library()
CORRECT_RGB = "6, 118, 71"  # --ok: the diagonal (right answers)
WRONG_RGB = "180, 35, 24"  # --bad: confusions
MIN_ALPHA, MAX_ALPHA = 0.06, 0.5  # dark text stays readable on the darkest cell


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@register.filter
def count(value) -> str:
    """1234 -> "1,234"; a whole float too (12.0 -> "12")."""
    number = _number(value)
    if number is None:
        return "—"
    return f"{round(number):,}"


@register.filter
def pct(value, digits: int = 1) -> str:
    """A rate in [0, 1] as a percentage: 0.9404 -> "94.0 %"."""
    number = _number(value)
    if number is None:
        return "—"
    return f"{number * 100:.{int(digits)}f} %"


@register.filter
def interval(figure) -> str:
    """{"value": .94, "low": .901, "high": .968} -> "94.0 % [90.1, 96.8]"."""
    if not isinstance(figure, dict):
        return pct(figure)
    value, low, high = (_number(figure.get(k)) for k in ("value", "low", "high"))
    if value is None:
        return "—"
    if low is None or high is None:
        return pct(value)
    return f"{value * 100:.1f} % [{low * 100:.1f}, {high * 100:.1f}]"


@register.filter
def points(value) -> str:
    """A difference of rates in percentage points: 0.13 -> "+13.0 points"."""
    number = _number(value)
    if number is None:
        return "—"
    return f"{number * 100:+.1f} points"


@register.filter
def heat_style(cell: dict) -> str:
    """The cell's background: green on the diagonal, red elsewhere, as strong as the cell's
    share of its true class; an empty cell stays white."""
    if not isinstance(cell, dict) or not cell.get("count"):
        return ""
    share = max(0.0, min(1.0, float(cell.get("share") or 0.0)))
    alpha = MIN_ALPHA + (MAX_ALPHA - MIN_ALPHA) * share
    rgb = CORRECT_RGB if cell.get("correct") else WRONG_RGB
    return f"background-color: rgba({rgb}, {alpha:.2f})"


@register.inclusion_tag("catalog/_metrics.html")
def metrics_panel(
    metrics, subject: str = "this model", anchor: str = "metrics", level: int = 3, open=False
):
    """Every section's details are open with ``open``; else the first one's only."""
    return {
        "sections": metric_sections(metrics, subject=subject),
        "anchor": anchor,
        "level": level,
        "open": open,
    }


@register.filter
def headline_section(metrics):
    """The section a summary leads with (the test set when there is one), or None."""
    sections = metric_sections(metrics)
    return sections[0] if sections else None
