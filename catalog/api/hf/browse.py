"""Reads the client needs besides model_info: refs, trees, and full-ref revisions."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.ancestry import ancestry_for
from catalog.api import serializers as out
from catalog.api.hf.common import revision_normalize
from catalog.api.hf.serializers import (
    Expansion,
    RepoFile,
    last_commit_json,
    refs_json,
    tree_entries,
)
from catalog.api.views import HubAPIView
from catalog.errors import RevisionNotFound
from catalog.history import last_commits
from catalog.services.gitmeta import version_files_git

TRUE = {"1", "true", "True", "yes"}


class ModelRevisionRef(HubAPIView):
    """`GET /api/models/{o}/{n}/revision/refs%2Fheads%2Fmain` (the client quotes revisions;
    the server decodes the slashes)."""

    def get(self, request: Request, owner: str, name: str, revision: str) -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        short = revision_normalize(revision)
        if "/" in short:
            raise RevisionNotFound(f"Revision {revision!r} of {model.full_name} does not exist.")
        version = selectors.version_resolve(model=model, revision=short)
        return Response(out.model_detail(model, version, user=request.user))


class Refs(HubAPIView):
    def get(self, request: Request, owner: str, name: str) -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        versions = selectors.versions_ready(model).order_by("number")
        aliases = selectors.model_aliases(model, ready_only=True)
        return Response(refs_json(selectors.version_latest(model), versions, aliases))


class Tree(HubAPIView):
    def get(
        self, request: Request, owner: str, name: str, revision: str, path: str = ""
    ) -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        version = selectors.version_resolve(model=model, revision=revision_normalize(revision))
        files = [RepoFile.of(row) for row in version_files_git(version)]
        recursive = request.query_params.get("recursive", "") in TRUE
        expansion = None
        if request.query_params.get("expand", "") in TRUE:  # as the Hub: scans, last commits
            ancestry = ancestry_for(user=request.user, models=[model], versions=[version])
            commits = last_commits(version, [file.path for file in files])
            expansion = Expansion(
                {path: last_commit_json(c, ancestry) for path, c in commits.items()}
            )
        entries = tree_entries(files, folder=path or "", recursive=recursive, expand=expansion)
        return Response(entries)
