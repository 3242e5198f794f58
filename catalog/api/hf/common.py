"""Small helpers shared by the Hub-protocol views."""

from __future__ import annotations

from rest_framework.request import Request

from catalog import selectors
from catalog.errors import InvalidInput
from catalog.models import Model

REF_PREFIXES = ("refs/heads/", "refs/tags/")


def revision_normalize(revision: str) -> str:
    """The client may send a full git ref (`refs/heads/main`, `refs/tags/v2`): the hub's
    revisions are `main`, `vN`, aliases and 40-hex ids, so keep the short name."""
    for prefix in REF_PREFIXES:
        if revision.startswith(prefix):
            return revision[len(prefix) :]
    return revision


def commit_target_check(model: Model, revision: str) -> None:
    """Commits go to `main` (a new version on top of the latest); a version is immutable."""
    revision = revision_normalize(revision)
    if revision == "main":
        return
    selectors.version_resolve(model=model, revision=revision)  # RevisionNotFound if unknown
    raise InvalidInput(
        f"{revision!r} names an existing version, and versions are immutable: commit to main."
    )


def absolute(request: Request, path: str) -> str:
    return request.build_absolute_uri(path)
