from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.errors import HubError
from catalog.forms import SignupForm, TokenCreateForm
from catalog.naming import namespace_name_validate
from catalog.services.namespaces import namespace_for_user
from catalog.services.tokens import token_create, token_revoke


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            namespace_name_validate(data["username"])
            validate_password(data["password"])
            user = _user_create(data)
        except HubError as exc:
            form.add_error("username", exc.message)
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            login(request, user)
            return redirect("home")
    return render(
        request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200
    )


def _user_create(data: dict):
    from catalog.errors import Conflict
    from catalog.models import Namespace

    users = get_user_model()
    name = data["username"]
    if (
        users.objects.filter(username__iexact=name).exists()
        or Namespace.objects.filter(name__iexact=name).exists()
    ):
        raise Conflict(f"The name {name!r} is taken.")
    with transaction.atomic():
        user = users.objects.create_user(name, data.get("email") or "", data["password"])
        namespace_for_user(user=user)
    return user


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = token_create(user=request.user, **form.cleaned_data)
        except HubError as exc:
            form.add_error("name", exc.message)
        else:
            # Post/redirect/get: a reload must not mint another token. The secret rides in the
            # session for exactly one page view, then it is gone for good.
            request.session["new_token_secret"] = secret
            return redirect("tokens")
    secret = request.session.pop("new_token_secret", None)
    return render(
        request,
        "catalog/tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": request.user.tokens.order_by("-created_at"),
        },
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token_revoke(user=request.user, token_id=token_id)
    except HubError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Token revoked.")
    return redirect("tokens")
