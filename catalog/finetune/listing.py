"""A user's fine-tune jobs as a list: filters, newest first, keyset cursor (`catalog.cursors`).
One reading of the parameters for the /jobs page, the profile's Jobs tab and
`GET /api/finetunes`; only the jobs' owner ever sees them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from adapters.base import STRATEGIES
from catalog.cursors import after_q, cursor_decode, cursor_encode, cursor_values_check
from catalog.errors import InvalidInput
from catalog.finetune.selectors import jobs_queue_annotate
from catalog.models import FineTuneJob
from catalog.selectors import AnyUser

ORDERING = ["-created_at", "-id"]
LIMIT_DEFAULT, LIMIT_MAX = 25, 100
MAX_QUERY_CHARS = 100
STATUSES = tuple(FineTuneJob.Status.values)


@dataclass(frozen=True)
class JobFilters:
    status: str = ""  # one of STATUSES, or "" for all
    strategy: str = ""  # one of adapters.base.STRATEGIES, or ""
    q: str = ""  # words in the base model's, the dataset's or the new model's name
    cursor: str = ""
    limit: int = LIMIT_DEFAULT

    @property
    def active(self) -> bool:
        return bool(self.status or self.strategy or self.q)


@dataclass(frozen=True)
class JobPage:
    jobs: list[FineTuneJob]
    next_cursor: str | None
    total: int  # jobs matching the filters, all pages


def job_filters(params: Mapping, *, default_limit: int = LIMIT_DEFAULT) -> JobFilters:
    """Filters from URL parameters; a value outside its vocabulary is a 400 that lists it."""
    status = str(params.get("status") or "").strip().lower()
    if status and status not in STATUSES:
        raise InvalidInput(f"Unknown status {status!r}; use one of: {', '.join(STATUSES)}.")
    strategy = str(params.get("strategy") or "").strip().lower()
    if strategy and strategy not in STRATEGIES:
        raise InvalidInput(f"Unknown strategy {strategy!r}; use one of: {', '.join(STRATEGIES)}.")
    q = " ".join(str(params.get("q") or "").split())
    if len(q) > MAX_QUERY_CHARS or "\x00" in q:
        raise InvalidInput(f"q must be at most {MAX_QUERY_CHARS} characters of text.")
    raw_limit = str(params.get("limit") or default_limit)
    if not raw_limit.isascii() or not raw_limit.isdigit() or not 1 <= int(raw_limit) <= LIMIT_MAX:
        raise InvalidInput(f"limit must be a whole number from 1 to {LIMIT_MAX}.")
    cursor = str(params.get("cursor") or "")
    return JobFilters(status, strategy, q, cursor, int(raw_limit))


def jobs_page(*, user: AnyUser, filters: JobFilters) -> JobPage:
    """One page of the user's jobs, newest first. Raises InvalidInput for a foreign cursor."""
    if not user.is_authenticated:
        return JobPage([], None, 0)
    matching = _matching(user, filters)
    rows = matching.order_by(*ORDERING)
    if filters.cursor:
        rows = rows.filter(after_q(ORDERING, _cursor_values(filters.cursor)))
    rows = rows.select_related(
        "base_version__model__namespace", "dataset", "result_version__model__namespace"
    )
    # Queue positions come with the rows: no COUNT per queued job when they are shown.
    jobs = list(jobs_queue_annotate(rows)[: filters.limit + 1])
    more = len(jobs) > filters.limit
    jobs = jobs[: filters.limit]
    cursor = cursor_encode([jobs[-1].created_at.isoformat(), str(jobs[-1].pk)]) if more else None
    return JobPage(jobs, cursor, matching.count())


def job_duration(job: FineTuneJob, *, now: datetime | None = None) -> timedelta | None:
    """How long the job ran (so far, while it runs); None before it started."""
    if job.started_at is None:
        return None
    end = job.finished_at or (None if job.is_terminal else now or timezone.now())
    return (end - job.started_at) if end else None


def duration_text(delta: timedelta | None) -> str:
    """'45 s', '3 min 05 s', '2 h 04 min'; '—' when there is none. The one duration format:
    the job list's durations and the job page's ETA (``{{ seconds|duration }}``)."""
    if delta is None:
        return "—"
    seconds = max(0, round(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _matching(user: AnyUser, filters: JobFilters) -> QuerySet[FineTuneJob]:
    jobs = FineTuneJob.objects.filter(owner_id=user.pk)
    if filters.status:
        jobs = jobs.filter(status=filters.status)
    if filters.strategy:
        jobs = jobs.filter(params__strategy=filters.strategy)
    for word in filters.q.split()[:5]:
        jobs = jobs.filter(
            Q(base_version__model__name__icontains=word)
            | Q(base_version__model__namespace__name__icontains=word)
            | Q(dataset__name__icontains=word)
            | Q(target_name__icontains=word)
            | Q(target_model__name__icontains=word)
        )
    return jobs


def _cursor_values(cursor: str) -> list:
    values = cursor_decode(cursor, 2)
    cursor_values_check(values[:1], ["datetime"])
    try:
        key = uuid.UUID(str(values[1]))
    except ValueError as exc:
        raise InvalidInput(
            "The cursor does not match this list; start from the first page."
        ) from exc
    return [datetime.fromisoformat(values[0]), key]
