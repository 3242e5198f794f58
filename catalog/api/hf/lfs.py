"""The Git-LFS side of uploads: the batch API hands out signed upload URLs on this hub, and
each object is PUT there, streamed into the staging area (catalog.services.lfs)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api.errors import hub_error_response
from catalog.api.hf.common import absolute
from catalog.api.hf.git_serializers import LfsBatchAnswerSerializer, LfsBatchSerializer
from catalog.api.hf.parsers import LfsJSONParser, LfsJSONRenderer
from catalog.api.parsers import JSONObjectParser
from catalog.api.views import HubAPIView, writable_model
from catalog.errors import (
    Forbidden,
    HubError,
    InvalidInput,
    RepoNotFound,
    TooManyRequests,
    Unauthorized,
)
from catalog.models import Model
from catalog.permissions import model_can_write
from catalog.ratelimit import UPLOADS_LIMITED, upload_allowed
from catalog.services.lfs import (
    lfs_blobs_readable,
    lfs_stage,
    lfs_staged,
    lfs_staging_sweep_now_and_then,
    size_validate,
)
from catalog.services.quotas import quota_check_staging, quota_check_upload

UPLOAD_SALT = "catalog.hf.lfs-upload"
UPLOAD_URL_SECONDS = 3600


class LfsBatch(HubAPIView):
    """`POST /{owner}/{name}.git/info/lfs/objects/batch` (Git-LFS batch API, basic transfer).
    An object the user staged already, or a stored blob they may read, is "already there"
    (no actions: the client sends nothing). Every other object gets an upload URL on this
    hub, signed for one user, model, object and hour, since the client sends no
    Authorization header with the PUT."""

    parser_classes = [LfsJSONParser, JSONObjectParser]
    renderer_classes = [LfsJSONRenderer, JSONRenderer]

    @extend_schema(
        request={
            "application/vnd.git-lfs+json": LfsBatchSerializer,
            "application/json": LfsBatchSerializer,
        },
        responses=LfsBatchAnswerSerializer,
    )
    def post(self, request: Request, owner: str, name: str) -> Response:
        model = writable_model(request, owner, name)
        data = LfsBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objects = [(obj["oid"], obj["size"]) for obj in data.validated_data["objects"]]
        lfs_staging_sweep_now_and_then()
        stored = lfs_blobs_readable(user=request.user, oids=[oid for oid, _ in objects])
        answer = [self._object(request, model, oid, size, stored) for oid, size in objects]
        sending = sum(item["size"] for item in answer if "actions" in item)
        quota_check_upload(user=request.user, adding=sending)  # before any byte is sent
        batch = {"transfer": "basic", "objects": answer, "hash_algo": "sha256"}
        return Response(LfsBatchAnswerSerializer(batch).data)

    def _object(
        self, request: Request, model: Model, oid: str, size: int, stored: dict[str, int]
    ) -> dict:
        item = {"oid": oid, "size": size, "authenticated": True}
        if stored.get(oid) == size or _staged_size(request.user.pk, oid) == size:
            return item  # already here: no action, the client skips it
        grant = {"oid": oid, "size": size, "user": request.user.pk, "model": model.pk}
        token = signing.dumps(grant, salt=UPLOAD_SALT, compress=True)
        href = absolute(request, reverse("hf-lfs-upload", args=[oid]))
        item["actions"] = {
            "upload": {
                "href": f"{href}?{urlencode({'token': token})}",
                "expires_in": UPLOAD_URL_SECONDS,
            }
        }
        return item


def _staged_size(user_id: int, oid: str) -> int | None:
    staged = lfs_staged(user_id=user_id, oid=oid)  # renews its lease on the sweep
    try:
        return staged.stat().st_size if staged is not None else None
    except FileNotFoundError:  # committed or swept meanwhile
        return None


@csrf_exempt
@require_http_methods(["PUT"])
def lfs_upload(request: HttpRequest, oid: str) -> HttpResponse:
    """`PUT /api/lfs/objects/{oid}?token=...`: stream one object into staging, verified.
    Each PUT counts against the signed user's upload rate, like a commit does."""
    try:
        grant, user = _grant(request.GET.get("token", ""), oid)
        size = size_validate(grant["size"])
        if not upload_allowed(request, user=user):
            raise TooManyRequests(UPLOADS_LIMITED)
        declared = request.META.get("CONTENT_LENGTH")
        if declared and declared.strip() != str(size):
            raise InvalidInput(f"Content-Length {declared} is not the announced {size} bytes.")
        quota_check_staging(user_id=user.pk, adding=size)
        lfs_stage(user_id=grant["user"], oid=oid, size=size, stream=request)
    except HubError as exc:
        return hub_error_response(exc)
    return HttpResponse(status=200)


def _grant(token: str, oid: str) -> tuple[dict, AbstractBaseUser]:
    try:
        grant = signing.loads(token, salt=UPLOAD_SALT, max_age=UPLOAD_URL_SECONDS)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise Unauthorized(
            "This upload URL is invalid or expired; ask the batch API again."
        ) from exc
    if grant.get("oid") != oid:
        raise Unauthorized("This upload URL is for another object.")
    user = selectors.user_active_get(grant.get("user"))
    model = selectors.model_by_pk(grant.get("model"))
    if user is None or model is None:
        raise RepoNotFound("The model or user of this upload URL no longer exists.")
    if not model_can_write(user=user, model=model):
        raise Forbidden(f"{user.get_username()} can no longer write to {model.full_name}.")
    return grant, user
