"""Repository management the way `HfApi` calls it: create, delete, settings, move, auth
check; plus the two small endpoints the client calls on its own (README metadata check,
agent registry)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api.errors import error_response
from catalog.api.hf.common import absolute
from catalog.api.hf.serializers import (
    AgentHarnessesSerializer,
    AuthCheckedSerializer,
    RepoCreatedSerializer,
    RepoCreateSerializer,
    RepoDeletedSerializer,
    RepoDeleteSerializer,
    RepoMovedSerializer,
    RepoMoveSerializer,
    RepoSettingsSerializer,
    RepoSettingsSetSerializer,
    ValidateYamlSerializer,
    YamlCheckedSerializer,
)
from catalog.api.openapi_hf import DeleteWithBody
from catalog.api.permissions import signed_in
from catalog.api.views import HubAPIView, admin_model
from catalog.errors import Conflict, Forbidden, HubError, TooManyRequests, Unauthorized
from catalog.permissions import model_can_write
from catalog.ratelimit import client_id, over_limit, parse_rate
from catalog.services.cards import card_split
from catalog.services.models import model_create, model_delete, model_update
from catalog.services.moves import model_move


class RepoCreate(HubAPIView):
    @extend_schema(request=RepoCreateSerializer, responses={200: RepoCreatedSerializer})
    def post(self, request: Request) -> Response:
        signed_in(request)
        data = RepoCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner, name = data.owner_name(request.user.get_username())
        namespace = selectors.namespace_get(name=owner)
        url = absolute(request, f"/{owner}/{name}")
        try:
            model = model_create(
                user=request.user,
                name=name,
                namespace=namespace,
                private=bool(data.private_wanted()),
            )
        except Conflict as exc:  # the client's exist_ok=True reads the url of the 409
            response = error_response(exc.message, exc.status, exc.code)
            response.data["url"] = url
            return response
        created = {"url": url, "name": model.full_name, "id": model.public_id}
        return Response(RepoCreatedSerializer(created).data)


class RepoDelete(HubAPIView):
    schema = DeleteWithBody()

    @extend_schema(request=RepoDeleteSerializer, responses={200: RepoDeletedSerializer})
    def delete(self, request: Request) -> Response:
        signed_in(request)
        data = RepoDeleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner, name = data.owner_name(request.user.get_username())
        model = admin_model(request, owner, name)
        model_delete(actor=request.user, model=model)
        return Response(RepoDeletedSerializer({"deleted": f"{owner}/{name}"}).data)


class RepoSettings(HubAPIView):
    @extend_schema(request=RepoSettingsSerializer, responses={200: RepoSettingsSetSerializer})
    def put(self, request: Request, owner: str, name: str) -> Response:
        model = admin_model(request, owner, name)
        data = RepoSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        private = data.private_wanted()
        if private is not None:
            model = model_update(model=model, actor=request.user, private=private)
        return Response(RepoSettingsSetSerializer({"private": model.private, "gated": False}).data)


class PlainTextRenderer(BaseRenderer):
    """`ModelCard.push_to_hub` asks for `Accept: text/plain` and reads the error text: the
    messages, one a line (nothing when the card is valid)."""

    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if not isinstance(data, dict):
            return str(data or "").encode()
        messages = [item.get("message", "") for item in data.get("errors") or []]
        text = "\n".join(messages) or str(data.get("error") or "")
        return text.encode()


class ValidateYaml(HubAPIView):
    """The client checks README.md metadata here before it uploads a card: JSON for
    `HfApi` callers, text for `RepoCard.validate` (which sends `Accept: text/plain`)."""

    permission_classes = []  # a pure check: nothing is written
    renderer_classes = [JSONRenderer, PlainTextRenderer]

    @extend_schema(request=ValidateYamlSerializer, responses={200: YamlCheckedSerializer})
    def post(self, request: Request) -> Response:
        if not request.user.is_authenticated:  # no account needed, so each address is limited
            limit, window = parse_rate(settings.HUB_VALIDATE_YAML_RATE)
            if over_limit(f"validate-yaml:{client_id(request)}", limit=limit, window=window):
                raise TooManyRequests(
                    f"At most {limit} anonymous metadata checks per {window} s; "
                    "sign in (a token) or try again later."
                )
        data = ValidateYamlSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            card_split(data.validated_data["content"])
        except HubError as exc:
            checked = {"error": exc.message, "errors": [{"message": exc.message}], "warnings": []}
            return Response(YamlCheckedSerializer(checked).data, status=400)
        return Response(YamlCheckedSerializer({"errors": [], "warnings": []}).data)


class RepoMove(HubAPIView):
    """`HfApi.move_repo`: {"fromRepo": "a/x", "toRepo": "b/y", "type": "model"}."""

    @extend_schema(request=RepoMoveSerializer, responses={200: RepoMovedSerializer})
    def post(self, request: Request) -> Response:
        signed_in(request)
        data = RepoMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner, name = data.validated_data["fromRepo"]
        target_owner, target_name = data.validated_data["toRepo"]
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        namespace = selectors.namespace_get(name=target_owner)
        model = model_move(actor=request.user, model=model, namespace=namespace, name=target_name)
        moved = {"url": absolute(request, f"/{model.full_name}"), "id": model.full_name}
        return Response(RepoMovedSerializer(moved).data)


class AuthCheck(HubAPIView):
    """`HfApi.auth_check`: 200 when the caller may read the model (`/write`: write to it)."""

    @extend_schema(responses=AuthCheckedSerializer)
    def get(self, request: Request, owner: str, name: str, write: str = "") -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        if write and not model_can_write(user=request.user, model=model):
            if not request.user.is_authenticated:
                raise Unauthorized("Sign in or send `Authorization: Bearer <token>` to write.")
            raise Forbidden(f"You cannot write to {model.full_name}.")
        checked = {"read": True, "write": model_can_write(user=request.user, model=model)}
        return Response(AuthCheckedSerializer(checked).data)


class AgentHarnesses(HubAPIView):
    """Each client process asks the endpoint for its agent registry: none here."""

    @extend_schema(responses=AgentHarnessesSerializer)
    def get(self, request: Request) -> Response:
        none = {"standardEnvVars": [], "harnesses": {}}
        return Response(AgentHarnessesSerializer(none).data)
