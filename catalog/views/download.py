"""`GET|HEAD /{owner}/{name}/resolve/{revision}/{path}`: the Hugging Face download route."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from catalog import selectors
from catalog.api.authentication import INVALID_CREDENTIALS, bearer_from_header
from catalog.api.caching import is_pinned
from catalog.api.errors import hub_error_response
from catalog.errors import EntryNotFound, HubError, RepoMoved, Unauthorized
from catalog.file_responses import file_response
from catalog.ratelimit import client_id
from catalog.services.downloads import download_record
from catalog.services.tokens import token_authenticate


def request_user(request: HttpRequest):
    """Bearer token if one is sent (a bad one is an error), else the session user."""
    raw = bearer_from_header(request.headers.get("Authorization", ""))
    if raw is None:
        return request.user
    token = token_authenticate(raw)
    if token is None:
        # The Hub's wording: the client reports it as a bad token, not as a missing repo.
        raise Unauthorized(INVALID_CREDENTIALS)
    return token.user


@require_http_methods(["GET", "HEAD"])
def resolve(request: HttpRequest, owner: str, name: str, revision: str, path: str) -> HttpResponse:
    version = None
    try:
        user = request_user(request) or AnonymousUser()
        model = selectors.model_get(user=user, owner=owner, name=name)
        version = selectors.version_resolve(model=model, revision=revision)
        row = selectors.version_file_get(version=version, path=path)
        response = file_response(
            row,
            version,
            range_header=request.headers.get("Range"),
            head=request.method == "HEAD",
            if_none_match=request.headers.get("If-None-Match"),
            cache_control=download_cache_control(revision, private=model.private),
        )
    except RepoMoved as exc:  # the Hub's answer after a rename: the client follows it
        return HttpResponse(status=307, headers={"Location": exc.location(request.get_full_path())})
    except HubError as exc:
        error = hub_error_response(exc)
        if isinstance(exc, EntryNotFound) and version is not None:
            error["X-Repo-Commit"] = version.revision  # the client caches "not in this commit"
        return error
    if request.method == "GET" and _starts_the_file(response):
        download_record(model=model, path=path, client=client_id(request, user=user))
    return response


def _starts_the_file(response: HttpResponse) -> bool:
    """Resumed chunks (a Range past byte 0) are the same download continuing."""
    if response.status_code in (200, 302):
        return True
    return response.status_code == 206 and response["Content-Range"].startswith("bytes 0-")


def download_cache_control(revision: str, *, private: bool) -> str:
    """A pinned revision's bytes never change; `main` and aliases move, so caches revalidate
    them (the ETag makes that a cheap 304). Private bytes never go to shared caches."""
    scope = "private" if private else "public"
    if is_pinned(revision):
        return f"{scope}, max-age=31536000, immutable"
    return f"{scope}, no-cache"
