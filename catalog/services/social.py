"""Likes."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from catalog.models import Like, Model
from catalog.search import search_models_changed


def like_set(*, user, model: Model, liked: bool) -> int:
    """Like or unlike (idempotent); returns the model's like count."""
    with transaction.atomic():
        if liked:
            try:
                with transaction.atomic():
                    Like.objects.create(user=user, model=model)
            except IntegrityError:
                pass  # already liked
            else:
                Model.objects.filter(pk=model.pk).update(likes=F("likes") + 1)
        elif Like.objects.filter(user=user, model=model).delete()[0]:
            Model.objects.filter(pk=model.pk).update(likes=F("likes") - 1)
        search_models_changed([model.pk])
    return Model.objects.values_list("likes", flat=True).get(pk=model.pk)
