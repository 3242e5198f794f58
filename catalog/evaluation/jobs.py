"""Submit an evaluation: everything cheap is checked here (a 4xx that says what to do);
the worker checks the dataset in full and predicts (``catalog.evaluation.run``)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

from catalog.errors import NotFound, TooManyRequests, Unauthorized
from catalog.evaluation.targets import evaluation_labels, evaluation_target
from catalog.evaluation.tasks import evaluation_run
from catalog.models import Dataset, Evaluation, Version
from catalog.services.audit import audit
from catalog.services.quotas import usage_jobs
from catalog.services.sweeper import requeue_stuck

logger = logging.getLogger(__name__)
ACTIVE = (Evaluation.Status.QUEUED, Evaluation.Status.RUNNING)


def evaluation_submit(*, user: AbstractBaseUser, version: Version, dataset: Dataset) -> Evaluation:
    """Validate and queue; the worker starts once this transaction commits."""
    if not user.is_authenticated:
        raise Unauthorized("Sign in or send `Authorization: Bearer <token>` to evaluate.")
    if dataset.owner_id != user.pk:
        raise NotFound(f"Dataset {dataset.pk} does not exist or is not yours.")
    classifier = evaluation_target(user=user, version=version)
    evaluation_labels(classifier=classifier, dataset=dataset)
    _quota_check(user)
    evaluation = Evaluation.objects.create(owner=user, version=version, dataset=dataset)
    transaction.on_commit(lambda: _enqueue(evaluation))
    audit(
        actor=user,
        action="evaluation.submit",
        model=version.model,
        version=version.number,
        evaluation=str(evaluation.pk),
    )
    return evaluation


def _quota_check(user: AbstractBaseUser) -> None:
    """Evaluations share the worker, so they count against the job quota."""
    limit = settings.HUB_QUOTA_JOBS
    if limit <= 0:
        return
    active = (
        usage_jobs(user=user) + Evaluation.objects.filter(owner=user, status__in=ACTIVE).count()
    )
    if active >= limit:
        raise TooManyRequests(
            f"Job quota: you have {active} fine-tune job(s) and evaluation(s) queued or running "
            f"and may have {limit} (HUB_QUOTA_JOBS). Wait for one to finish."
        )


def evaluation_enqueue(evaluation: Evaluation) -> None:
    queue = settings.HUB_FINETUNE_QUEUE
    evaluation_run.apply_async(args=[str(evaluation.pk)], **({"queue": queue} if queue else {}))


def _enqueue(evaluation: Evaluation) -> None:
    try:
        evaluation_enqueue(evaluation)
    except (BrokerError, OSError) as exc:
        # The row is committed and stays queued; the user gets their 202, not a 500.
        logger.error("could not enqueue evaluation %s: %s", evaluation.pk, exc)


def evaluations_requeue_stuck(*, older_than: float, limit: int = 500) -> list[str]:
    """Send the task again for evaluations queued (or last re-sent) more than `older_than`
    seconds ago: their message was lost to a broker outage. A second message for one that
    is merely waiting is harmless (the worker's claim runs it once). Raises the broker's
    error if it is still down (nothing marked)."""
    queued = Evaluation.objects.filter(status=Evaluation.Status.QUEUED).only("pk")
    return requeue_stuck(queued, evaluation_enqueue, older_than=older_than, limit=limit)
