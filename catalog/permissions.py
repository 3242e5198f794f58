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


def org_members_visible(*, user: AnyUser, org: Namespace) -> bool:
    """Who belongs to an organization is for its members (and site admins) to know."""
    return namespace_has_role(user=user, namespace=org, role="read")


def writable_namespaces(user: AnyUser) -> list[Namespace]:
    if not user.is_authenticated:
        return []
    own = list(Namespace.objects.filter(user=user))
    orgs = list(Namespace.objects.filter(members__user=user, members__role__in=["write", "admin"]))
    return own + orgs


def model_can_read(*, user: AnyUser, model: Model) -> bool:
    return not model.private or namespace_has_role(
        user=user, namespace=model.namespace, role="read"
    )


def derivation_refusal(*, user: AnyUser, source: Model, namespace: Namespace, private: bool) -> str:
    """Why `user` may not publish a fork or fine-tune of `source` into `namespace` as
    `private` ('' when allowed). A derivative republishes the source's bytes, so it needs the
    rights publishing them would: a private source's derivatives stay private inside the
    source's own namespace, unless the user administers that namespace (and so could make the
    source itself public)."""
    if not model_can_read(user=user, model=source):
        return f"You no longer have access to {source.full_name}."
    if not namespace_can_write(user=user, namespace=namespace):
        return f"You cannot create models in {namespace.name}."
    if not source.private or model_can_admin(user=user, model=source):
        return ""
    owner = source.namespace.name
    if namespace.pk != source.namespace_id:
        return (
            f"{source.full_name} is private: copies of it stay in {owner}. "
            f"Create the copy in {owner}, or ask an admin of {owner}."
        )
    if not private:
        return (
            f"{source.full_name} is private, so a copy of it must be private too; "
            f"only an admin of {owner} can publish one."
        )
    return ""
