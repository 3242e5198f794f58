"""A dependency (database, broker, cache) down during a request is a clean 503, not a 500.

API and download clients get `{"error": ...}` JSON, browsers a short HTML page; both carry
Retry-After so clients and load balancers back off. The error is logged once, no traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from catalog.api.errors import no_api_endpoint
from catalog.errors import TOO_DEEP, UNSTORABLE, NotFound
from catalog.views.errors import not_found

logger = logging.getLogger(__name__)

MESSAGE = "The service is temporarily unavailable ({what}); try again in a few seconds."
PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Temporarily unavailable</title>"
    "</head><body><h1>Temporarily unavailable</h1><p>{message}</p></body></html>"
)


# Exception type -> which dependency it means.
UNAVAILABLE: dict[type[BaseException], str] = {
    OperationalError: "database",
    InterfaceError: "database",
    BrokerError: "task broker",
    RedisConnectionError: "cache",
    RedisTimeoutError: "cache",
}


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

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        for kind, what in UNAVAILABLE.items():
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


class NotFoundMiddleware:
    """The one place a page's `NotFound` (no such model, revision, dataset...) becomes the
    404 page with its message, so page views let selectors' errors rise. DRF views answer
    their own errors (`catalog.api.errors`); this sees what plain views let through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return not_found(request, Http404(exception.message))
        return None


API_PREFIX = "/api/"
API_MESSAGES = {
    400: "The request could not be read: its headers or body are malformed or too large.",
    403: "Forbidden.",
    413: "The request body is too large.",
}
SERVER_ERROR = "The server failed on this request; it has been logged. Try again later."
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "X-Error-Code", "X-Error-Message")


class ApiJsonErrorsMiddleware:
    """Under /api/ every error is `{"error": ...}`: also those Django or a plain view answers
    with HTML (a function view's 405, the 400 of an unreadable body, DEBUG's 404 and 500
    pages). A RecursionError or DataError from any view is the client's doing: a 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api(request) or response.status_code < 400:
            return response
        if response.streaming or "json" in response.get("Content-Type", ""):
            return response
        if getattr(response, "accepted_media_type", None) == "text/plain":
            return response  # DRF rendered it as text because the client asked for text
        return api_error_response(request, response)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Input nested too deeply for a parser, or a value the database refuses (a NUL in
        a URL of a plain view): the client's doing, a 400, never a 500."""
        if isinstance(exception, RecursionError | DataError):
            logger.warning("%r answered as a 400: %s %s", exception, request.method, request.path)
            message = TOO_DEEP if isinstance(exception, RecursionError) else UNSTORABLE
            if "text/html" in request.headers.get("Accept", "") and not is_api(request):
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
            return JsonResponse({"error": message}, status=400)
        return None


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error_response(request: HttpRequest, response: HttpResponse) -> JsonResponse:
    status = response.status_code
    if status == 405:
        message = f"{request.method} is not allowed here; use {response.get('Allow', 'another')}."
    elif status == 404:
        message = no_api_endpoint(request.path)
    elif status >= 500:
        message = SERVER_ERROR
    else:
        message = API_MESSAGES.get(status, f"{status} {response.reason_phrase}.")
    answer = JsonResponse({"error": message}, status=status)
    for header in KEPT_HEADERS:
        if header in response:
            answer[header] = response[header]
    return answer
