"""Who may do what. Reads are enforced in selectors' querysets; these answer write checks.

Roles: the owner of a user namespace is its admin; organization members have read, write or
admin. Read sees private models, write publishes versions, admin also changes settings,
visibility, members and deletes."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from catalog.models import Membership, Model, Namespace

AnyUser = AbstractBaseUser | AnonymousUser
RANK = {None: 0, "read": 1, "write": 2, "admin": 3}


def namespace_role(*, user: AnyUser, namespace: Namespace) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser or namespace.user_id == user.pk:
        return "admin"
    return (
        Membership.objects.filter(namespace=namespace, user=user)
        .values_list("role", flat=True)
        .first()
    )


def namespace_has_role(*, user: AnyUser, namespace: Namespace, role: str) -> bool:
    return RANK[namespace_role(user=user, namespace=namespace)] >= RANK[role]


def namespace_can_write(*, user: AnyUser, namespace: Namespace) -> bool:
    return namespace_has_role(user=user, namespace=namespace, role="write")


def model_can_write(*, user: AnyUser, model: Model) -> bool:
    return namespace_can_write(user=user, namespace=model.namespace)


def model_can_admin(*, user: AnyUser, model: Model) -> bool:
    return namespace_has_role(user=user, namespace=model.namespace, role="admin")


def visible_namespace_ids(user: AnyUser) -> list[int]:
    """Namespaces whose private models this user may see."""
    if not user.is_authenticated:
        return []
    own = list(Namespace.objects.filter(user=user).values_list("id", flat=True))
    orgs = list(Membership.objects.filter(user=user).values_list("namespace_id", flat=True))
    return own + orgs


def writable_namespaces(user: AnyUser) -> list[Namespace]:
    if not user.is_authenticated:
        return []
    own = list(Namespace.objects.filter(user=user))
    orgs = list(Namespace.objects.filter(members__user=user, members__role__in=["write", "admin"]))
    return own + orgs
