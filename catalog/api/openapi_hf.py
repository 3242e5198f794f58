"""OpenAPI descriptions of the Hugging Face Hub protocol routes (catalog.api.hf): the bodies
`HfApi` sends and the answers it reads, so the schema (and the fuzzing driven by it) covers
them as well. Imported by catalog.api.openapi."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.utils import inline_serializer as shape
from rest_framework import serializers as s

from catalog.api.hf import browse, commits, history, lfs, repos, social, tags
from catalog.api.schema import ErrorSerializer, HubAutoSchema

VISIBILITY = s.ChoiceField(choices=["public", "private"], required=False)
REPO_TYPE = s.ChoiceField(choices=["model"], required=False, help_text="Only models are hosted.")
REPO_NAME = {
    "name": s.CharField(max_length=96),
    "organization": s.CharField(max_length=96, required=False, help_text="Default: you."),
    "type": REPO_TYPE,
}


def git_refs(name: str) -> s.Serializer:
    return shape(
        name,
        {"name": s.CharField(), "ref": s.CharField(), "targetCommit": s.CharField()},
        many=True,
    )


TREE_ENTRY = shape(
    "TreeEntry",
    {
        "type": s.CharField(help_text="file or directory"),
        "path": s.CharField(),
        "size": s.IntegerField(),
        "oid": s.CharField(help_text="The git object id (of the LFS pointer, for LFS files)."),
        "lfs": s.DictField(required=False, help_text="Only for files kept in Git-LFS."),
        "lastCommit": s.DictField(required=False, allow_null=True, help_text="With expand."),
        "securityFileStatus": s.DictField(required=False, help_text="With expand."),
    },
    many=True,
)
PAGED = [
    OpenApiParameter("limit", int, description="Page size (default 50, at most 1000)."),
    OpenApiParameter("cursor", str, description='From the `Link: <...>; rel="next"` header.'),
]
LFS_OBJECT = {"oid": s.RegexField(r"^[0-9a-f]{64}$"), "size": s.IntegerField(min_value=0)}
LFS_BATCH = shape(
    "LfsBatch",
    {
        "operation": s.ChoiceField(choices=["upload"]),
        "transfers": s.ListField(child=s.CharField(), required=False),
        "objects": s.ListField(child=shape("LfsObject", LFS_OBJECT)),
        "hash_algo": s.CharField(required=False),
    },
)
NDJSON = {
    "type": "string",
    "description": 'One JSON object a line: {"key": "header", "value": {"summary": ...}}, then '
    '"file" (inline, base64), "lfsFile", "deletedFile" or "deletedFolder" lines.',
    "example": '{"key": "header", "value": {"summary": "Add notes"}}\n'
    '{"key": "file", "value": {"path": "notes.txt", "content": "aGk=", "encoding": "base64"}}\n',
}

extend_schema_view(
    post=extend_schema(
        request=shape(
            "RepoCreate",
            {**REPO_NAME, "private": s.BooleanField(required=False), "visibility": VISIBILITY},
        ),
        responses={
            200: shape(
                "RepoCreated", {"url": s.URLField(), "name": s.CharField(), "id": s.CharField()}
            )
        },
    )
)(repos.RepoCreate)


class DeleteWithBody(HubAutoSchema):
    """`HfApi.delete_repo` sends its JSON body with DELETE: document it like a POST's."""

    def _get_request_body(self, direction="request"):
        method, self.method = self.method, "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = method


repos.RepoDelete.schema = DeleteWithBody()
extend_schema_view(
    delete=extend_schema(
        request=shape("RepoDelete", REPO_NAME),
        responses={200: shape("RepoDeleted", {"deleted": s.CharField()})},
    )
)(repos.RepoDelete)
extend_schema_view(
    put=extend_schema(
        request=shape(
            "RepoSettings",
            {
                "private": s.BooleanField(required=False),
                "visibility": VISIBILITY,
                "gated": s.BooleanField(required=False, help_text="Only false is supported."),
            },
        ),
        responses={
            200: shape("RepoSettingsSet", {"private": s.BooleanField(), "gated": s.BooleanField()})
        },
    )
)(repos.RepoSettings)
extend_schema_view(
    post=extend_schema(
        request=shape(
            "ValidateYaml", {"content": s.CharField(), "repoType": s.CharField(required=False)}
        ),
        responses={
            200: shape(
                "YamlChecked",
                {
                    "errors": s.ListField(child=s.DictField()),
                    "warnings": s.ListField(child=s.DictField()),
                },
            )
        },
    )
)(repos.ValidateYaml)
extend_schema_view(get=extend_schema(responses=OpenApiTypes.OBJECT))(repos.AgentHarnesses)
extend_schema_view(
    get=extend_schema(
        responses=shape(
            "Refs",
            {
                "branches": git_refs("GitBranch"),
                "converts": s.ListField(child=s.DictField()),
                "tags": git_refs("GitTag"),
                "pullRequests": s.ListField(child=s.DictField()),
            },
        )
    )
)(browse.Refs)
extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("recursive", bool),
            OpenApiParameter("expand", bool, description="Add each file's scan status."),
        ],
        responses=TREE_ENTRY,
    )
)(browse.Tree)
extend_schema_view(
    post=extend_schema(
        request=shape(
            "Preupload",
            {
                "files": s.ListField(
                    child=shape(
                        "PreuploadFile",
                        {
                            "path": s.CharField(),
                            "size": s.IntegerField(min_value=0),
                            "sample": s.CharField(help_text="The first 512 bytes, base64."),
                        },
                    )
                )
            },
        ),
        responses=shape(
            "PreuploadPlan",
            {
                "files": shape(
                    "PreuploadMode",
                    {
                        "path": s.CharField(),
                        "uploadMode": s.ChoiceField(choices=["regular", "lfs"]),
                        "shouldIgnore": s.BooleanField(),
                        "oid": s.CharField(allow_null=True),
                    },
                    many=True,
                )
            },
        ),
    )
)(commits.Preupload)
extend_schema_view(
    post=extend_schema(
        parameters=[OpenApiParameter("create_pr", str, enum=["0", "1"])],
        request={"application/x-ndjson": NDJSON},
        responses={
            200: shape(
                "Committed",
                {
                    "success": s.BooleanField(),
                    "commitOid": s.CharField(),
                    "commitUrl": s.URLField(),
                    "pullRequestUrl": s.URLField(allow_null=True),
                    "version": s.IntegerField(),
                },
            ),
            412: ErrorSerializer,
        },
    )
)(commits.Commit)
extend_schema_view(
    post=extend_schema(
        request={"application/vnd.git-lfs+json": LFS_BATCH, "application/json": LFS_BATCH},
        responses=shape(
            "LfsBatchAnswer",
            {
                "transfer": s.CharField(),
                "objects": s.ListField(child=s.DictField()),
                "hash_algo": s.CharField(),
            },
        ),
    )
)(lfs.LfsBatch)
extend_schema_view(
    get=extend_schema(
        parameters=[*PAGED, OpenApiParameter("expand[]", str, enum=["formatted"])],
        responses=shape(
            "Commit",
            {
                "id": s.CharField(help_text="The version's revision."),
                "title": s.CharField(),
                "message": s.CharField(),
                "authors": s.ListField(child=s.DictField()),
                "date": s.DateTimeField(),
            },
            many=True,
        ),
    )
)(history.Commits)
PATHS_INFO = shape(
    "PathsInfo",
    {
        "paths": s.ListField(
            child=s.CharField(), max_length=history.PATHS_INFO_MAX, help_text="At most 1000."
        ),
        "expand": s.BooleanField(required=False),
    },
)
extend_schema_view(
    post=extend_schema(
        request={
            "application/x-www-form-urlencoded": PATHS_INFO,
            "application/json": PATHS_INFO,
        },
        responses=TREE_ENTRY,
    )
)(history.PathsInfo)
extend_schema_view(
    post=extend_schema(
        request=shape("TagCreate", {"tag": s.CharField(), "message": s.CharField(required=False)}),
        responses={
            200: shape(
                "TagCreated",
                {"tag": s.CharField(), "version": s.IntegerField(), "sha": s.CharField()},
            )
        },
    ),
    delete=extend_schema(request=None, responses={204: None}),
)(tags.Tag)
extend_schema_view(
    get=extend_schema(
        parameters=PAGED,
        responses=shape(
            "Liker",
            {
                "user": s.CharField(),
                "fullname": s.CharField(),
                "avatarUrl": s.CharField(),
                "type": s.CharField(),
            },
            many=True,
        ),
    )
)(social.Likers)
extend_schema_view(
    get=extend_schema(
        parameters=PAGED,
        responses=shape(
            "UserLike", {"createdAt": s.DateTimeField(), "repo": s.DictField()}, many=True
        ),
    )
)(social.UserLikes)
extend_schema_view(
    post=extend_schema(
        request=shape(
            "RepoMove",
            {"fromRepo": s.CharField(), "toRepo": s.CharField(), "type": REPO_TYPE},
        ),
        responses={200: shape("RepoMoved", {"url": s.URLField(), "id": s.CharField()})},
    )
)(repos.RepoMove)
extend_schema_view(
    get=extend_schema(
        responses=shape("AuthChecked", {"read": s.BooleanField(), "write": s.BooleanField()})
    )
)(repos.AuthCheck)
