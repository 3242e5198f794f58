"""REST endpoints. Thin: validate input, call a service or selector, shape the JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors
from catalog.api.account_serializers import SESSION_TOKEN, WhoAmISerializer
from catalog.api.authentication import INVALID_CREDENTIALS
from catalog.api.caching import immutable_etag_response, is_pinned
from catalog.api.listing import ModelListItemSerializer, list_fields, models_listed
from catalog.api.openapi import LIST_PARAMS, SEARCH_PARAMS
from catalog.api.pagination import next_link
from catalog.api.parsers import RepoMultiPartParser, form_fields
from catalog.api.permissions import WriteNeedsWriteToken, signed_in
from catalog.api.schema import SIGNED_IN, JsonObjectSerializer
from catalog.api.serializers import (
    AliasSerializer,
    AliasSetSerializer,
    ModelCreatedSerializer,
    ModelCreateSerializer,
    ModelInfoSerializer,
    ModelUpdateSerializer,
    SearchFacetsSerializer,
    VersionSerializer,
    VersionUploadSerializer,
    model_detail,
    versions_brief,
)
from catalog.errors import Forbidden, InvalidInput, NotFound, TooManyRequests
from catalog.info_cache import info_slot
from catalog.models import Model
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
    # Each method names its shapes with @extend_schema; this is the fallback for any that
    # does not (documented as a free-form JSON object).
    serializer_class = JsonObjectSerializer


class ModelListCreate(HubAPIView):
    @extend_schema(
        operation_id="models_list",
        parameters=LIST_PARAMS,
        responses=ModelListItemSerializer(many=True),
    )
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
        headers.update(next_link(request, page.next_cursor))
        return Response(models_listed(models, user=request.user, fields=fields), headers=headers)

    @extend_schema(request=ModelCreateSerializer, responses={201: ModelCreatedSerializer})
    def post(self, request: Request) -> Response:
        data = ModelCreateSerializer(data=request.data)
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
        url = request.build_absolute_uri(f"/{model.full_name}")
        return Response(model_detail(model, None, user=request.user, url=url), status=201)


class SearchFacets(HubAPIView):
    @extend_schema(parameters=SEARCH_PARAMS, responses=SearchFacetsSerializer)
    def get(self, request: Request) -> Response:
        """Facet counts (and the total) for the same parameters as `GET /api/models`."""
        query = search_query(request.query_params, request.user, default_limit=1)
        return Response(SearchFacetsSerializer(get_backend().search(query)).data)


class ModelDetail(HubAPIView):
    @extend_schema(responses=ModelInfoSerializer)
    def get(self, request: Request, owner: str, name: str, revision: str = "main") -> Response:
        def build(sight: Sight) -> dict:
            model, version = selectors.model_and_version(
                user=request.user, owner=owner, name=name, revision=revision, sight=sight
            )
            return model_detail(model, version, user=request.user, sight=sight)

        data = cached_answer(request, owner=owner, name=name, what=revision, build=build)
        response = Response(data)
        if is_pinned(revision):
            # The files of a pinned version never change, but this answer also carries
            # counters (downloads, likes, aliases): cache briefly, revalidate by ETag.
            return immutable_etag_response(
                request, response, public=not data["private"], max_age=PINNED_INFO_MAX_AGE
            )
        return response

    @extend_schema(request=ModelUpdateSerializer, responses=ModelInfoSerializer)
    def patch(self, request: Request, owner: str, name: str) -> Response:
        model = writable_model(request, owner, name)
        data = ModelUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "private" in data.validated_data and not model_can_admin(user=request.user, model=model):
            raise Forbidden(f"Only admins of {model.namespace.name} can change visibility.")
        model = model_update(model=model, actor=request.user, **data.validated_data)
        return Response(model_detail(model, selectors.version_latest(model), user=request.user))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, owner: str, name: str) -> Response:
        model_delete(actor=request.user, model=admin_model(request, owner, name))
        return Response(status=204)


class ModelRevisionDetail(ModelDetail):
    """A pinned revision is read-only."""

    http_method_names = ["get", "head", "options"]


class VersionListCreate(HubAPIView):
    @extend_schema(responses=VersionSerializer(many=True))
    def get(self, request: Request, owner: str, name: str) -> Response:
        def build(sight: Sight) -> list:
            model = selectors.model_get(user=request.user, owner=owner, name=name, sight=sight)
            versions = selectors.versions_ready(model).select_related("author")  # parents: 1 query
            return versions_brief(model, list(versions), user=request.user)

        data = cached_answer(request, owner=owner, name=name, what=":versions", build=build)
        return Response(data)

    parser_classes = [RepoMultiPartParser]  # files and form fields only

    @extend_schema(
        request={"multipart/form-data": VersionUploadSerializer},
        responses={201: ModelInfoSerializer},
    )
    def post(self, request: Request, owner: str, name: str) -> Response:
        model = writable_model(request, owner, name)
        if not upload_allowed(request):
            raise TooManyRequests(UPLOADS_LIMITED)
        form = VersionUploadSerializer(data=form_fields(request))
        form.is_valid(raise_exception=True)
        uploads = request.FILES.getlist("files") + request.FILES.getlist("file")
        staged = staged_from_uploads(uploads, form.validated_data.get("paths", []))
        quota_check_bytes(user=request.user, adding=sum(file.size for file in staged))
        version = version_publish(
            model=model,
            files=staged,
            author=request.user,
            message=form.validated_data["message"],
            on_head=OnHead(form.validated_data["mode"]),
            delete_paths=form.validated_data["delete"],
        )
        return Response(model_detail(model, version, user=request.user), status=201)


class AliasDetail(HubAPIView):
    @extend_schema(request=AliasSetSerializer, responses=AliasSerializer)
    def put(self, request: Request, owner: str, name: str, alias: str) -> Response:
        model = writable_model(request, owner, name)
        data = AliasSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = selectors.version_resolve(model=model, revision=data.target())
        made = alias_set(model=model, name=alias, version=version, actor=request.user)
        return Response(AliasSerializer(made).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, owner: str, name: str, alias: str) -> Response:
        model = writable_model(request, owner, name)
        alias_delete(model=model, name=alias, actor=request.user)
        return Response(status=204)


class WhoAmI(HubAPIView):
    @extend_schema(auth=SIGNED_IN, responses=WhoAmISerializer)
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            return Response({"error": INVALID_CREDENTIALS}, status=401)
        token = request.auth if hasattr(request.auth, "scope") else SESSION_TOKEN
        return Response(WhoAmISerializer({"user": request.user, "token": token}).data)


def admin_model(request: Request, owner: str, name: str) -> Model:
    model = selectors.model_get(user=request.user, owner=owner, name=name)
    signed_in(request)
    if not model_can_admin(user=request.user, model=model):
        raise Forbidden(f"Only admins of {model.namespace.name} can do this.")
    return model


def writable_model(request: Request, owner: str, name: str) -> Model:
    model = selectors.model_get(user=request.user, owner=owner, name=name)
    if not model_can_write(user=request.user, model=model):
        raise Forbidden(f"You cannot write to {model.full_name}.")
    return model
