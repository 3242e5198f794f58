"""Template tags of the fine-tune job page."""

from __future__ import annotations

from django import template

from catalog.finetune.progress import ProgressView
from catalog.finetune.selectors import job_progress as progress_of
from catalog.models import FineTuneJob

register = template.Library()


@register.simple_tag
def job_progress(job: FineTuneJob) -> ProgressView:
    """{% job_progress job as progress %}: the job's phases, overall fraction and ETA."""
    return progress_of(job)


@register.filter
def duration(seconds: float | None) -> str:
    """42 s, 3 min 5 s, 1 h 2 min: an ETA a person reads at a glance."""
    if seconds is None:
        return ""
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
