from django.urls import include, path, re_path

from catalog.api import account_views, evaluation_views, finetune_views, views

NAME = r"(?P<owner>[^/]+)/(?P<name>[^/]+)"

urlpatterns = [
    path("models", views.ModelListCreate.as_view(), name="api-models"),
    path("search/facets", views.SearchFacets.as_view(), name="api-facets"),
    re_path(rf"^models/{NAME}$", views.ModelDetail.as_view(), name="api-model"),
    re_path(
        rf"^models/{NAME}/revision/(?P<revision>[^/]+)$",
        views.ModelRevisionDetail.as_view(),
        name="api-model-revision",
    ),
    re_path(rf"^models/{NAME}/versions$", views.VersionListCreate.as_view(), name="api-versions"),
    re_path(
        rf"^models/{NAME}/aliases/(?P<alias>[^/]+)$", views.AliasDetail.as_view(), name="api-alias"
    ),
    re_path(rf"^models/{NAME}/like$", account_views.ModelLike.as_view(), name="api-like"),
    re_path(
        rf"^models/{NAME}/duplicate$", account_views.ModelDuplicate.as_view(), name="api-duplicate"
    ),
    re_path(rf"^models/{NAME}/audit$", account_views.ModelAudit.as_view(), name="api-audit"),
    path("organizations", account_views.Organizations.as_view(), name="api-orgs"),
    path(
        "organizations/<str:org>/members",
        account_views.OrganizationMembers.as_view(),
        name="api-org-members",
    ),
    path(
        "organizations/<str:org>/members/<str:username>",
        account_views.OrganizationMember.as_view(),
        name="api-org-member",
    ),
    path("whoami-v2", views.WhoAmI.as_view(), name="api-whoami"),
    path("datasets", finetune_views.DatasetCreate.as_view(), name="api-datasets"),
    path("datasets/<int:dataset_id>", finetune_views.DatasetDetail.as_view(), name="api-dataset"),
    path("finetunes", finetune_views.FineTuneListCreate.as_view(), name="api-finetunes"),
    path("finetunes/<str:job_id>", finetune_views.FineTuneDetail.as_view(), name="api-finetune"),
    path(
        "finetunes/<str:job_id>/cancel",
        finetune_views.FineTuneCancel.as_view(),
        name="api-finetune-cancel",
    ),
    path("evaluations", evaluation_views.EvaluationListCreate.as_view(), name="api-evaluations"),
    path(
        "evaluations/<str:evaluation_id>",
        evaluation_views.EvaluationDetail.as_view(),
        name="api-evaluation",
    ),
    # The rest of the Hugging Face Hub protocol (repos, refs, tree, preupload, commit, LFS).
    path("", include("catalog.api.hf.urls")),
]
