from django.contrib.auth import views as auth_views
from django.urls import path, re_path
from django.views.generic import RedirectView

from catalog.api.hf.lfs import LfsBatch
from catalog.views import (
    accounts,
    cards,
    download,
    evaluation,
    finetune,
    jobs,
    login,
    pages,
    social,
)

OWNER_NAME = r"(?P<owner>[A-Za-z0-9][A-Za-z0-9._-]*)/(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)"

urlpatterns = [
    path("", pages.home, name="home"),
    path("models", pages.model_index, name="model-index"),
    path("new", pages.model_new, name="model-new"),
    path("accounts/login/", login.RateLimitedLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("settings/tokens", accounts.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke", accounts.token_revoke_view, name="token-revoke"),
    re_path(
        # The client quotes revisions; a full ref (refs%2Ftags%2Fv2) arrives with its slashes.
        rf"^{OWNER_NAME}/resolve/refs/(?:heads|tags)/(?P<revision>[^/]+)/(?P<path>.+)$",
        download.resolve,
        name="resolve-ref",
    ),
    re_path(
        rf"^{OWNER_NAME}/resolve/(?P<revision>[^/]+)/(?P<path>.+)$",
        download.resolve,
        name="resolve",
    ),
    re_path(
        rf"^{OWNER_NAME}\.git/info/lfs/objects/batch$", LfsBatch.as_view(), name="hf-lfs-batch"
    ),
    path("jobs", jobs.job_list, name="job-list"),
    path("jobs/<str:job_id>", finetune.job_detail, name="job-detail"),
    path("jobs/<str:job_id>/cancel", finetune.job_cancel, name="job-cancel"),
    re_path(rf"^{OWNER_NAME}/finetune$", finetune.finetune_start, name="model-finetune"),
    path("evaluations/<str:evaluation_id>", evaluation.evaluation_detail, name="evaluation-detail"),
    re_path(rf"^{OWNER_NAME}/evaluate$", evaluation.model_evaluate, name="model-evaluate"),
    path("organizations/new", social.org_new, name="org-new"),
    re_path(rf"^{OWNER_NAME}/fork$", social.model_fork_view, name="model-fork"),
    re_path(rf"^{OWNER_NAME}/like$", social.model_like_view, name="model-like"),
    re_path(rf"^{OWNER_NAME}/settings$", social.model_settings, name="model-settings"),
    path("organizations/<str:owner>/members", social.org_members, name="org-members"),
    re_path(rf"^{OWNER_NAME}/upload$", pages.version_upload, name="model-upload"),
    re_path(  # the Hub's address for editing the card
        rf"^{OWNER_NAME}/edit/main/README\.md$", cards.card_edit, name="model-card-edit"
    ),
    re_path(rf"^{OWNER_NAME}/card-preview$", cards.card_preview, name="model-card-preview"),
    re_path(rf"^{OWNER_NAME}/tree/(?P<revision>[^/]+)$", pages.model_detail, name="model-revision"),
    re_path(  # the commit URL the Hub client is given: the page of that version
        rf"^{OWNER_NAME}/commit/(?P<revision>[0-9a-f]{{40}})$",
        RedirectView.as_view(pattern_name="model-revision"),
        name="model-commit",
    ),
    re_path(rf"^{OWNER_NAME}$", pages.model_detail, name="model-detail"),
    re_path(r"^(?P<owner>[A-Za-z0-9][A-Za-z0-9._-]*)$", social.profile, name="profile"),
]
