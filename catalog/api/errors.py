"""Every API error is `{"error": "..."}` with the right status (and the Hub's X-Error-Code)."""

from __future__ import annotations

import logging

from django.db import DataError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from catalog.errors import TOO_DEEP, UNSTORABLE, HubError, RepoMoved

logger = logging.getLogger(__name__)

HEADER_MAX = 500
NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY  # a body-wide error: no field to name


def header_safe(text: str) -> str:
    """One line of printable ASCII: messages quote what the client sent (a path with CR/LF,
    NUL or non-Latin-1 letters), and a header may carry none of that."""
    safe = "".join(
        char if " " <= char <= "~" else char.encode("unicode_escape").decode() for char in text
    )
    return safe[:HEADER_MAX]


def error_response(message: str, status_code: int, code: str = "") -> Response:
    response = Response({"error": message}, status=status_code)
    if code:
        set_error_headers(response, code, message)
    return response


def set_error_headers(response, code: str, message: str) -> None:
    """The headers the Hugging Face client reads to name an error; the one place they are set."""
    if code:
        response["X-Error-Code"] = header_safe(code)
    response["X-Error-Message"] = header_safe(message)


def hub_error_response(exc: HubError) -> JsonResponse:
    """A domain error as plain Django views answer it (downloads, LFS uploads): the same
    `{"error": ...}` body and headers as the DRF handler's."""
    response = JsonResponse({"error": exc.message}, status=exc.status)
    set_error_headers(response, exc.code, exc.message)
    return response


def moved_response(exc: RepoMoved, full_path: str) -> Response | None:
    """307 to the moved model's new name (the Hub's answer after a rename), or None when the
    URL does not carry the old name (a body named it: that is a plain 404)."""
    location = exc.location(full_path)
    if location == full_path:
        return None
    response = Response({"error": f"{exc.old} moved to {exc.new}."}, status=307)
    response["Location"] = location
    return response


def json_exception_handler(exc: Exception, context: dict) -> Response | None:
    request = context.get("request")
    if isinstance(exc, RepoMoved) and request is not None:
        moved = moved_response(exc, request.get_full_path())
        if moved is not None:
            return moved
    if isinstance(exc, HubError):
        return error_response(exc.message, exc.status, exc.code)
    if isinstance(exc, Http404):
        return error_response("Not found.", status.HTTP_404_NOT_FOUND, "NotFound")
    if isinstance(exc, RecursionError | DataError):  # last resorts: parsers refuse first
        logger.warning("%r answered as a 400 in %s", exc, context.get("view"))
        message = TOO_DEEP if isinstance(exc, RecursionError) else UNSTORABLE
        return error_response(message, status.HTTP_400_BAD_REQUEST, "BadRequest")
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        message = _flatten(detail)
    else:
        message = str(detail.get("detail", detail)) if isinstance(detail, dict) else str(detail)
    if isinstance(exc, exceptions.UnsupportedMediaType) and context.get("view"):
        accepted = " or ".join(parser.media_type for parser in context["view"].get_parsers())
        message = f"{message} Send {accepted}."
    response.data = {"error": message}
    if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
        set_error_headers(response, "", message)
    return response


def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Every /api/ URL that no route matches, whatever DEBUG says: JSON, like all API errors."""
    return JsonResponse({"error": no_api_endpoint(request.path)}, status=404)


def no_api_endpoint(path: str) -> str:
    return f"No API endpoint at {path!r}; the API is described at /api/docs."


def _flatten(detail: object) -> str:
    if isinstance(detail, dict):
        return "; ".join(
            _flatten(value) if key == NON_FIELD else f"{key}: {_flatten(value)}"
            for key, value in detail.items()
        )
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)
