"""Fine-tune jobs: submit (validate everything up front), cancel, and publish the result.

The training run itself lives in catalog.services.finetune_run; this module holds the
short, transactional steps around it."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from adapters.base import HyperParams
from catalog.blobs import StagedFile, blob_exists
from catalog.cards import finetune_card
from catalog.errors import Conflict, Forbidden, InvalidInput, NotFound
from catalog.materialize import version_config
from catalog.models import Dataset, FineTuneJob, Model, Version
from catalog.naming import name_validate
from catalog.permissions import model_can_write
from catalog.services.audit import audit
from catalog.services.datasets import adapter_get
from catalog.services.models import model_create
from catalog.services.namespaces import namespace_for_user
from catalog.services.versions import version_publish

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
) -> FineTuneJob:
    """Validate and queue a job; the worker starts it once this transaction commits."""
    if dataset.owner_id != user.pk:
        raise NotFound("No such dataset.")
    adapter = adapter_get(adapter_key)
    reason = adapter.accepts(version_config(base_version) or {})
    if reason:
        raise InvalidInput(f"{adapter.title} cannot fine-tune this model: {reason}")
    if dataset.summary.get("adapter") != adapter_key:
        raise InvalidInput(
            f"This dataset was checked for {dataset.summary.get('adapter')}, "
            f"not {adapter_key}; upload it again for this adapter."
        )
    hyper = params_validate(adapter, params)
    base_model = base_version.model
    if publish_to_base:
        if not model_can_write(user=user, model=base_model):
            raise Forbidden(f"You cannot publish new versions of {base_model.full_name}.")
        target_model, target_name = base_model, ""
    else:
        target_model = None
        target_name = target_name or f"{base_model.name}-finetuned"
        name_validate(target_name)
        namespace = namespace_for_user(user=user)
        if Model.objects.filter(namespace=namespace, name__iexact=target_name).exists():
            raise Conflict(f"{namespace.name}/{target_name} already exists; choose another name.")
    job = FineTuneJob.objects.create(
        owner=user,
        base_version=base_version,
        dataset=dataset,
        adapter=adapter_key,
        params=hyper.to_dict(),
        target_model=target_model,
        target_name=target_name,
        target_private=target_private,
        epochs=hyper.epochs,
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    audit(
        actor=user, action="finetune.submit", model=base_model, job=str(job.pk), adapter=adapter_key
    )
    return job


def _enqueue(job_id) -> None:
    from kombu.exceptions import OperationalError as BrokerError

    from catalog.tasks import finetune_run

    try:
        finetune_run.delay(str(job_id))
    except (BrokerError, OSError) as exc:
        # The job row is committed and stays queued: the sweeper sends it once the broker
        # is back (catalog.services.sweeper). The user gets their 202, not a 500.
        logger.error("could not enqueue fine-tune job %s (left for the sweeper): %s", job_id, exc)


def params_validate(adapter, params: dict) -> HyperParams:
    try:
        hyper = HyperParams.from_dict(params or {}, defaults=adapter.default_params())
        hyper.validate()
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"Invalid hyper-parameters: {exc}.") from exc
    return hyper


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
            job.log += "Cancelled before it started.\n"
        job.cancel_requested = True
        job.save()
    return job


def finetune_publish(
    *, job_id, staged: list[StagedFile], metrics: dict, training: dict, summary: dict
) -> Version:
    """Publish the job's output once: a redelivered task finds the version already there."""
    with transaction.atomic():
        job = (
            FineTuneJob.objects.select_for_update()
            .select_related("base_version__model__namespace", "dataset", "owner")
            .get(pk=job_id)
        )
        if job.result_version_id:
            return job.result_version
        new_bytes = sum(
            f.size for f in {f.sha256: f for f in staged}.values() if not blob_exists(f.sha256)
        )
        target = job.target_model or _target_model_create(job)
        base = job.base_version
        version = version_publish(
            model=target,
            files=staged,
            author=job.owner,
            origin=Version.Origin.FINETUNE,
            parent=base,
            message=f"Fine-tuned from {base.model.full_name}@v{base.number} on {job.dataset.name}",
            metrics=metrics,
            metadata={
                "finetune": {
                    "job": str(job.pk),
                    "adapter": job.adapter,
                    "params": job.params,
                    "dataset": summary,
                    "training": training,
                    "stored_bytes": new_bytes,
                }
            },
        )
        job.result_version = version
        job.target_model = target
        job.status = FineTuneJob.Status.SUCCEEDED
        job.metrics = metrics | {"stored_bytes": new_bytes}
        job.finished_at = timezone.now()
        job.save()
    return version


def _target_model_create(job: FineTuneJob) -> Model:
    base = job.base_version.model
    name = job.target_name
    namespace = namespace_for_user(user=job.owner)
    if Model.objects.filter(namespace=namespace, name__iexact=name).exists():
        name = f"{name}-{str(job.pk)[:8]}"  # taken since submit: keep the work, vary the name
    return model_create(
        user=job.owner,
        name=name,
        namespace=namespace,
        private=job.target_private,
        task=_output_task(job),
        source_domain=base.source_domain,
        library="pytorch",
        license=base.license,
        datasets=[job.dataset.name],
        languages=base.languages,
        tags=["fine-tuned", f"base_model:{base.full_name}"],
        summary=f"{base.name} fine-tuned on {job.dataset.name}",
        card=finetune_card(job),
    )


def _output_task(job: FineTuneJob) -> str:
    return adapter_get(job.adapter).task
