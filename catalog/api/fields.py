"""Fields the API's shapes share: the link to a version (a parent, a lineage step, a job's
base and result, an evaluated version), dataset ids, rounded figures."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from rest_framework import serializers as s

from catalog.ancestry import Ancestry, hidden_ref
from catalog.finetune.selectors import dataset_id_parse
from catalog.models import Version
from catalog.selectors import Sight

DATASET_ID_ERROR = "must be the id returned by POST /api/datasets."


class DatasetIdField(s.IntegerField):
    """An id from `POST /api/datasets`: ASCII digits only (`dataset_id_parse`), so "1.0",
    "٣" or a 5,000-digit number is refused with the one message that says what to send."""

    def __init__(self, *, name: str, **kwargs) -> None:
        message = f"{name} {DATASET_ID_ERROR}"
        kinds = ("invalid", "required", "null", "min_value", "max_value")
        kwargs["error_messages"] = dict.fromkeys(kinds, message)
        super().__init__(min_value=1, max_value=10**18 - 1, **kwargs)

    def to_internal_value(self, data: object) -> int:
        value = dataset_id_parse(data)
        if value is None:
            self.fail("invalid")
        return value


class OutputSerializer(s.Serializer):
    """A shape rendered many times by one instance (a list's rows): its readable fields are
    listed once, not walked through DRF's field mapping again for every row."""

    @cached_property
    def _readable_list(self) -> list[s.Field]:
        return [field for field in self.fields.values() if not field.write_only]

    @property
    def _readable_fields(self) -> list[s.Field]:
        return self._readable_list


class RepoIdField(s.RegexField):
    """A repository named "owner/name" in a body, validated as the pair (owner, name)."""

    def __init__(self, *, message: str = "must be 'namespace/name'.", **kwargs) -> None:
        kwargs.setdefault("help_text", "owner/name")
        super().__init__(
            r"^[^/]+/[^/]+$",
            trim_whitespace=False,
            error_messages={"invalid": message},
            **kwargs,
        )

    def run_validation(self, data: object = s.empty) -> tuple[str, str]:
        owner, name = super().run_validation(data).split("/")  # after the pattern's check
        return owner, name


class VisibilityMixin(s.Serializer):
    """`private: bool` (older clients, curl) or `visibility: public|private` (the Hub's
    current client); `private_wanted()` is None when neither was sent."""

    private = s.BooleanField(required=False, allow_null=True)
    visibility = s.ChoiceField(
        choices=["public", "private"],
        required=False,
        allow_null=True,
        error_messages={"invalid_choice": "visibility must be 'public' or 'private'."},
    )

    def private_wanted(self) -> bool | None:
        data = self.validated_data
        if data.get("visibility") is not None:
            return data["visibility"] == "private"
        return data.get("private")


class UtcDateTimeField(s.DateTimeField):
    """A stored (UTC) time as the Hub writes it, `2026-11-30T15:04:05.123456Z`: DRF's own
    field converts every value through the current time zone first, a quarter of the cost
    of a listed model."""

    def to_representation(self, value: datetime | None) -> str | None:
        return value.isoformat().replace("+00:00", "Z") if value else None


class RoundedFloatField(s.FloatField):
    """A float cut to `digits` decimals: fractions and seconds, not 17 noisy digits."""

    def __init__(self, *, digits: int, **kwargs) -> None:
        self.digits = digits
        super().__init__(**kwargs)

    def to_representation(self, value: float) -> float:
        return round(float(value), self.digits)


class VersionRefSerializer(s.Serializer):
    """Render with the viewer's `ancestry` or `sight` in the context: a version of a model
    they may not see (or a hidden lineage step, None) is shown as `{private: true}`. Without
    either, the caller is known to see it (a job's owner)."""

    id = s.CharField(source="model.full_name", allow_null=True, help_text="owner/name")
    version = s.IntegerField(source="number", allow_null=True)
    sha = s.CharField(source="revision", allow_null=True)
    private = s.BooleanField(
        required=False,  # a Version has no `private`: left out unless hidden
        help_text="Present and true for a private model you may not see: id, version and "
        "sha are then null.",
    )

    def to_representation(self, version: Version | None) -> dict:
        if version is None or not self._viewer_sees(version):
            return hidden_ref()
        return super().to_representation(version)

    def _viewer_sees(self, version: Version) -> bool:
        ancestry, sight = self.context.get("ancestry"), self.context.get("sight")
        if isinstance(ancestry, Ancestry):
            return ancestry.shows(version)
        return sight.sees(version.model) if isinstance(sight, Sight) else True
