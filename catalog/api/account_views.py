"""REST for likes, forks (the Hub's `duplicate` route), organizations and members, and the
audit log."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api.account_serializers import (
    AuditEventSerializer,
    DuplicatedSerializer,
    DuplicateSerializer,
    LikeSerializer,
    MemberRoleSerializer,
    MemberSerializer,
    OrgCreateSerializer,
    OrgSerializer,
)
from catalog.api.permissions import signed_in
from catalog.api.schema import SIGNED_IN, ErrorSerializer
from catalog.api.views import HubAPIView, admin_model
from catalog.errors import Forbidden
from catalog.naming import name_validate
from catalog.permissions import org_members_visible
from catalog.services.forks import model_fork
from catalog.services.orgs import member_remove, member_set, org_create
from catalog.services.social import like_set


class ModelLike(HubAPIView):
    @extend_schema(request=None, responses=LikeSerializer)
    def post(self, request: Request, owner: str, name: str) -> Response:
        return self.liked(request, owner, name, liked=True)

    @extend_schema(responses={200: LikeSerializer})  # a DELETE's default is 204
    def delete(self, request: Request, owner: str, name: str) -> Response:
        return self.liked(request, owner, name, liked=False)

    def liked(self, request: Request, owner: str, name: str, *, liked: bool) -> Response:
        signed_in(request)
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        likes = like_set(user=request.user, model=model, liked=liked)
        return Response(LikeSerializer({"liked": liked, "likes": likes}).data)


class ModelDuplicate(HubAPIView):
    @extend_schema(request=DuplicateSerializer, responses={200: DuplicatedSerializer})
    def post(self, request: Request, owner: str, name: str) -> Response:
        signed_in(request)
        form = DuplicateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        source_model = selectors.model_get(user=request.user, owner=owner, name=name)
        source = selectors.version_resolve(
            model=source_model, revision=form.validated_data["revision"]
        )
        namespace_name, new_name = form.validated_data["repository"]
        name_validate(new_name)
        fork = model_fork(
            user=request.user,
            source=source,
            namespace=selectors.namespace_get(name=namespace_name),
            name=new_name,
            private=form.private_wanted(),
        )
        url = request.build_absolute_uri(f"/{fork.full_name}")
        return Response(DuplicatedSerializer({"url": url, "id": fork.full_name}).data)


class ModelAudit(HubAPIView):
    @extend_schema(
        auth=SIGNED_IN,
        description="The model's audit log, newest first (at most 200 events): admins only.",
        responses={200: AuditEventSerializer(many=True), 403: ErrorSerializer},
    )
    def get(self, request: Request, owner: str, name: str) -> Response:
        model = admin_model(request, owner, name)
        events = selectors.model_audit_events(model)
        return Response(AuditEventSerializer(events, many=True).data)


class Organizations(HubAPIView):
    @extend_schema(request=OrgCreateSerializer, responses={201: OrgSerializer})
    def post(self, request: Request) -> Response:
        signed_in(request)
        form = OrgCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        org = org_create(user=request.user, name=form.validated_data["name"])
        return Response(OrgSerializer(org).data, status=201)


class OrganizationMembers(HubAPIView):
    """Who belongs to an organization: shown to its members and site admins only."""

    @extend_schema(
        auth=SIGNED_IN,
        description="Members of an organization and their roles. Membership is not public: "
        "only members of the organization (any role) and site admins may list it; anyone "
        "else gets 403, and an anonymous caller 401.",
        responses={200: MemberSerializer(many=True), 403: ErrorSerializer},
    )
    def get(self, request: Request, org: str) -> Response:
        signed_in(request)
        namespace = selectors.org_get(name=org)
        if not org_members_visible(user=request.user, org=namespace):
            raise Forbidden(f"Only members of {namespace.name} can see its members.")
        return Response(MemberSerializer(selectors.org_members(namespace), many=True).data)


class OrganizationMember(HubAPIView):
    @extend_schema(request=MemberRoleSerializer, responses=MemberSerializer)
    def put(self, request: Request, org: str, username: str) -> Response:
        form = MemberRoleSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        membership = member_set(
            actor=request.user,
            org=selectors.org_get(name=org),
            username=username,
            role=form.validated_data["role"],
        )
        return Response(MemberSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, org: str, username: str) -> Response:
        member_remove(actor=request.user, org=selectors.org_get(name=org), username=username)
        return Response(status=204)
