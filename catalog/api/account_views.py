"""REST for issue-5 features: likes, forks (the Hub's `duplicate` route), deletion,
organizations and members, the audit log."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api.permissions import signed_in
from catalog.api.serializers import iso
from catalog.api.views import HubAPIView, admin_model
from catalog.errors import Forbidden, InvalidInput
from catalog.models import AuditEvent
from catalog.naming import name_validate
from catalog.permissions import org_members_visible
from catalog.services.forks import model_fork
from catalog.services.orgs import member_remove, member_set, org_create
from catalog.services.social import like_set


class ModelLike(HubAPIView):
    def post(self, request: Request, owner: str, name: str) -> Response:
        signed_in(request)
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        return Response(
            {"liked": True, "likes": like_set(user=request.user, model=model, liked=True)}
        )

    def delete(self, request: Request, owner: str, name: str) -> Response:
        signed_in(request)
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        return Response(
            {"liked": False, "likes": like_set(user=request.user, model=model, liked=False)}
        )


class ModelDuplicate(HubAPIView):
    def post(self, request: Request, owner: str, name: str) -> Response:
        signed_in(request)
        source_model = selectors.model_get(user=request.user, owner=owner, name=name)
        source = selectors.version_resolve(
            model=source_model, revision=str(request.data.get("revision") or "main")
        )
        target = str(request.data.get("repository") or "")
        if target.count("/") != 1:
            raise InvalidInput("repository must be 'namespace/name' for the new model.")
        namespace_name, new_name = target.split("/")
        name_validate(new_name)
        namespace = selectors.namespace_get(name=namespace_name)
        # The Hub's client sends `visibility`; older clients and curl users send `private`.
        visibility = request.data.get("visibility")
        private = visibility == "private" if visibility else request.data.get("private")
        fork = model_fork(
            user=request.user,
            source=source,
            namespace=namespace,
            name=new_name,
            private=None if private is None else bool(private),
        )
        url = request.build_absolute_uri(f"/{fork.full_name}")
        return Response({"url": url, "id": fork.full_name}, status=200)


class ModelAudit(HubAPIView):
    def get(self, request: Request, owner: str, name: str) -> Response:
        model = admin_model(request, owner, name)
        events = selectors.model_audit_events(model)
        return Response([event_json(event) for event in events])


class Organizations(HubAPIView):
    def post(self, request: Request) -> Response:
        signed_in(request)
        org = org_create(user=request.user, name=str(request.data.get("name") or ""))
        return Response({"name": org.name, "type": "org"}, status=201)


class OrganizationMembers(HubAPIView):
    """Who belongs to an organization: shown to its members and site admins only."""

    def get(self, request: Request, org: str) -> Response:
        signed_in(request)
        namespace = selectors.org_get(name=org)
        if not org_members_visible(user=request.user, org=namespace):
            raise Forbidden(f"Only members of {namespace.name} can see its members.")
        members = selectors.org_members(namespace)
        return Response([{"user": m.user.get_username(), "role": m.role} for m in members])


class OrganizationMember(HubAPIView):
    def put(self, request: Request, org: str, username: str) -> Response:
        membership = member_set(
            actor=request.user,
            org=selectors.org_get(name=org),
            username=username,
            role=str(request.data.get("role") or ""),
        )
        return Response({"user": username, "role": membership.role})

    def delete(self, request: Request, org: str, username: str) -> Response:
        member_remove(actor=request.user, org=selectors.org_get(name=org), username=username)
        return Response(status=204)


def event_json(event: AuditEvent) -> dict:
    return {
        "action": event.action,
        "actor": event.actor.get_username() if event.actor else None,
        "target": event.target,
        "details": event.details,
        "at": iso(event.created_at),
    }
