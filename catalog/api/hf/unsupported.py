"""Routes `huggingface_hub` calls for a model repository that this hub does not offer:
each answers 400 with the Hub's error shape and the reason (the README's "Not supported"
list says the same), never a bare 404 the client would misread as a missing repository."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api.views import HubAPIView
from catalog.errors import InvalidInput

BRANCHES = (
    "Branches other than main are not supported: every commit is a new version on main. "
    "Name a version with a tag (create_tag) instead."
)
SQUASH = "Versions are immutable and keep their lineage: history cannot be squashed."
DISCUSSIONS = "Discussions and pull requests are not supported: commit to main."
LFS_FILES = (
    "Stored files are shared, content-addressed blobs: they are deleted once no version "
    "uses them. Delete the files in a commit, or delete the model."
)
LFS_COPY = "Copying files from another repository (CommitOperationCopy) is not supported."
GATED = "Gated access is not supported: models are public or private."
SAFETENSORS = (
    "The sharded safetensors summary is not supported: download the index and the shard "
    "headers with hf_hub_download."
)


class NotSupported(HubAPIView):
    """Refuses every method with `reason`."""

    permission_classes = []
    schema = None  # refusals only: listed in the README, not in the API schema
    reason = ""

    def _refuse(self, request: Request, *args, **kwargs) -> Response:
        raise InvalidInput(self.reason)

    get = post = put = patch = delete = _refuse
