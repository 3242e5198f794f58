"""Who may do what. Reads are enforced in selectors' querysets; these answer write checks."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from catalog.models import Model, Namespace


def namespace_can_write(*, user: AbstractBaseUser | AnonymousUser, namespace: Namespace) -> bool:
    if not user.is_authenticated:
        return False
    return namespace.user_id == user.pk or user.is_superuser


def model_can_write(*, user: AbstractBaseUser | AnonymousUser, model: Model) -> bool:
    return namespace_can_write(user=user, namespace=model.namespace)
