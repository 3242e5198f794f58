"""Organizations: namespaces with members and roles."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from catalog.errors import Conflict, Forbidden, InvalidInput, NotFound
from catalog.models import Membership, Namespace
from catalog.naming import namespace_name_validate
from catalog.permissions import namespace_has_role
from catalog.services.audit import audit


def org_create(*, user, name: str) -> Namespace:
    namespace_name_validate(name)
    if (
        Namespace.objects.filter(name__iexact=name).exists()
        or get_user_model().objects.filter(username__iexact=name).exists()
    ):
        raise Conflict(f"The name {name!r} is taken.")
    try:
        with transaction.atomic():
            org = Namespace.objects.create(name=name, kind=Namespace.Kind.ORG)
            Membership.objects.create(namespace=org, user=user, role=Membership.Role.ADMIN)
            audit(actor=user, action="org.create", namespace=org)
    except IntegrityError as exc:
        raise Conflict(f"The name {name!r} is taken.") from exc
    return org


def member_set(*, actor, org: Namespace, username: str, role: str) -> Membership:
    _require_admin(actor, org)
    if role not in Membership.Role.values:
        raise InvalidInput("Role must be read, write or admin.")
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"No user named {username!r}.")
    with transaction.atomic():
        membership, _ = Membership.objects.update_or_create(
            namespace=org, user=user, defaults={"role": role}
        )
        _keep_an_admin(org)
        audit(actor=actor, action="member.set", namespace=org, user=username, role=role)
    return membership


def member_remove(*, actor, org: Namespace, username: str) -> None:
    _require_admin(actor, org)
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(namespace=org, user__username=username).delete()
        if not deleted:
            raise NotFound(f"{username!r} is not a member of {org.name}.")
        _keep_an_admin(org)
        audit(actor=actor, action="member.remove", namespace=org, user=username)


def member_leave(*, user, org: Namespace) -> None:
    """A member leaves an organization (no admin right needed); the last admin cannot."""
    if org.kind != Namespace.Kind.ORG:
        raise InvalidInput(f"{org.name} is a user, not an organization.")
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(namespace=org, user=user).delete()
        if not deleted:
            raise NotFound(f"You are not a member of {org.name}.")
        try:
            _keep_an_admin(org)
        except InvalidInput as exc:
            raise InvalidInput(
                f"You are the last admin of {org.name}: make someone else admin first."
            ) from exc
        audit(actor=user, action="member.leave", namespace=org, user=user.get_username())


def _require_admin(actor, org: Namespace) -> None:
    if org.kind != Namespace.Kind.ORG:
        raise InvalidInput(f"{org.name} is a user, not an organization.")
    if not namespace_has_role(user=actor, namespace=org, role="admin"):
        raise Forbidden(f"Only admins of {org.name} can manage its members.")


def _keep_an_admin(org: Namespace) -> None:
    if not Membership.objects.filter(namespace=org, role=Membership.Role.ADMIN).exists():
        raise InvalidInput("An organization needs at least one admin.")
