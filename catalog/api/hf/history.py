"""`list_repo_commits` (one commit per version) and `get_paths_info`, as the client calls them."""

from __future__ import annotations

from urllib.parse import parse_qsl

from django.http import QueryDict
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.ancestry import ancestry_for
from catalog.api.hf.common import revision_normalize
from catalog.api.hf.paging import keyset_page
from catalog.api.hf.serializers import (
    Expansion,
    RepoFile,
    commit_json,
    last_commit_json,
    paths_entries,
)
from catalog.api.parsers import JSONObjectParser, TextFormParser, fields_check
from catalog.api.views import HubAPIView
from catalog.errors import InvalidInput
from catalog.history import last_commits, version_commits
from catalog.services.gitmeta import version_files_git

TRUE = {"1", "true", "True", "yes"}
PATH_MAX_CHARS = 1024  # a repository path's limit (catalog.naming)


PATHS_INFO_MAX = 1000  # paths per paths-info call (documented in the README and the schema)


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

    def get(self, request: Request, owner: str, name: str, revision: str) -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        revision = revision_normalize(revision)
        if revision == "main" and selectors.version_latest(model) is None:
            return Response([])  # a new repository: no commits yet
        version = selectors.version_resolve(model=model, revision=revision)
        page, headers = keyset_page(
            request, version_commits(version), ordering=["-number"], kinds=["int"]
        )
        ancestry = ancestry_for(user=request.user, models=[model], versions=page)
        expand = request.query_params.getlist("expand[]") + request.query_params.getlist("expand")
        formatted = "formatted" in expand
        body = [commit_json(item, ancestry, formatted=formatted) for item in page]
        return Response(body, headers=headers)


class PathsInfo(HubAPIView):
    """`POST /api/models/{o}/{n}/paths-info/{revision}` with `paths` (a form list or a JSON
    list) and `expand`: the entries of those paths, as the tree lists them."""

    permission_classes = []  # a read: anyone who may see the model
    parser_classes = [JSONObjectParser, PathsFormParser]

    def post(self, request: Request, owner: str, name: str, revision: str) -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        version = selectors.version_resolve(model=model, revision=revision_normalize(revision))
        paths = _paths(request.data)
        files = [RepoFile.of(row) for row in version_files_git(version)]
        expansion = None
        if str(request.data.get("expand", "")) in TRUE:
            asked = _asked(files, paths)
            ancestry = ancestry_for(user=request.user, models=[model], versions=[version])
            last = {
                path: last_commit_json(commit, ancestry)
                for path, commit in last_commits(version, asked).items()
            }
            expansion = Expansion(last)
        return Response(paths_entries(files, paths, expansion))


def _paths(data) -> list[str]:
    values = data.getlist("paths") if isinstance(data, QueryDict) else data.get("paths")
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not all(isinstance(path, str) for path in values):
        raise InvalidInput("paths must be a list of file or folder paths.")
    limit = PATHS_INFO_MAX
    if len(values) > limit:
        raise InvalidInput(
            f"Ask for at most {limit} paths per paths-info call (got {len(values)}); "
            "split the list into several calls."
        )
    return values


def _asked(files: list[RepoFile], paths: list[str]) -> set[str]:
    """Files asked for by name, or inside an asked folder (whose last commit they feed)."""
    wanted = {path.strip("/") for path in paths}
    asked = set()
    for file in files:
        parts = file.path.split("/")
        if any("/".join(parts[:depth]) in wanted for depth in range(1, len(parts) + 1)):
            asked.add(file.path)
    return asked
