"""A dependency (database, broker, cache) down during a request is a clean 503, not a 500.

API and download clients get `{"error": ...}` JSON, browsers a short HTML page; both carry
Retry-After so clients and load balancers back off. The error is logged once, no traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

MESSAGE = "The service is temporarily unavailable ({what}); try again in a few seconds."
PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Temporarily unavailable</title>"
    "</head><body><h1>Temporarily unavailable</h1><p>{message}</p></body></html>"
)


def unavailable_errors() -> dict[type[BaseException], str]:
    """Exception type -> which dependency it means. Broker/cache clients are optional."""
    errors: dict[type[BaseException], str] = {
        OperationalError: "database",
        InterfaceError: "database",
    }
    try:
        from kombu.exceptions import OperationalError as BrokerError

        errors[BrokerError] = "task broker"
    except ImportError:  # pragma: no cover - kombu comes with celery
        pass
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        errors[RedisConnectionError] = errors[RedisTimeoutError] = "cache"
    except ImportError:  # pragma: no cover
        pass
    return errors


def unavailable_response(request: HttpRequest, what: str) -> HttpResponse:
    message = MESSAGE.format(what=what)
    # Browsers ask for HTML and get a page; API and download clients (the HF client, curl)
    # get the API's JSON error shape.
    browser = "text/html" in request.headers.get("Accept", "")
    if browser and not request.path.startswith("/api/"):
        response: HttpResponse = HttpResponse(PAGE.format(message=message), status=503)
    else:
        response = JsonResponse({"error": message}, status=503)
    response["Retry-After"] = str(settings.HUB_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.errors = unavailable_errors()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        for kind, what in self.errors.items():
            if isinstance(exception, kind):
                logger.error(
                    "%s unavailable during %s %s: %s: %s",
                    what,
                    request.method,
                    request.path,
                    type(exception).__name__,
                    exception,
                )
                return unavailable_response(request, what)
        return None
