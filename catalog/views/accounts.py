from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.errors import HubError
from catalog.forms import SignupForm, TokenCreateForm
from catalog.services.accounts import user_signup
from catalog.services.tokens import token_create, token_revoke


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_signup(
                username=data["username"], email=data.get("email") or "", password=data["password"]
            )
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
