"""Repository management the way `HfApi` calls it: create, delete, settings; plus the two
small endpoints the client calls on its own (README metadata check, agent registry)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api.account_views import signed_in
from catalog.api.errors import error_response
from catalog.api.hf.common import absolute
from catalog.api.views import HubAPIView, admin_model
from catalog.errors import Conflict, HubError, InvalidInput, NotFound, TooManyRequests
from catalog.models import Namespace
from catalog.ratelimit import client_id, over_limit, parse_rate
from catalog.services.cards import card_split
from catalog.services.models import model_create, model_delete, model_update


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
        namespace = Namespace.objects.filter(name=owner).first()
        if namespace is None:
            raise NotFound(f"Namespace {owner!r} does not exist.")
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


class ValidateYaml(HubAPIView):
    """The client checks README.md metadata here before it uploads a card."""

    permission_classes = []  # a pure check: nothing is written

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


class AgentHarnesses(HubAPIView):
    """Each client process asks the endpoint for its agent registry: none here."""

    def get(self, request: Request) -> Response:
        return Response({"standardEnvVars": [], "harnesses": {}})
