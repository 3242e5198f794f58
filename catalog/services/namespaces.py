from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from catalog.models import Namespace
from catalog.naming import namespace_name_validate


def namespace_for_user(*, user: AbstractBaseUser) -> Namespace:
    """The user's own namespace, created on first use under their username."""
    existing = Namespace.objects.filter(user=user).first()
    if existing:
        return existing
    name = namespace_name_validate(user.get_username())
    namespace, _ = Namespace.objects.get_or_create(
        name=name, defaults={"kind": Namespace.Kind.USER, "user": user}
    )
    return namespace
