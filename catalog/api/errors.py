"""Every API error is `{"error": "..."}` with the right status (and the Hub's X-Error-Code)."""

from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from catalog.errors import HubError


def error_response(message: str, status_code: int, code: str = "") -> Response:
    response = Response({"error": message}, status=status_code)
    if code:
        set_error_headers(response, code, message)
    return response


def set_error_headers(response, code: str, message: str) -> None:
    """The headers the Hugging Face client reads to name an error (headers must be ASCII)."""
    response["X-Error-Code"] = code
    response["X-Error-Message"] = message.encode("ascii", "replace").decode()[:500]


def json_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, HubError):
        return error_response(exc.message, exc.status, exc.code)
    if isinstance(exc, Http404):
        return error_response("Not found.", status.HTTP_404_NOT_FOUND, "NotFound")
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        message = _flatten(detail)
    else:
        message = str(detail.get("detail", detail)) if isinstance(detail, dict) else str(detail)
    response.data = {"error": message}
    if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
        response["X-Error-Message"] = message
    return response


def _flatten(detail: object) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)
