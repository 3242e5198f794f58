from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from catalog.errors import Forbidden, Unauthorized
from catalog.models import ApiToken

SIGN_IN = "Sign in or send `Authorization: Bearer <token>` to do this."


def signed_in(request) -> None:
    """Raise the API's 401 unless the caller is signed in (session or bearer token)."""
    if not request.user.is_authenticated:
        raise Unauthorized(SIGN_IN)


class WriteNeedsWriteToken(BasePermission):
    """Unsafe methods need a signed-in user; a bearer token must carry the write scope."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        signed_in(request)
        if isinstance(request.auth, ApiToken) and request.auth.scope != ApiToken.Scope.WRITE:
            raise Forbidden("This token is read-only; create a write token to make changes.")
        return True
