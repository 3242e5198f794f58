from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from catalog.api.errors import api_not_found
from catalog.views import health


class FaviconRedirect(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("favicon.ico")  # at request time: hashed names need the manifest


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Browsers and feed readers ask for /favicon.ico whatever the page says.
    path("favicon.ico", FaviconRedirect.as_view()),
    path("admin/", admin.site.urls),
    path("api/", include("catalog.api.docs_urls")),
    path("api/", include("catalog.api.urls")),
    re_path(r"^api/", api_not_found),  # no API route matched: JSON, as every API error
    path("", include("catalog.urls")),
]

handler404 = "catalog.views.errors.not_found"
