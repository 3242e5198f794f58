"""The shapes of the Hub-protocol routes about repositories, in the Hub's field names:
create, delete, settings, move, refs, tags, likes, validate-yaml. One definition each, used
to validate request bodies, render answers and describe both in the OpenAPI schema. The
git-side shapes (commits, LFS, tree) are in git_serializers.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rest_framework import serializers as s

from catalog.api.fields import RepoIdField, VisibilityMixin
from catalog.models import Alias, Version

MODEL_ONLY = "Only model repositories are hosted here (type must be 'model')."
GATED = "Gated access is not supported by this hub."
TAG = 'Send {"tag": "<name>"} with the tag to create.'


def fixed(message: str) -> str:
    """A message for `error_messages`, which DRF formats: its braces kept as written."""
    return message.replace("{", "{{").replace("}", "}}")


# Repositories


class RepoTypeField(s.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=["model"],
            required=False,
            allow_null=True,
            help_text="Only models are hosted.",
            error_messages={"invalid_choice": MODEL_ONLY},
            **kwargs,
        )


class RepoNameSerializer(s.Serializer):
    name = s.CharField(max_length=96, trim_whitespace=False)
    organization = s.CharField(
        max_length=96, required=False, allow_null=True, allow_blank=True, help_text="Default: you."
    )
    type = RepoTypeField()

    def owner_name(self, default_owner: str) -> tuple[str, str]:
        return self.validated_data.get("organization") or default_owner, self.validated_data["name"]


class RepoCreateSerializer(RepoNameSerializer, VisibilityMixin):
    pass


class RepoCreatedSerializer(s.Serializer):
    url = s.URLField()
    name = s.CharField()
    id = s.CharField()


class RepoDeleteSerializer(RepoNameSerializer):
    pass


class RepoDeletedSerializer(s.Serializer):
    deleted = s.CharField()


class RepoSettingsSerializer(VisibilityMixin):
    gated = s.BooleanField(
        required=False,
        allow_null=True,
        help_text="Only false is supported.",
        error_messages={"invalid": GATED},
    )

    def validate_gated(self, value: bool | None) -> bool | None:
        if value:
            raise s.ValidationError(GATED)
        return value


class RepoSettingsSetSerializer(s.Serializer):
    private = s.BooleanField()
    gated = s.BooleanField()


class RepoMoveSerializer(s.Serializer):
    fromRepo = RepoIdField()
    toRepo = RepoIdField()
    type = RepoTypeField()


class RepoMovedSerializer(s.Serializer):
    url = s.URLField()
    id = s.CharField()


class AuthCheckedSerializer(s.Serializer):
    read = s.BooleanField()
    write = s.BooleanField()


class ValidateYamlSerializer(s.Serializer):
    content = s.CharField(allow_blank=True, trim_whitespace=False)
    repoType = s.CharField(required=False)


class YamlMessageSerializer(s.Serializer):
    message = s.CharField()


class YamlCheckedSerializer(s.Serializer):
    error = s.CharField(required=False, help_text="With a 400: the first error.")
    errors = YamlMessageSerializer(many=True)
    warnings = YamlMessageSerializer(many=True)


class AgentHarnessesSerializer(s.Serializer):
    standardEnvVars = s.ListField(child=s.CharField())
    harnesses = s.DictField()


# Refs, tags, commits


class GitRefSerializer(s.Serializer):
    name = s.CharField()
    ref = s.CharField()
    targetCommit = s.CharField()


@dataclass(frozen=True)
class GitRef:
    name: str
    ref: str
    targetCommit: str


@dataclass(frozen=True)
class RepoRefs:
    """`main` is the branch; every version is a tag `vN`, and so is every alias."""

    branches: list[GitRef]
    tags: list[GitRef]
    converts: list = field(default_factory=list)
    pullRequests: list = field(default_factory=list)

    @classmethod
    def of(
        cls, latest: Version | None, versions: Iterable[Version], aliases: Iterable[Alias]
    ) -> RepoRefs:
        tags = [GitRef(f"v{v.number}", f"refs/tags/v{v.number}", v.revision) for v in versions]
        tags += [GitRef(a.name, f"refs/tags/{a.name}", a.version.revision) for a in aliases]
        main = [GitRef("main", "refs/heads/main", latest.revision)] if latest else []
        return cls(branches=main, tags=tags)


class RefsSerializer(s.Serializer):
    branches = GitRefSerializer(many=True)
    converts = s.ListField(child=s.DictField())
    tags = GitRefSerializer(many=True)
    pullRequests = s.ListField(child=s.DictField())


class TagCreateSerializer(s.Serializer):
    tag = s.CharField(
        error_messages={key: fixed(TAG) for key in ("required", "blank", "invalid", "null")},
        trim_whitespace=False,
    )
    message = s.CharField(required=False, allow_blank=True, trim_whitespace=False, default="")


class TagCreatedSerializer(s.Serializer):
    tag = s.CharField()
    version = s.IntegerField()
    sha = s.CharField()


# Likes


class LikerSerializer(s.Serializer):
    # Renders a Like, as its user.

    user = s.CharField(source="user.get_username")
    fullname = s.SerializerMethodField()
    avatarUrl = s.SerializerMethodField()
    type = s.SerializerMethodField()

    def get_fullname(self, like) -> str:
        return like.user.get_full_name() or like.user.get_username()

    def get_avatarUrl(self, like) -> str:
        return ""

    def get_type(self, like) -> str:
        return "user"


class LikedRepoSerializer(s.Serializer):
    name = s.CharField(source="full_name")
    type = s.SerializerMethodField()

    def get_type(self, model) -> str:
        return "model"


class UserLikeSerializer(s.Serializer):
    createdAt = s.DateTimeField(source="created_at")
    repo = LikedRepoSerializer(source="model")
