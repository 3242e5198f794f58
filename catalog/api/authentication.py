from __future__ import annotations

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from catalog.services.tokens import token_authenticate

INVALID_CREDENTIALS = "Invalid credentials in Authorization header"


def bearer_from_header(header: str) -> str | None:
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer hub_...`; request.auth is the ApiToken (its scope is checked)."""

    def authenticate(self, request: Request):
        raw = bearer_from_header(request.META.get("HTTP_AUTHORIZATION", ""))
        if raw is None:
            return None
        token = token_authenticate(raw)
        if token is None:
            # The Hub's wording: its client maps this message to a 401, not RepoNotFound.
            raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="hub"'
