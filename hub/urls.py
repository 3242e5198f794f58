from django.contrib import admin
from django.urls import include, path

from catalog.views import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("catalog.api.docs_urls")),
    path("api/", include("catalog.api.urls")),
    path("", include("catalog.urls")),
]

handler404 = "catalog.views.errors.not_found"
