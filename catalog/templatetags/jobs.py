"""Template tags of the fine-tune job page."""

from __future__ import annotations

from datetime import timedelta

from django import template

from catalog.finetune.listing import duration_text
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
    """An ETA in seconds as the job list writes durations: 42 s, 3 min 05 s, 1 h 02 min."""
    return duration_text(None if seconds is None else timedelta(seconds=seconds))
