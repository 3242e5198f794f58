from django.contrib import admin
from django.urls import include, path, re_path

from catalog.api.errors import api_not_found
from catalog.views import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("catalog.api.docs_urls")),
    path("api/", include("catalog.api.urls")),
    re_path(r"^api/", api_not_found),  # no API route matched: JSON, as every API error
    path("", include("catalog.urls")),
]

handler404 = "catalog.views.errors.not_found"
