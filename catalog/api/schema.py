"""OpenAPI: every operation documents the shared error shape for its error statuses, so a
client can rely on `{"error": "..."}` whatever goes wrong, and says who may call it."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

ERROR_CODES = {
    "GET": (400, 401, 404, 429),
    "HEAD": (401, 404),
    "POST": (400, 401, 403, 404, 409, 413, 429),
    "PUT": (400, 401, 403, 404, 409),
    "PATCH": (400, 401, 403, 404),
    "DELETE": (400, 401, 403, 404, 409),
}
# For `extend_schema(auth=...)` on reads that need an account (whoami, audit, own jobs).
SIGNED_IN = [{"bearerAuth": []}, {"cookieAuth": []}]


class JsonObjectSerializer(serializers.Serializer):
    """A JSON object whose fields the endpoint documents in prose."""


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="What went wrong and what to do about it.")


class HubAutoSchema(AutoSchema):
    def get_auth(self):
        """Reads are public (a private model answers 404 to strangers), and so is a view
        without permission classes (validate-yaml): both take anonymous calls, `{}`."""
        auths = super().get_auth()
        public = self.method in SAFE_METHODS or not self.view.get_permissions()
        if public and {} not in auths:
            auths.append({})
        return auths

    def _get_response_bodies(self, direction="response"):
        # Added after the declared responses (extend_schema replaces get_response_serializers).
        responses = super()._get_response_bodies(direction)
        for code in ERROR_CODES.get(self.method, (400,)):
            responses.setdefault(
                str(code),
                self._get_response_for_code(ErrorSerializer, str(code), direction=direction),
            )
        return responses
