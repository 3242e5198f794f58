"""The user's fine-tune jobs: the /jobs page and the Jobs tab of their own profile."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone

from adapters.base import STRATEGIES
from catalog.errors import HubError
from catalog.finetune.listing import (
    STATUSES,
    JobFilters,
    JobPage,
    duration_text,
    job_duration,
    job_filters,
    jobs_page,
)
from catalog.models import FineTuneJob, Namespace

PROFILE_TAB_LIMIT = 10


@dataclass(frozen=True)
class JobRow:
    job: FineTuneJob
    strategy: str
    duration: str


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    context, status = jobs_context(request, limit=None)
    return render(request, "catalog/job_list.html", context, status=status)


def profile_jobs_context(request: HttpRequest, namespace: Namespace) -> dict:
    """The Jobs tab, on the signed-in user's own profile only (jobs are private to their
    owner); empty for anyone else's profile."""
    own = request.user.is_authenticated and namespace.name == request.user.get_username()
    if not own or namespace.kind != Namespace.Kind.USER:
        return {}
    context = {"jobs_tab": True, "tab": request.GET.get("tab", "models")}
    if context["tab"] == "jobs":
        context.update(jobs_context(request, limit=PROFILE_TAB_LIMIT)[0])
    return context


def jobs_context(request: HttpRequest, *, limit: int | None) -> tuple[dict, int]:
    """(context of `_job_table.html`, status): a bad filter or cursor is a 400 saying why."""
    base = {"statuses": STATUSES, "strategies": STRATEGIES}
    try:
        filters = job_filters(request.GET, default_limit=limit or JobFilters.limit)
        page = jobs_page(user=request.user, filters=filters)
    except HubError as exc:
        return {**base, "filters": JobFilters(), "rows": [], "jobs_error": exc.message}, 400
    return {
        **base,
        "filters": filters,
        "page": page,
        "rows": _rows(page),
        **_links(request, page),
    }, 200


def _rows(page: JobPage) -> list[JobRow]:
    now = timezone.now()
    return [
        JobRow(
            job=job,
            strategy=str(job.params.get("strategy", "")),
            duration=duration_text(job_duration(job, now=now)),
        )
        for job in page.jobs
    ]


def _links(request: HttpRequest, page: JobPage) -> dict:
    params: QueryDict = request.GET.copy()
    first = params.copy()
    first.pop("cursor", None)
    links = {"first_url": f"?{first.urlencode()}" if "cursor" in params else ""}
    if page.next_cursor:
        params["cursor"] = page.next_cursor
        links["next_url"] = f"?{params.urlencode()}"
    return links
