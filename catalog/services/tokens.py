"""API tokens: random secrets shown once; only their sha256 is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from catalog.errors import InvalidInput, NotFound
from catalog.models import ApiToken, Namespace
from catalog.services.audit import audit

TOKEN_PREFIX = "hub_"


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(
    *, user: AbstractBaseUser, name: str, scope: str = "write"
) -> tuple[ApiToken, str]:
    """Return the stored token and the raw secret, which is never retrievable again."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("Give the token a name of 1-100 characters.")
    if scope not in ApiToken.Scope.values:
        raise InvalidInput("Token scope must be 'read' or 'write'.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=token_hash(raw), prefix=raw[:10], scope=scope
    )
    audit(actor=user, action="token.create", namespace=_own_namespace(user), name=name, scope=scope)
    return token, raw


def _own_namespace(user):
    return Namespace.objects.filter(user=user).first()


def token_revoke(*, user: AbstractBaseUser, token_id: int) -> None:
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotFound("No such active token.")
    audit(actor=user, action="token.revoke", namespace=_own_namespace(user), token=token_id)


def token_authenticate(raw: str) -> ApiToken | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is not None:
        # Coarse last-used stamp: at most one write a minute per token.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
