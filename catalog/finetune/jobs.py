"""Fine-tune jobs: submit (validate everything cheap up front; the worker checks the dataset
in full when the job starts) and cancel.

The worker's run is ``catalog.finetune.run``; publishing the result is
``catalog.finetune.publish``."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from adapters.evaluation.testset import extra_labels_refusal
from catalog.errors import Conflict, Forbidden, InvalidInput, NotFound
from catalog.finetune.job_rules import log_line, params_validate
from catalog.finetune.options import finetune_options
from catalog.finetune.rights import finetune_rights_check
from catalog.finetune.tasks import finetune_run
from catalog.models import Dataset, FineTuneJob, Model, Version
from catalog.naming import name_validate
from catalog.permissions import model_can_write
from catalog.services.audit import audit
from catalog.services.datasets import adapter_get
from catalog.services.namespaces import namespace_for_user
from catalog.services.quotas import quota_check_jobs

logger = logging.getLogger(__name__)


def finetune_submit(
    *,
    user: AbstractBaseUser,
    base_version: Version,
    dataset: Dataset,
    adapter_key: str,
    params: dict,
    target_name: str = "",
    target_private: bool = False,
    publish_to_base: bool = False,
    test_dataset: Dataset | None = None,
) -> FineTuneJob:
    """Validate and queue a job; the worker starts it once this transaction commits.
    ``test_dataset``: the user's own labelled examples, scored by the shipped model and
    never trained on."""
    if dataset.owner_id != user.pk or (test_dataset and test_dataset.owner_id != user.pk):
        raise NotFound("No such dataset.")
    quota_check_jobs(user=user)
    adapter = adapter_get(adapter_key)
    reason = adapter.accepts(finetune_options(base_version).base_format)
    if reason:
        raise InvalidInput(f"{adapter.title} cannot fine-tune this model: {reason}")
    _datasets_fit(adapter_key, dataset, test_dataset)
    hyper = params_validate(adapter, params)
    base_model = base_version.model
    finetune_rights_check(
        user=user, base=base_model, publish_to_base=publish_to_base, target_private=target_private
    )
    target_model, target_name = _target(
        user=user, base=base_model, name=target_name, publish_to_base=publish_to_base
    )
    job = FineTuneJob.objects.create(
        owner=user,
        base_version=base_version,
        dataset=dataset,
        test_dataset=test_dataset,
        adapter=adapter_key,
        params=hyper.to_dict(),
        target_model=target_model,
        target_name=target_name,
        target_private=target_private,
        epochs=hyper.epochs,
    )
    transaction.on_commit(lambda: _enqueue(job))
    audit(
        actor=user, action="finetune.submit", model=base_model, job=str(job.pk), adapter=adapter_key
    )
    return job


def _datasets_fit(adapter_key: str, dataset: Dataset, test_dataset: Dataset | None) -> None:
    _dataset_fits(dataset, adapter_key, "This dataset")
    if test_dataset is None:
        return
    _dataset_fits(test_dataset, adapter_key, "The test set")
    refusal = extra_labels_refusal(
        test_dataset.summary.get("classes", []), dataset.summary.get("classes", [])
    )
    if refusal:
        raise InvalidInput(refusal)


def _target(
    *, user: AbstractBaseUser, base: Model, name: str, publish_to_base: bool
) -> tuple[Model | None, str]:
    """Where the result goes: the base model itself, or a new model of the user's (named
    `name`, default `<base>-finetuned`), free now (taken by publish time, a suffix is added)."""
    if publish_to_base:
        if not model_can_write(user=user, model=base):
            raise Forbidden(f"You cannot publish new versions of {base.full_name}.")
        return base, ""
    name = name or f"{base.name}-finetuned"
    name_validate(name)
    namespace = namespace_for_user(user=user)
    if Model.objects.filter(namespace=namespace, name__iexact=name).exists():
        raise Conflict(f"{namespace.name}/{name} already exists; choose another name.")
    return None, name


def _dataset_fits(dataset: Dataset, adapter_key: str, what: str) -> None:
    if dataset.summary.get("adapter") != adapter_key:
        raise InvalidInput(
            f"{what} was checked for {dataset.summary.get('adapter')}, "
            f"not {adapter_key}; upload it again for this adapter."
        )


def finetune_queue(strategy: str) -> str | None:
    """The Celery queue for a job: GPU workers take the heavy strategies when configured."""
    if settings.HUB_FINETUNE_GPU_QUEUE and strategy in settings.HUB_FINETUNE_GPU_STRATEGIES:
        return settings.HUB_FINETUNE_GPU_QUEUE
    return settings.HUB_FINETUNE_QUEUE or None


def finetune_enqueue(job: FineTuneJob) -> None:
    queue = finetune_queue(str(job.params.get("strategy", "")))
    finetune_run.apply_async(args=[str(job.pk)], **({"queue": queue} if queue else {}))


def _enqueue(job: FineTuneJob) -> None:
    try:
        finetune_enqueue(job)
    except (BrokerError, OSError) as exc:
        # The job row is committed and stays queued: the sweeper sends it once the broker
        # is back (catalog.services.sweeper). The user gets their 202, not a 500.
        logger.error("could not enqueue fine-tune job %s (left for the sweeper): %s", job.pk, exc)


def finetune_cancel(*, user: AbstractBaseUser, job: FineTuneJob) -> FineTuneJob:
    with transaction.atomic():
        job = FineTuneJob.objects.select_for_update().get(pk=job.pk)
        if job.owner_id != user.pk:
            raise NotFound("No such fine-tune job.")
        if job.is_terminal:
            raise Conflict(f"The job already {job.status}; nothing to cancel.")
        if job.status == FineTuneJob.Status.QUEUED:
            job.status = FineTuneJob.Status.CANCELLED
            job.finished_at = timezone.now()
            job.log += log_line("Cancelled before it started.")
        job.cancel_requested = True
        job.save()
    return job
