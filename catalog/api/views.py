"""REST endpoints. Thin: validate input, call a service or selector, shape the JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors
from catalog.api import serializers as out
from catalog.api.authentication import INVALID_CREDENTIALS
from catalog.api.caching import immutable_etag_response, is_pinned
from catalog.api.listing import list_fields, models_listed
from catalog.api.pagination import link_header
from catalog.api.parsers import RepoMultiPartParser, form_fields
from catalog.api.permissions import WriteNeedsWriteToken, signed_in
from catalog.api.schema import JsonObjectSerializer
from catalog.errors import Forbidden, InvalidInput, NotFound, TooManyRequests
from catalog.info_cache import info_slot
from catalog.permissions import model_can_admin, model_can_write
from catalog.ratelimit import UPLOADS_LIMITED, upload_allowed
from catalog.search import get_backend
from catalog.search.params import search_query
from catalog.selectors import Sight
from catalog.services.aliases import alias_delete, alias_set
from catalog.services.models import model_create, model_delete, model_update
from catalog.services.quotas import quota_check_bytes
from catalog.services.versions import OnHead, version_publish
from catalog.staging import staged_from_uploads

PINNED_INFO_MAX_AGE = 300


def cached_answer(
    request: Request, *, owner: str, name: str, what: str, build: Callable[[Sight], Any]
) -> Any:
    """`build(sight)`'s answer about owner/name, from the cache while the model's state is
    unchanged (catalog/info_cache.py); `what` tells answers about the same model apart."""
    sight = selectors.sight_of(request.user)  # read once for the model and its lineage
    query = request.META.get("QUERY_STRING", "")
    slot = info_slot(owner=owner, name=name, revision=what, query=query, sight=sight)
    data = slot.get() if slot else None
    if data is None:
        data = build(sight)
        if slot:
            slot.put(data)
    return data


class HubAPIView(APIView):
    permission_classes = [WriteNeedsWriteToken]
    # The OpenAPI shapes are declared in catalog.api.openapi; this is the fallback for any
    # endpoint not described there (documented as a free-form JSON object).
    serializer_class = JsonObjectSerializer


class ModelListCreate(HubAPIView):
    def get(self, request: Request) -> Response:
        """Same results as the search page: text, filters, sort, keyset cursor in `Link`;
        the fields the Hub's `full`, `cardData`, `config` and `expand` ask for."""
        fields = list_fields(request.query_params)
        query = search_query(
            request.query_params, request.user, default_limit=50, with_facets=False
        )
        page, models = selectors.models_search(query)
        headers = {"X-Total-Count": str(page.total)}
        if page.total_is_estimate:
            headers["X-Total-Count-Estimated"] = "true"
        if page.corrected_text:
            headers["X-Search-Corrected"] = page.corrected_text
        if page.next_cursor:
            params = request.query_params.copy()
            params["cursor"] = page.next_cursor
            headers.update(
                link_header(request.build_absolute_uri(f"{request.path}?{params.urlencode()}"))
            )
        return Response(models_listed(models, user=request.user, fields=fields), headers=headers)

    def post(self, request: Request) -> Response:
        data = out.ModelCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        name = fields.pop("name")
        owner = fields.pop("namespace", "") or fields.pop("organization", "")
        fields.pop("organization", None)
        namespace = None
        if owner:
            try:
                namespace = selectors.namespace_get(name=owner)
            except NotFound as exc:  # a field of the body, not the URL: a 400
                raise InvalidInput(exc.message) from exc
        model = model_create(user=request.user, name=name, namespace=namespace, **fields)
        body = out.model_detail(model, None, user=request.user)
        body["url"] = request.build_absolute_uri(f"/{model.full_name}")
        return Response(body, status=201)


class SearchFacets(HubAPIView):
    def get(self, request: Request) -> Response:
        """Facet counts (and the total) for the same parameters as `GET /api/models`."""
        page = get_backend().search(
            search_query(request.query_params, request.user, default_limit=1)
        )
        return Response(
            {
                "total": page.total,
                "total_is_estimate": page.total_is_estimate,
                "facets_are_estimates": page.facets_are_estimates,
                "corrected_search": page.corrected_text or None,
                "facets": {
                    name: [{"value": value, "count": count} for value, count in values]
                    for name, values in page.facets.items()
                },
            }
        )


class ModelDetail(HubAPIView):
    def get(self, request: Request, owner: str, name: str, revision: str = "main") -> Response:
        def build(sight: Sight) -> dict:
            model, version = selectors.model_and_version(
                user=request.user, owner=owner, name=name, revision=revision, sight=sight
            )
            return out.model_detail(model, version, user=request.user, sight=sight)

        data = cached_answer(request, owner=owner, name=name, what=revision, build=build)
        response = Response(data)
        if is_pinned(revision):
            # The files of a pinned version never change, but this answer also carries
            # counters (downloads, likes, aliases): cache briefly, revalidate by ETag.
            return immutable_etag_response(
                request, response, public=not data["private"], max_age=PINNED_INFO_MAX_AGE
            )
        return response

    def patch(self, request: Request, owner: str, name: str) -> Response:
        model = writable_model(request, owner, name)
        data = out.ModelUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "private" in data.validated_data and not model_can_admin(user=request.user, model=model):
            raise Forbidden(f"Only admins of {model.namespace.name} can change visibility.")
        model = model_update(model=model, actor=request.user, **data.validated_data)
        return Response(out.model_detail(model, selectors.version_latest(model), user=request.user))

    def delete(self, request: Request, owner: str, name: str) -> Response:
        model_delete(actor=request.user, model=admin_model(request, owner, name))
        return Response(status=204)


class ModelRevisionDetail(ModelDetail):
    """A pinned revision is read-only."""

    http_method_names = ["get", "head", "options"]


class VersionListCreate(HubAPIView):
    def get(self, request: Request, owner: str, name: str) -> Response:
        def build(sight: Sight) -> list:
            model = selectors.model_get(user=request.user, owner=owner, name=name, sight=sight)
            versions = selectors.versions_ready(model).select_related("author")  # parents: 1 query
            return out.versions_brief(model, list(versions), user=request.user)

        data = cached_answer(request, owner=owner, name=name, what=":versions", build=build)
        return Response(data)

    parser_classes = [RepoMultiPartParser]  # files and form fields only

    def post(self, request: Request, owner: str, name: str) -> Response:
        model = writable_model(request, owner, name)
        if not upload_allowed(request):
            raise TooManyRequests(UPLOADS_LIMITED)
        form = form_fields(request)
        mode = form.get("mode", "add")
        if mode not in {"add", "replace"}:
            raise InvalidInput("mode must be 'add' (on top of the latest version) or 'replace'.")
        uploads = request.FILES.getlist("files") + request.FILES.getlist("file")
        staged = staged_from_uploads(uploads, form.getlist("paths"))
        quota_check_bytes(user=request.user, adding=sum(file.size for file in staged))
        version = version_publish(
            model=model,
            files=staged,
            author=request.user,
            message=form.get("message", ""),
            on_head=OnHead(mode),
            delete_paths=form.getlist("delete"),
        )
        return Response(out.model_detail(model, version, user=request.user), status=201)


class AliasDetail(HubAPIView):
    def put(self, request: Request, owner: str, name: str, alias: str) -> Response:
        model = writable_model(request, owner, name)
        target = str(request.data.get("revision") or request.data.get("version") or "")
        version = selectors.version_resolve(model=model, revision=target or "main")
        alias_set(model=model, name=alias, version=version, actor=request.user)
        return Response({"alias": alias, "version": version.number, "sha": version.revision})

    def delete(self, request: Request, owner: str, name: str, alias: str) -> Response:
        model = writable_model(request, owner, name)
        alias_delete(model=model, name=alias, actor=request.user)
        return Response(status=204)


class WhoAmI(HubAPIView):
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            return Response({"error": INVALID_CREDENTIALS}, status=401)
        token = request.auth if hasattr(request.auth, "scope") else None
        return Response(
            {
                "type": "user",
                "name": request.user.get_username(),
                "fullname": request.user.get_full_name() or request.user.get_username(),
                "email": request.user.email or None,
                "orgs": [],
                "auth": {
                    "type": "access_token",
                    "accessToken": {
                        "displayName": token.name if token else "session",
                        "role": token.scope if token else "write",
                    },
                },
            }
        )


def admin_model(request: Request, owner: str, name: str):
    model = selectors.model_get(user=request.user, owner=owner, name=name)
    signed_in(request)
    if not model_can_admin(user=request.user, model=model):
        raise Forbidden(f"Only admins of {model.namespace.name} can do this.")
    return model


def writable_model(request: Request, owner: str, name: str):
    model = selectors.model_get(user=request.user, owner=owner, name=name)
    if not model_can_write(user=request.user, model=model):
        raise Forbidden(f"You cannot write to {model.full_name}.")
    return model
