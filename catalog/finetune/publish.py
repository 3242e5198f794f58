"""Publish a finished job's output once, as a new version linked to its base.

Blobs are written by ``version_publish`` before its own short transaction; the job row is
locked only to record the result, never while bytes move.

A private base is named only by the hub's parent link, which shows it to those who may see
it: the derived files, model fields and message never name it, since the derived model may
be seen by others (made public later, or kept in another namespace)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from catalog.blobs import StagedFile, blob_exists, stage_local_file
from catalog.finetune.rights import finetune_job_rights_check
from catalog.inspect.config_json import MAX_JSON_BYTES
from catalog.models import FineTuneJob, Model, Version
from catalog.services.models import model_create
from catalog.services.namespaces import namespace_for_user
from catalog.services.versions import version_publish

# Where transformers records the folder or repo a config was loaded from (older releases
# saved it): a file copied from a private base may carry the base's name there.
LOADED_FROM_KEYS = ("_name_or_path", "name_or_path")


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
    staged = staged if _may_name_base(job) else [_json_unnamed(file) for file in staged]
    new_bytes = sum(
        f.size for f in {f.sha256: f for f in staged}.values() if not blob_exists(f.sha256)
    )
    finetune_job_rights_check(job)  # the owner may have lost access while it trained
    target = job.target_model or _target_model_create(job, layout)
    base = job.base_version
    version = version_publish(
        model=target,
        files=staged,
        author=job.owner,
        origin=Version.Origin.FINETUNE,
        parent=base,
        message=f"Fine-tuned on {job.dataset.name}",  # the parent link names the base
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
    public = not base.model.private
    base_tags = [f"base_model:{base.model.full_name}"] if public else []
    base_name = base.model.name if public else "A private model"
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
        tags=["fine-tuned", job.params.get("strategy", ""), *base_tags],
        summary=f"{base_name} fine-tuned on {job.dataset.name}",
    )


def base_repo_for_files(job: FineTuneJob) -> dict:
    """What the adapter may write of the base into the derived files (card, peft
    adapter_config.json): its name and revision only when whoever may see the result may
    see the base too (see _may_name_base)."""
    base = job.base_version
    named = _may_name_base(job)
    return {
        "id": base.model.full_name if named else None,
        "revision": base.revision if named else None,
        "license": base.model.license,
        "target": job.target_name or base.model.name,
    }


def _may_name_base(job: FineTuneJob) -> bool:
    """Files outlive access, so they name a private base only for the same audience: a new
    version of the base, or a private result in the base's own namespace (a user's private
    model fine-tuned privately), so `AutoPeftModel.from_pretrained` still finds the base."""
    base = job.base_version.model
    if not base.private or job.target_model_id == base.pk:
        return True
    target = job.target_model
    if target is not None:
        return target.private and target.namespace_id == base.namespace_id
    own = namespace_for_user(user=job.owner)  # where _target_model_create will put it
    return job.target_private and own.pk == base.namespace_id


def _json_unnamed(staged: StagedFile) -> StagedFile:
    """A JSON file without what names where it was loaded from (copied from a private base)
    nor a peft adapter's base: loaders need neither."""
    if not staged.path.endswith(".json") or staged.size > MAX_JSON_BYTES:
        return staged
    local = Path(staged.local_path)
    try:
        data = json.loads(local.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return staged
    if not isinstance(data, dict):
        return staged
    named = [key for key in LOADED_FROM_KEYS if key in data]
    if not named and not isinstance(data.get("base_model_name_or_path"), str):
        return staged
    for key in named:
        del data[key]
    if isinstance(data.get("base_model_name_or_path"), str):
        data.update(base_model_name_or_path=None, revision=None)
    local.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return stage_local_file(staged.path, local)
