"""Commits as `HfApi.upload_file/upload_folder/create_commit` make them (Xet disabled):
preupload (inline or LFS per file; LFS objects then go through catalog.api.hf.lfs) and the
NDJSON commit, which becomes exactly one new version."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api.hf.common import absolute, commit_target_check
from catalog.api.hf.git_serializers import (
    CommittedSerializer,
    PreuploadPlanSerializer,
    PreuploadSerializer,
)
from catalog.api.openapi_hf import NDJSON
from catalog.api.parsers import values_check
from catalog.api.schema import ErrorSerializer
from catalog.api.views import HubAPIView, writable_model
from catalog.errors import TOO_DEEP, InvalidInput, PayloadTooLarge, TooManyRequests
from catalog.ratelimit import UPLOADS_LIMITED, upload_allowed
from catalog.services.commits import INLINE_MAX_BYTES, HubCommit, upload_plan

MAX_LINE = 2 * INLINE_MAX_BYTES + 64 * 1024  # one inline file, base64 and JSON around it


class Preupload(HubAPIView):
    @extend_schema(request=PreuploadSerializer, responses=PreuploadPlanSerializer)
    def post(self, request: Request, owner: str, name: str, revision: str) -> Response:
        model = writable_model(request, owner, name)
        commit_target_check(model, revision)
        data = PreuploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = upload_plan(model=model, files=data.validated_data["files"])
        return Response(PreuploadPlanSerializer({"files": plan}).data)


class Commit(HubAPIView):
    parser_classes = []  # the NDJSON body is read line by line, never parsed whole

    @extend_schema(
        parameters=[OpenApiParameter("create_pr", str, enum=["0", "1"])],
        request={"application/x-ndjson": NDJSON},
        responses={200: CommittedSerializer, 412: ErrorSerializer},
    )
    def post(self, request: Request, owner: str, name: str, revision: str) -> Response:
        model = writable_model(request, owner, name)
        commit_target_check(model, revision)
        if request.query_params.get("create_pr") == "1":
            raise InvalidInput("Pull requests are not supported: commit to main.")
        if not upload_allowed(request):
            raise TooManyRequests(UPLOADS_LIMITED)
        with HubCommit(model=model, user=request.user) as commit:
            for item in ndjson_items(request._request):
                commit.add(item)
            version = commit.publish()
        url = absolute(request, f"/{model.full_name}/commit/{version.revision}")
        committed = {
            "success": True,
            "commitOid": version.revision,
            "commitUrl": url,
            "pullRequestUrl": None,
            "version": version.number,
        }
        return Response(CommittedSerializer(committed).data)


def ndjson_items(stream: HttpRequest):
    """Yield one JSON value per line, reading at most MAX_LINE bytes at a time."""
    if int(stream.META.get("CONTENT_LENGTH") or 0) > settings.HUB_MAX_REQUEST_SIZE:
        raise PayloadTooLarge("The commit is larger than HUB_MAX_REQUEST_SIZE.")
    while line := stream.readline(MAX_LINE):
        if len(line) == MAX_LINE and not line.endswith(b"\n"):
            raise PayloadTooLarge("A commit line is too long: send large files through LFS.")
        if line.strip():
            try:
                item = json.loads(line)
            except ValueError as exc:
                raise InvalidInput(f"A commit line is not JSON: {exc}") from exc
            except RecursionError as exc:
                raise InvalidInput(TOO_DEEP) from exc
            yield values_check(item)
