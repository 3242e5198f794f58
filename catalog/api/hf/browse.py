"""Reads the client needs besides model_info: refs, trees, and full-ref revisions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.ancestry import ancestry_for
from catalog.api.hf.common import revision_normalize
from catalog.api.hf.git_serializers import (
    Expansion,
    RepoFile,
    TreeEntrySerializer,
    TreeQuerySerializer,
    tree_entries,
)
from catalog.api.hf.serializers import RefsSerializer, RepoRefs
from catalog.api.serializers import model_detail
from catalog.api.views import HubAPIView
from catalog.errors import RevisionNotFound
from catalog.history import last_commits
from catalog.services.gitmeta import version_files_git


class ModelRevisionRef(HubAPIView):
    """`GET /api/models/{o}/{n}/revision/refs%2Fheads%2Fmain` (the client quotes revisions;
    the server decodes the slashes)."""

    def get(self, request: Request, owner: str, name: str, revision: str) -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        short = revision_normalize(revision)
        if "/" in short:
            raise RevisionNotFound(f"Revision {revision!r} of {model.full_name} does not exist.")
        version = selectors.version_resolve(model=model, revision=short)
        return Response(model_detail(model, version, user=request.user))


class Refs(HubAPIView):
    @extend_schema(responses=RefsSerializer)
    def get(self, request: Request, owner: str, name: str) -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        versions = selectors.versions_ready(model).order_by("number")
        aliases = selectors.model_aliases(model, ready_only=True)
        refs = RepoRefs.of(selectors.version_latest(model), versions, aliases)
        return Response(RefsSerializer(refs).data)


class Tree(HubAPIView):
    @extend_schema(parameters=[TreeQuerySerializer], responses=TreeEntrySerializer(many=True))
    def get(
        self, request: Request, owner: str, name: str, revision: str, path: str = ""
    ) -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        query = TreeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        version = selectors.version_resolve(model=model, revision=revision_normalize(revision))
        files = [RepoFile.of(row) for row in version_files_git(version)]
        expansion = None
        if query.validated_data["expand"]:  # as the Hub: scans, last commits
            ancestry = ancestry_for(user=request.user, models=[model], versions=[version])
            commits = last_commits(version, [file.path for file in files])
            expansion = Expansion.of(commits, ancestry)
        entries = tree_entries(
            files, folder=path or "", recursive=query.validated_data["recursive"]
        )
        return Response(TreeEntrySerializer(entries, many=True, context={"expand": expansion}).data)
