"""Reads the client needs besides model_info: refs, trees, and full-ref revisions."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api import serializers as out
from catalog.api.hf.common import revision_normalize
from catalog.api.hf.serializers import refs_json, tree_entries
from catalog.api.views import HubAPIView
from catalog.errors import RevisionNotFound

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
        aliases = model.aliases.select_related("version").filter(version__status="ready")
        return Response(refs_json(selectors.version_latest(model), versions, aliases))


class Tree(HubAPIView):
    def get(
        self, request: Request, owner: str, name: str, revision: str, path: str = ""
    ) -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        version = selectors.version_resolve(model=model, revision=revision_normalize(revision))
        rows = version.files.values_list("path", "blob_id", "blob__size")
        recursive = request.query_params.get("recursive", "") in TRUE
        scans = None
        if request.query_params.get("expand", "") in TRUE:  # as the Hub: scan results
            scans = dict(version.files.values_list("path", "metadata__scan"))
        return Response(tree_entries(rows, folder=path or "", recursive=recursive, scans=scans))
