"""Publish a finished job's output once, as a new version linked to its base.

Blobs are written by ``version_publish`` before its own short transaction; the job row is
locked only to record the result, never while bytes move."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from catalog.blobs import StagedFile, blob_exists
from catalog.models import FineTuneJob, Model, Version
from catalog.services.models import model_create
from catalog.services.namespaces import namespace_for_user
from catalog.services.versions import version_publish


def finetune_publish(
    *, job_id, staged: list[StagedFile], metrics: dict, training: dict, layout: dict
) -> Version:
    """Idempotent: a redelivered task finds the version this job already published."""
    job = FineTuneJob.objects.select_related(
        "base_version__model__namespace", "dataset", "owner", "target_model"
    ).get(pk=job_id)
    done = job.result_version or _published_by(job)
    if done is not None:
        return _record(job, done, metrics, 0)
    new_bytes = sum(
        f.size for f in {f.sha256: f for f in staged}.values() if not blob_exists(f.sha256)
    )
    target = job.target_model or _target_model_create(job, layout)
    base = job.base_version
    version = version_publish(
        model=target,
        files=staged,
        author=job.owner,
        origin=Version.Origin.FINETUNE,
        parent=base,
        inherit=None,
        message=f"Fine-tuned from {base.model.full_name}@v{base.number} on {job.dataset.name}",
        metrics=metrics,
        metadata={
            "base_model_relation": layout["relation"],
            "finetune": {
                "job": str(job.pk),
                "adapter": job.adapter,
                "params": job.params,
                "dataset": job.dataset.summary,
                "training": training,
                "layout": layout,
                "stored_bytes": new_bytes,
            },
        },
    )
    return _record(job, version, metrics, new_bytes)


def _published_by(job: FineTuneJob) -> Version | None:
    return Version.objects.filter(metadata__finetune__job=str(job.pk)).first()


def _record(job: FineTuneJob, version: Version, metrics: dict, new_bytes: int) -> Version:
    with transaction.atomic():
        row = FineTuneJob.objects.select_for_update().get(pk=job.pk)
        if row.result_version_id is None:
            row.result_version = version
            row.target_model = version.model
            row.status = FineTuneJob.Status.SUCCEEDED
            row.metrics = metrics | {"stored_bytes": new_bytes}
            row.finished_at = timezone.now()
            row.save()
    return version


def _target_model_create(job: FineTuneJob, layout: dict) -> Model:
    # The card comes with the version: version_publish applies the README it carries.
    base = job.base_version
    name = job.target_name
    namespace = namespace_for_user(user=job.owner)
    if Model.objects.filter(namespace=namespace, name__iexact=name).exists():
        name = f"{name}-{str(job.pk)[:8]}"  # taken since submit: keep the work, vary the name
    return model_create(
        user=job.owner,
        name=name,
        namespace=namespace,
        private=job.target_private,
        task=layout["pipeline_tag"],
        source_domain=base.model.source_domain,
        library=layout["library"],
        license=base.model.license,
        datasets=[job.dataset.name],
        languages=base.model.languages,
        tags=["fine-tuned", job.params.get("strategy", ""), f"base_model:{base.model.full_name}"],
        summary=f"{base.model.name} fine-tuned on {job.dataset.name}",
    )
