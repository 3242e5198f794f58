"""Log-in for the site and for the admin, under one guard: failures back off exponentially per
username and per client (catalog.ratelimit), and a locked attempt is answered 429 with the
wait, before any password is checked."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse

from catalog.ratelimit import login_failed, login_succeeded, login_wait


class LoginGuardMixin:
    """For AuthenticationForm and its subclasses: refuse while locked, count failures."""

    locked_for = 0

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        wait = login_wait(self.request, username)
        if wait:
            self.locked_for = wait
            raise ValidationError(locked_message(wait), code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            # A right password refused for another reason (inactive, not staff) is no guess.
            if self.cleaned_data.get("password") and self.user_cache is None:
                login_failed(self.request, username)
            raise
        if self.user_cache is not None:
            login_succeeded(self.request, username)
        return cleaned


def locked_message(wait: int) -> str:
    span = f"{wait} seconds" if wait < 120 else f"{(wait + 59) // 60} minutes"
    return (
        f"Too many log-in attempts for this account or from your network. Wait {span} and "
        "try again."
    )


def with_lock_status(response: HttpResponse) -> HttpResponse:
    """The page that refuses a locked attempt says so with 429 and Retry-After."""
    form = (getattr(response, "context_data", None) or {}).get("form")
    wait = getattr(form, "locked_for", 0)
    if wait:
        response.status_code = 429
        response["Retry-After"] = str(wait)
    return response


class GuardedAuthenticationForm(LoginGuardMixin, AuthenticationForm):
    pass


class GuardedAdminAuthenticationForm(LoginGuardMixin, AdminAuthenticationForm):
    pass


class RateLimitedLoginView(auth_views.LoginView):
    form_class = GuardedAuthenticationForm

    def form_invalid(self, form):
        return with_lock_status(super().form_invalid(form))


class HubAdminSite(admin.AdminSite):
    """The default admin site (hub.admin.HubAdminConfig), with the guarded log-in."""

    login_form = GuardedAdminAuthenticationForm

    def login(self, request, extra_context=None):
        return with_lock_status(super().login(request, extra_context))
