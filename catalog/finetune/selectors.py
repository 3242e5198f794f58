"""Reads for datasets and fine-tune jobs: only their owner ever sees them."""

from __future__ import annotations

import re
import uuid

from catalog.errors import NotFound
from catalog.models import Dataset, FineTuneJob
from catalog.selectors import AnyUser

DATASET_ID_RE = re.compile(r"[0-9]{1,18}")


def dataset_id_parse(raw: object) -> int | None:
    """A dataset id as a client sends it (JSON number or form text): ASCII digits only, so
    int() never meets "²" or a 5,000-digit number."""
    if isinstance(raw, bool) or not DATASET_ID_RE.fullmatch(str(raw)):
        return None
    return int(str(raw))


def dataset_get(*, user: AnyUser, dataset_id: int) -> Dataset:
    dataset = (
        Dataset.objects.filter(pk=dataset_id, owner_id=user.pk).first()
        if user.is_authenticated
        else None
    )
    if dataset is None:
        raise NotFound(f"Dataset {dataset_id} does not exist or is not yours.")
    return dataset


def job_get(*, user: AnyUser, job_id: str) -> FineTuneJob:
    try:
        key = uuid.UUID(str(job_id))
    except ValueError as exc:
        raise NotFound("No such fine-tune job.") from exc
    job = (
        FineTuneJob.objects.select_related(
            "base_version__model__namespace", "dataset", "result_version__model__namespace"
        )
        .filter(pk=key, owner_id=user.pk)
        .first()
        if user.is_authenticated
        else None
    )
    if job is None:
        raise NotFound("No such fine-tune job.")
    return job


def jobs_for_base(*, user: AnyUser, model) -> list[FineTuneJob]:
    if not user.is_authenticated:
        return []
    return list(
        FineTuneJob.objects.filter(owner_id=user.pk, base_version__model=model).select_related(
            "result_version__model__namespace"
        )[:10]
    )
