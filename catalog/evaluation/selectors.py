"""Reads of evaluations: only their owner sees them (as with the datasets they read)."""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.errors import NotFound
from catalog.evaluation.leaderboard import leaderboard
from catalog.evaluation.targets import evaluation_options
from catalog.finetune.selectors import row_key
from catalog.models import Dataset, Evaluation, Model, Version
from catalog.selectors import AnyUser

RECENT = 20


def evaluation_get(*, user: AnyUser, evaluation_id: object) -> Evaluation:
    key = row_key(evaluation_id, missing="No such evaluation.")
    found = (
        _owned(user).select_related("version__model__namespace", "dataset").filter(pk=key).first()
    )
    if found is None:
        raise NotFound("No such evaluation.")
    return found


def evaluations_listed(
    *, user: AnyUser, model: Model, version: Version | None = None
) -> QuerySet[Evaluation]:
    """The user's evaluations of a model (of one version, when given), newest first."""
    rows = _owned(user).filter(version__model=model)
    if version is not None:
        rows = rows.filter(version=version)
    return rows.select_related("version__model__namespace", "dataset")


def evaluation_page_context(*, user: AnyUser, model: Model, version: Version | None) -> dict:
    """What the model page shows of evaluations: the Evaluate action (or why not), the
    viewer's evaluations of this version, and the leaderboard of derived versions."""
    mine = (
        list(evaluations_listed(user=user, model=model, version=version)[:RECENT])
        if version is not None
        else []
    )
    return {
        "evaluate": evaluation_options(version),
        "my_evaluations": mine,
        "leaderboard": leaderboard(model=model, user=user),
    }


def _owned(user: AnyUser) -> QuerySet[Evaluation]:
    if not user.is_authenticated:
        return Evaluation.objects.none()
    return Evaluation.objects.filter(owner_id=user.pk)


def datasets_for_evaluation(*, user: AnyUser, kind: str, limit: int = 50) -> list[Dataset]:
    """The user's datasets of one kind (text | images), newest first, for the picker."""
    if not user.is_authenticated:
        return []
    return list(Dataset.objects.filter(owner_id=user.pk, kind=kind).order_by("-created_at")[:limit])
