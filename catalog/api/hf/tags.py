"""`create_tag` / `delete_tag`: git tags are the hub's aliases (same name rules, same
errors); `list_repo_refs` lists them beside the version tags `vN`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api.hf.common import revision_normalize
from catalog.api.hf.serializers import TagCreatedSerializer, TagCreateSerializer
from catalog.api.views import HubAPIView, writable_model
from catalog.services.aliases import alias_create, alias_delete


class Tag(HubAPIView):
    """`POST .../tag/{revision}` {"tag", "message"} tags a revision; `DELETE .../tag/{tag}`
    removes a tag (the client uses the same route for both)."""

    @extend_schema(request=TagCreateSerializer, responses={200: TagCreatedSerializer})
    def post(self, request: Request, owner: str, name: str, revision: str) -> Response:
        model = writable_model(request, owner, name)
        data = TagCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tag = data.validated_data["tag"]
        version = selectors.version_resolve(model=model, revision=revision_normalize(revision))
        alias_create(
            model=model,
            name=tag,
            version=version,
            actor=request.user,
            message=data.validated_data["message"],
        )
        created = {"tag": tag, "version": version.number, "sha": version.revision}
        return Response(TagCreatedSerializer(created).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, owner: str, name: str, revision: str) -> Response:
        model = writable_model(request, owner, name)
        alias_delete(model=model, name=revision_normalize(revision), actor=request.user)
        return Response(status=204)
