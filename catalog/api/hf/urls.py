"""Hub-protocol routes under /api/ (included by catalog.api.urls). The LFS batch route lives
in catalog.urls: the client calls it at /{owner}/{name}.git/info/lfs/objects/batch."""

from django.urls import path, re_path

from catalog.api.hf import browse, commits, lfs, repos

NAME = r"(?P<owner>[^/]+)/(?P<name>[^/]+)"

urlpatterns = [
    path("repos/create", repos.RepoCreate.as_view(), name="hf-repo-create"),
    path("repos/delete", repos.RepoDelete.as_view(), name="hf-repo-delete"),
    path("validate-yaml", repos.ValidateYaml.as_view(), name="hf-validate-yaml"),
    path("agent-harnesses", repos.AgentHarnesses.as_view(), name="hf-agent-harnesses"),
    re_path(r"^lfs/objects/(?P<oid>[0-9a-f]{64})$", lfs.lfs_upload, name="hf-lfs-upload"),
    re_path(
        rf"^models/{NAME}/revision/(?P<revision>.+/.+)$",
        browse.ModelRevisionRef.as_view(),
        name="hf-model-revision-ref",
    ),
    re_path(rf"^models/{NAME}/refs$", browse.Refs.as_view(), name="hf-refs"),
    re_path(
        rf"^models/{NAME}/tree/(?:refs/(?:heads|tags)/)?(?P<revision>[^/]+)(?:/(?P<path>.*))?$",
        browse.Tree.as_view(),
        name="hf-tree",
    ),
    re_path(rf"^models/{NAME}/settings$", repos.RepoSettings.as_view(), name="hf-settings"),
    re_path(
        rf"^models/{NAME}/preupload/(?P<revision>.+)$",
        commits.Preupload.as_view(),
        name="hf-preupload",
    ),
    re_path(
        rf"^models/{NAME}/commit/(?P<revision>.+)$", commits.Commit.as_view(), name="hf-commit"
    ),
]
