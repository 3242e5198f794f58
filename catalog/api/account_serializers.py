"""The shapes of likes, forks, organizations, members, the audit log and whoami: one class
each, used to validate the bodies, render the answers and describe both in the schema."""

from __future__ import annotations

from types import SimpleNamespace

from rest_framework import serializers as s

from catalog.api.fields import RepoIdField, UtcDateTimeField, VisibilityMixin
from catalog.models import AuditEvent, Membership


class LikeSerializer(s.Serializer):
    liked = s.BooleanField()
    likes = s.IntegerField(help_text="The model's likes now.")


class DuplicateSerializer(VisibilityMixin):
    """A fork (the Hub's `duplicate` route); without `private` or `visibility` the fork is
    as private as its source."""

    repository = RepoIdField(
        message="repository must be 'namespace/name' for the new model.",
        help_text="namespace/name of the new model",
    )
    revision = s.CharField(required=False, default="main", help_text="The version to fork.")


class DuplicatedSerializer(s.Serializer):
    url = s.URLField()
    id = s.CharField(help_text="namespace/name")


class AuditEventSerializer(s.Serializer):
    action = s.CharField()
    actor = s.SerializerMethodField()
    target = s.CharField()
    details = s.DictField()
    at = UtcDateTimeField(source="created_at")

    def get_actor(self, event: AuditEvent) -> str | None:
        return event.actor.get_username() if event.actor else None


class OrgCreateSerializer(s.Serializer):
    name = s.CharField(max_length=96)


class OrgSerializer(s.Serializer):
    name = s.CharField()
    type = s.SerializerMethodField()

    def get_type(self, org) -> str:
        return "org"


class MemberSerializer(s.Serializer):
    user = s.CharField(source="user.get_username")
    role = s.ChoiceField(choices=Membership.Role.choices)


class MemberRoleSerializer(s.Serializer):
    role = s.ChoiceField(
        choices=Membership.Role.choices,
        error_messages={"invalid_choice": "Role must be read, write or admin."},
    )


# whoami's token for a browser session (no API token): sessions may write.
SESSION_TOKEN = SimpleNamespace(name="session", scope="write")


class AccessTokenSerializer(s.Serializer):
    displayName = s.CharField(source="name")
    role = s.CharField(source="scope", help_text="read or write")


class WhoAmIAuthSerializer(s.Serializer):
    type = s.SerializerMethodField()
    accessToken = AccessTokenSerializer(source="*")

    def get_type(self, token) -> str:
        return "access_token"


class WhoAmISerializer(s.Serializer):
    """The caller, as the Hub's `whoami` answers; render `{"user": ..., "token": ...}` where
    the token is the API token used, or `SESSION_TOKEN`."""

    type = s.SerializerMethodField()
    name = s.CharField(source="user.get_username")
    fullname = s.SerializerMethodField()
    email = s.SerializerMethodField()
    orgs = s.SerializerMethodField()
    auth = WhoAmIAuthSerializer(source="token")

    def get_type(self, who: dict) -> str:
        return "user"

    def get_fullname(self, who: dict) -> str:
        return who["user"].get_full_name() or who["user"].get_username()

    def get_email(self, who: dict) -> str | None:
        return who["user"].email or None

    def get_orgs(self, who: dict) -> list[dict]:
        return []
