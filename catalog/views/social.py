"""Pages for people and organizations: profiles, organizations and members, forks, likes,
model settings (visibility, deletion) and the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog import selectors
from catalog.errors import HubError, NotFound
from catalog.forms import ForkForm, MemberForm, OrgCreateForm
from catalog.models import Namespace
from catalog.permissions import (
    model_can_admin,
    namespace_has_role,
    org_members_visible,
    writable_namespaces,
)
from catalog.services.forks import model_fork
from catalog.services.models import model_delete, model_update
from catalog.services.orgs import member_leave, member_remove, member_set, org_create
from catalog.services.social import like_set
from catalog.views.jobs import profile_jobs_context


def profile(request: HttpRequest, owner: str) -> HttpResponse:
    namespace = selectors.namespace_get(name=owner)
    return render(
        request,
        "catalog/profile.html",
        {
            "namespace": namespace,
            "models": selectors.namespace_models(namespace=namespace, user=request.user),
            "members": selectors.org_members(namespace)
            if namespace.kind == Namespace.Kind.ORG
            and org_members_visible(user=request.user, org=namespace)
            else None,
            "is_admin": namespace_has_role(user=request.user, namespace=namespace, role="admin"),
            "is_member": selectors.namespace_is_member(user=request.user, namespace=namespace),
            "member_form": MemberForm(),
            **profile_jobs_context(request, namespace),  # the Jobs tab, on one's own profile
        },
    )


@login_required
def org_new(request: HttpRequest) -> HttpResponse:
    form = OrgCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = org_create(user=request.user, name=form.cleaned_data["name"])
        except HubError as exc:
            form.add_error("name", exc.message)
        else:
            return redirect("profile", owner=org.name)
    return render(
        request, "catalog/org_new.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def org_members(request: HttpRequest, owner: str) -> HttpResponse:
    org = selectors.org_get(name=owner)
    try:
        if request.POST.get("leave"):
            member_leave(user=request.user, org=org)
            messages.success(request, f"You left {org.name}.")
            return redirect("home")
        if request.POST.get("remove"):
            member_remove(actor=request.user, org=org, username=request.POST["remove"])
            messages.success(request, f"Removed {request.POST['remove']} from {org.name}.")
        else:
            form = MemberForm(request.POST)
            if not form.is_valid():
                raise NotFound("Give a username and a role.")
            member_set(actor=request.user, org=org, **form.cleaned_data)
    except HubError as exc:
        messages.error(request, exc.message)
    return redirect("profile", owner=org.name)


@login_required
def model_fork_view(request: HttpRequest, owner: str, name: str) -> HttpResponse:
    model = _visible_model(request, owner, name)
    version = selectors.version_latest(model)
    if version is None:
        raise Http404("Nothing to fork yet: the model has no versions.")
    namespaces = writable_namespaces(request.user)
    form = ForkForm(
        request.POST or None,
        namespaces=namespaces,
        initial={"name": model.name, "namespace": namespaces[0].name},
    )
    if request.method == "POST" and form.is_valid():
        target = next(n for n in namespaces if n.name == form.cleaned_data["namespace"])
        try:
            fork = model_fork(
                user=request.user,
                source=version,
                namespace=target,
                name=form.cleaned_data["name"],
                private=form.cleaned_data["private"] or None,
            )
        except HubError as exc:
            form.add_error("name", exc.message)
        else:
            messages.success(request, f"Forked {model.full_name} into {fork.full_name}.")
            return redirect("model-detail", owner=fork.namespace.name, name=fork.name)
    return render(
        request,
        "catalog/model_fork.html",
        {"form": form, "model": model, "version": version},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def model_like_view(request: HttpRequest, owner: str, name: str) -> HttpResponse:
    model = _visible_model(request, owner, name)
    liked = not selectors.user_likes_model(user=request.user, model=model)
    like_set(user=request.user, model=model, liked=liked)
    return redirect("model-detail", owner=owner, name=name)


@login_required
def model_settings(request: HttpRequest, owner: str, name: str) -> HttpResponse:
    model = _visible_model(request, owner, name)
    if not model_can_admin(user=request.user, model=model):
        raise Http404("No such model.")
    if request.method == "POST" and request.POST.get("action") == "visibility":
        model_update(model=model, actor=request.user, private=request.POST.get("private") == "1")
        messages.success(
            request, f"{model.full_name} is now {'private' if model.private else 'public'}."
        )
        return redirect("model-settings", owner=owner, name=name)
    if request.method == "POST" and request.POST.get("action") == "delete":
        if request.POST.get("confirm") != model.full_name:
            messages.error(request, f"Type {model.full_name} to confirm deletion.")
            return redirect("model-settings", owner=owner, name=name)
        try:
            model_delete(actor=request.user, model=model)
        except HubError as exc:  # e.g. fine-tune jobs were trained from it: the page says so
            messages.error(request, exc.message)
            return redirect("model-settings", owner=owner, name=name)
        messages.success(request, f"Deleted {owner}/{name}.")
        return redirect("profile", owner=owner)
    events = selectors.model_audit_events(model)
    return render(request, "catalog/model_settings.html", {"model": model, "events": events})


def _visible_model(request, owner, name):
    return selectors.model_get(user=request.user, owner=owner, name=name)
