from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from catalog.ratelimit import client_id, over_limit, parse_rate


class RateLimitedLoginView(auth_views.LoginView):
    """Log-in with a cap on attempts per client and username (password guessing)."""

    def post(self, request, *args, **kwargs):
        limit, window = parse_rate(settings.HUB_LOGIN_RATE)
        username = request.POST.get("username", "")[:150].lower()
        if over_limit(f"login:{client_id(request)}:{username}", limit=limit, window=window):
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None, f"Too many log-in attempts. Wait {window // 60} minutes and try again."
            )
            return render(request, self.template_name, {"form": form}, status=429)
        return super().post(request, *args, **kwargs)
