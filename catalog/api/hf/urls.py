"""Hub-protocol routes under /api/ (included by catalog.api.urls). The LFS batch route lives
in catalog.urls: the client calls it at /{owner}/{name}.git/info/lfs/objects/batch."""

from django.urls import path, re_path

from catalog.api.hf import browse, commits, history, lfs, repos, social, tags
from catalog.api.hf import unsupported as no

NAME = r"(?P<owner>[^/]+)/(?P<name>[^/]+)"


def refused(route: str, reason: str):
    """A client route this hub does not offer: 400 with the reason (see hf/unsupported.py)."""
    return re_path(rf"^models/{NAME}/{route}", no.NotSupported.as_view(reason=reason))


urlpatterns = [
    path("repos/create", repos.RepoCreate.as_view(), name="hf-repo-create"),
    path("repos/delete", repos.RepoDelete.as_view(), name="hf-repo-delete"),
    path("repos/move", repos.RepoMove.as_view(), name="hf-repo-move"),
    path("validate-yaml", repos.ValidateYaml.as_view(), name="hf-validate-yaml"),
    path("users/<str:username>/likes", social.UserLikes.as_view(), name="hf-user-likes"),
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
        rf"^models/{NAME}/commits/(?P<revision>.+)$",
        history.Commits.as_view(),
        name="hf-commits",
    ),
    re_path(
        rf"^models/{NAME}/paths-info/(?P<revision>.+)$",
        history.PathsInfo.as_view(),
        name="hf-paths-info",
    ),
    re_path(rf"^models/{NAME}/tag/(?P<revision>.+)$", tags.Tag.as_view(), name="hf-tag"),
    re_path(rf"^models/{NAME}/likers$", social.Likers.as_view(), name="hf-likers"),
    re_path(
        rf"^models/{NAME}/auth-check(?:/(?P<write>write))?$",
        repos.AuthCheck.as_view(),
        name="hf-auth-check",
    ),
    refused(r"branch/.+$", no.BRANCHES),
    refused(r"super-squash/.+$", no.SQUASH),
    refused(r"discussions(?:/.*)?$", no.DISCUSSIONS),
    refused(r"lfs-files/duplicate$", no.LFS_COPY),
    refused(r"lfs-files(?:/batch)?$", no.LFS_FILES),
    refused(r"user-access-request/.+$", no.GATED),
    refused(r"safetensors-metadata/.+$", no.SAFETENSORS),
    re_path(
        rf"^models/{NAME}/preupload/(?P<revision>.+)$",
        commits.Preupload.as_view(),
        name="hf-preupload",
    ),
    re_path(
        rf"^models/{NAME}/commit/(?P<revision>.+)$", commits.Commit.as_view(), name="hf-commit"
    ),
]
