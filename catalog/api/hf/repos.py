"""Repository management the way `HfApi` calls it: create, delete, settings, move, auth
check; plus the two small endpoints the client calls on its own (README metadata check,
agent registry)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api.errors import error_response
from catalog.api.hf.common import absolute
from catalog.api.permissions import signed_in
from catalog.api.views import HubAPIView, admin_model
from catalog.errors import (
    Conflict,
    Forbidden,
    HubError,
    InvalidInput,
    TooManyRequests,
    Unauthorized,
)
from catalog.permissions import model_can_write
from catalog.ratelimit import client_id, over_limit, parse_rate
from catalog.services.cards import card_split
from catalog.services.models import model_create, model_delete, model_update
from catalog.services.moves import model_move


def repo_type_check(data) -> None:
    if data.get("type") not in (None, "", "model"):
        raise InvalidInput("Only model repositories are hosted here (type must be 'model').")


def visibility(data) -> bool | None:
    """`private: bool` (older clients) or `visibility: public|private` (current ones)."""
    if data.get("visibility") in ("public", "private"):
        return data["visibility"] == "private"
    if data.get("visibility") is not None:
        raise InvalidInput("visibility must be 'public' or 'private'.")
    private = data.get("private")
    return None if private is None else bool(private)


def repo_owner(request: Request) -> tuple[str, str]:
    name = str(request.data.get("name") or "")
    organization = request.data.get("organization") or request.user.get_username()
    return str(organization), name


class RepoCreate(HubAPIView):
    def post(self, request: Request) -> Response:
        signed_in(request)
        repo_type_check(request.data)
        owner, name = repo_owner(request)
        namespace = selectors.namespace_get(name=owner)
        url = absolute(request, f"/{owner}/{name}")
        try:
            model = model_create(
                user=request.user,
                name=name,
                namespace=namespace,
                private=bool(visibility(request.data)),
            )
        except Conflict as exc:  # the client's exist_ok=True reads the url of the 409
            response = error_response(exc.message, exc.status, exc.code)
            response.data["url"] = url
            return response
        return Response({"url": url, "name": model.full_name, "id": model.public_id})


class RepoDelete(HubAPIView):
    def delete(self, request: Request) -> Response:
        signed_in(request)
        repo_type_check(request.data)
        owner, name = repo_owner(request)
        model = admin_model(request, owner, name)
        model_delete(actor=request.user, model=model)
        return Response({"deleted": f"{owner}/{name}"})


class RepoSettings(HubAPIView):
    def put(self, request: Request, owner: str, name: str) -> Response:
        model = admin_model(request, owner, name)
        if request.data.get("gated") not in (None, False):
            raise InvalidInput("Gated access is not supported by this hub.")
        private = visibility(request.data)
        if private is not None:
            model = model_update(model=model, actor=request.user, private=private)
        return Response({"private": model.private, "gated": False})


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

    def post(self, request: Request) -> Response:
        if not request.user.is_authenticated:  # no account needed, so each address is limited
            limit, window = parse_rate(settings.HUB_VALIDATE_YAML_RATE)
            if over_limit(f"validate-yaml:{client_id(request)}", limit=limit, window=window):
                raise TooManyRequests(
                    f"At most {limit} anonymous metadata checks per {window} s; "
                    "sign in (a token) or try again later."
                )
        try:
            card_split(str(request.data.get("content") or ""))
        except HubError as exc:
            return Response(
                {"error": exc.message, "errors": [{"message": exc.message}], "warnings": []},
                status=400,
            )
        return Response({"errors": [], "warnings": []})


class RepoMove(HubAPIView):
    """`HfApi.move_repo`: {"fromRepo": "a/x", "toRepo": "b/y", "type": "model"}."""

    def post(self, request: Request) -> Response:
        signed_in(request)
        repo_type_check(request.data)
        owner, name = repo_id_split(request.data.get("fromRepo"), "fromRepo")
        target_owner, target_name = repo_id_split(request.data.get("toRepo"), "toRepo")
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        namespace = selectors.namespace_get(name=target_owner)
        model = model_move(actor=request.user, model=model, namespace=namespace, name=target_name)
        return Response({"url": absolute(request, f"/{model.full_name}"), "id": model.full_name})


def repo_id_split(value: object, field: str) -> tuple[str, str]:
    if not isinstance(value, str) or value.count("/") != 1 or "" in value.split("/"):
        raise InvalidInput(f"{field} must be 'namespace/name'.")
    owner, name = value.split("/")
    return owner, name


class AuthCheck(HubAPIView):
    """`HfApi.auth_check`: 200 when the caller may read the model (`/write`: write to it)."""

    def get(self, request: Request, owner: str, name: str, write: str = "") -> Response:
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        if write and not model_can_write(user=request.user, model=model):
            if not request.user.is_authenticated:
                raise Unauthorized("Sign in or send `Authorization: Bearer <token>` to write.")
            raise Forbidden(f"You cannot write to {model.full_name}.")
        return Response({"read": True, "write": model_can_write(user=request.user, model=model)})


class AgentHarnesses(HubAPIView):
    """Each client process asks the endpoint for its agent registry: none here."""

    def get(self, request: Request) -> Response:
        return Response({"standardEnvVars": [], "harnesses": {}})
