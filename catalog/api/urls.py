from django.urls import path, re_path

from catalog.api import views

NAME = r"(?P<owner>[^/]+)/(?P<name>[^/]+)"

urlpatterns = [
    path("models", views.ModelListCreate.as_view(), name="api-models"),
    re_path(rf"^models/{NAME}$", views.ModelDetail.as_view(), name="api-model"),
    re_path(
        rf"^models/{NAME}/revision/(?P<revision>[^/]+)$",
        views.ModelDetail.as_view(),
        name="api-model-revision",
    ),
    re_path(rf"^models/{NAME}/versions$", views.VersionListCreate.as_view(), name="api-versions"),
    re_path(
        rf"^models/{NAME}/aliases/(?P<alias>[^/]+)$", views.AliasDetail.as_view(), name="api-alias"
    ),
    path("whoami-v2", views.WhoAmI.as_view(), name="api-whoami"),
]
