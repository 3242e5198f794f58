"""`create_tag` / `delete_tag`: git tags are the hub's aliases (same name rules, same
errors); `list_repo_refs` lists them beside the version tags `vN`."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api.hf.common import revision_normalize
from catalog.api.views import HubAPIView, writable_model
from catalog.errors import InvalidInput
from catalog.services.aliases import alias_create, alias_delete


class Tag(HubAPIView):
    """`POST .../tag/{revision}` {"tag", "message"} tags a revision; `DELETE .../tag/{tag}`
    removes a tag (the client uses the same route for both)."""

    def post(self, request: Request, owner: str, name: str, revision: str) -> Response:
        model = writable_model(request, owner, name)
        tag = request.data.get("tag")
        if not isinstance(tag, str) or not tag:
            raise InvalidInput('Send {"tag": "<name>"} with the tag to create.')
        version = selectors.version_resolve(model=model, revision=revision_normalize(revision))
        message = request.data.get("message")
        alias_create(
            model=model,
            name=tag,
            version=version,
            actor=request.user,
            message=message if isinstance(message, str) else "",
        )
        return Response({"tag": tag, "version": version.number, "sha": version.revision})

    def delete(self, request: Request, owner: str, name: str, revision: str) -> Response:
        model = writable_model(request, owner, name)
        alias_delete(model=model, name=revision_normalize(revision), actor=request.user)
        return Response(status=204)
