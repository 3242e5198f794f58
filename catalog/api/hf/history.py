"""`list_repo_commits` (one commit per version) and `get_paths_info`, as the client calls them."""

from __future__ import annotations

from urllib.parse import parse_qsl

from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.ancestry import ancestry_for
from catalog.api.hf.common import revision_normalize
from catalog.api.hf.git_serializers import (
    PATHS_INFO_MAX,
    CommitSerializer,
    Expansion,
    PathsInfoSerializer,
    RepoFile,
    TreeEntrySerializer,
    paths_entries,
)
from catalog.api.hf.paging import PAGED, keyset_page
from catalog.api.parsers import JSONObjectParser, TextFormParser, fields_check
from catalog.api.views import HubAPIView
from catalog.errors import InvalidInput
from catalog.history import last_commits, version_commits
from catalog.services.gitmeta import version_files_git

PATH_MAX_CHARS = 1024  # a repository path's limit (catalog.naming)


class PathsFormParser(TextFormParser):
    """The client posts `paths=a&paths=b&expand=False`: more fields than Django's own form
    limit allows once a call asks for many paths, so this reads the body itself, bounded in
    bytes and in fields, and says what the limit is."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = PATHS_INFO_MAX
        budget = (limit + 1) * (3 * PATH_MAX_CHARS + 16)  # each path percent-encoded
        raw = stream.read(budget + 1) if stream is not None else b""
        try:
            if len(raw) > budget:
                raise ValueError("too large")
            pairs = parse_qsl(raw.decode(), keep_blank_values=True, max_num_fields=limit + 8)
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidInput(
                f"Ask for at most {limit} paths per paths-info call, as a form or JSON."
            ) from exc
        data = QueryDict(mutable=True)
        for key, value in pairs:
            data.appendlist(key, value)
        return fields_check(data)


class Commits(HubAPIView):
    """`GET /api/models/{o}/{n}/commits/{revision}`: the versions up to `revision`, newest
    first, paged by `Link` (`limit`, default 50)."""

    @extend_schema(
        parameters=[*PAGED, OpenApiParameter("expand[]", str, enum=["formatted"])],
        responses=CommitSerializer(many=True),
    )
    def get(self, request: Request, owner: str, name: str, revision: str) -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        revision = revision_normalize(revision)
        if revision == "main" and selectors.version_latest(model) is None:
            return Response([])  # a new repository: no commits yet
        version = selectors.version_resolve(model=model, revision=revision)
        page, headers = keyset_page(
            request, version_commits(version), ordering=["-number"], kinds=["int"]
        )
        expand = request.query_params.getlist("expand[]") + request.query_params.getlist("expand")
        context = {
            "ancestry": ancestry_for(user=request.user, models=[model], versions=page),
            "formatted": "formatted" in expand,
        }
        return Response(CommitSerializer(page, many=True, context=context).data, headers=headers)


class PathsInfo(HubAPIView):
    """`POST /api/models/{o}/{n}/paths-info/{revision}` with `paths` (a form list or a JSON
    list) and `expand`: the entries of those paths, as the tree lists them."""

    permission_classes = []  # a read: anyone who may see the model
    parser_classes = [JSONObjectParser, PathsFormParser]

    @extend_schema(
        request={
            "application/x-www-form-urlencoded": PathsInfoSerializer,
            "application/json": PathsInfoSerializer,
        },
        responses=TreeEntrySerializer(many=True),
    )
    def post(self, request: Request, owner: str, name: str, revision: str) -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        version = selectors.version_resolve(model=model, revision=revision_normalize(revision))
        data = PathsInfoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        paths = data.validated_data["paths"]
        files = [RepoFile.of(row) for row in version_files_git(version)]
        expansion = None
        if data.validated_data["expand"]:
            ancestry = ancestry_for(user=request.user, models=[model], versions=[version])
            expansion = Expansion.of(last_commits(version, _asked(files, paths)), ancestry)
        entries = paths_entries(files, paths)
        return Response(TreeEntrySerializer(entries, many=True, context={"expand": expansion}).data)


def _asked(files: list[RepoFile], paths: list[str]) -> set[str]:
    """Files asked for by name, or inside an asked folder (whose last commit they feed)."""
    wanted = {path.strip("/") for path in paths}
    asked = set()
    for file in files:
        parts = file.path.split("/")
        if any("/".join(parts[:depth]) in wanted for depth in range(1, len(parts) + 1)):
            asked.add(file.path)
    return asked
