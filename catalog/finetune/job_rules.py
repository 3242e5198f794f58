"""Rules a fine-tune job follows both at submit (jobs.py) and in the worker (run.py): its
hyper-parameters checked the same way, its log lines stamped the same way. A leaf module, so
submit (which enqueues the worker's task) and the run never import each other."""

from __future__ import annotations

from django.utils import timezone

from adapters.base import HyperParams
from catalog.errors import InvalidInput


def params_validate(adapter, params: dict) -> HyperParams:
    try:
        hyper = HyperParams.from_dict(params or {}, defaults=adapter.default_params())
        hyper.validate()
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"Invalid hyper-parameters: {exc}.") from exc
    return hyper


def log_line(line: str) -> str:
    """A job log line with its time (UTC), so the log says when each step happened."""
    return f"{timezone.now():%H:%M:%S} {line.rstrip()}\n"
