"""The worker's lease on a row (a fine-tune job, an evaluation): a run claims the row and
keeps its heartbeat fresh; a redelivered task that finds a fresh heartbeat retries later
rather than run the same work twice. One policy for both workers' tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

# The Celery options of a leased run: a worker that dies mid-run leaves the message for
# another worker; a busy row is retried for as long as its lease keeps being renewed.
LEASED_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.HUB_FINETUNE_SOFT_TIME_LIMIT,
    "time_limit": settings.HUB_FINETUNE_TIME_LIMIT,
    "max_retries": None,
}


class LeaseHeld(Exception):
    """Another worker holds a fresh lease on this row; try again later."""


def lease_check(*, running: bool, heartbeat_at: datetime | None, now: datetime, key) -> None:
    """Raises LeaseHeld when a running row's heartbeat is younger than the lease."""
    lease = timedelta(seconds=settings.HUB_FINETUNE_LEASE_SECONDS)
    if running and heartbeat_at and now - heartbeat_at < lease:
        raise LeaseHeld(str(key))


def lease_take(row, *, running: str, key: object) -> bool:
    """Claim `row` (locked by the caller) for this worker: its status becomes `running`, its
    heartbeat now, one more attempt. Raises LeaseHeld while another worker's lease is fresh;
    True when this run restarts one a stopped worker left."""
    now = timezone.now()
    restart = row.status == running
    lease_check(running=restart, heartbeat_at=row.heartbeat_at, now=now, key=key)
    row.status, row.heartbeat_at, row.attempts = running, now, row.attempts + 1
    row.started_at = row.started_at or now
    return restart


def leased_run(task, execute: Callable[[str], None], key: str) -> None:
    """``execute(key)`` in the bound Celery ``task``; a held lease retries after one lease."""
    try:
        execute(key)
    except LeaseHeld as exc:
        raise task.retry(countdown=settings.HUB_FINETUNE_LEASE_SECONDS) from exc
