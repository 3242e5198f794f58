"""The shapes of `GET /api/models`, as the Hub answers its list.

By default each model's summary (`serializers.ModelSummarySerializer`); `full` adds the file names
(`siblings`), `cardData` the card data, `config` what the hub read of the model's config.
`expand` names exactly the fields to return besides `_id` and `id`, replacing the default set;
a name outside the Hub's is a 400. Fields this hub has no data for (gguf, inference, widgets
...) are left out, which the client reads as None.

A page costs the same few queries whatever its size: the latest versions of its models in
one, their file names in one; config and parameter counts come from `version.metadata`
(written at publish), never from storage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers as s

from catalog.ancestry import ancestry_for
from catalog.api.serializers import CardDataSerializer, ModelShown, ModelSummarySerializer
from catalog.errors import InvalidInput
from catalog.models import Model
from catalog.selectors import AnyUser, version_file_paths, versions_by_revision

# The client's ExpandModelProperty_T (huggingface_hub 2.4): what `expand` may name.
EXPANDABLE = (
    "author",
    "baseModels",
    "cardData",
    "childrenModelCount",
    "config",
    "createdAt",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "evalResults",
    "gated",
    "gguf",
    "inference",
    "inferenceProviderMapping",
    "lastModified",
    "library_name",
    "likes",
    "mask_token",
    "model-index",
    "pipeline_tag",
    "private",
    "resourceGroup",
    "safetensors",
    "sha",
    "siblings",
    "spaces",
    "tags",
    "transformersInfo",
    "trendingScore",
    "usedStorage",
    "widgetData",
)
SUMMARY = frozenset(ModelSummarySerializer._declared_fields)
FROM_VERSION = frozenset({"siblings", "config", "safetensors", "usedStorage", "baseModels"})
TRUE, FALSE = {"1", "true", "yes"}, {"0", "false", "no", ""}


@dataclass(frozen=True)
class ListFields:
    full: bool = False
    card_data: bool = False
    config: bool = False
    expand: tuple[str, ...] = ()

    def wants(self, name: str) -> bool:
        if self.expand:
            return name in self.expand
        return {"siblings": self.full, "cardData": self.card_data, "config": self.config}.get(
            name, False
        )


def list_fields(params: Mapping) -> ListFields:
    """`full`, `cardData`, `config` and `expand` (also `expand[]`, repeated or comma-separated)."""
    expand = tuple(dict.fromkeys(_expand_values(params)))
    unknown = [name for name in expand if name not in EXPANDABLE]
    if unknown:
        raise InvalidInput(
            f"expand {unknown[0][:100]!r} is not a model property; use any of: "
            f"{', '.join(EXPANDABLE)}."
        )
    fields = ListFields(
        full=_flag(params, "full"),
        card_data=_flag(params, "cardData"),
        config=_flag(params, "config"),
        expand=expand,
    )
    if expand and (fields.full or fields.card_data or fields.config):
        raise InvalidInput("expand cannot be combined with full, cardData or config.")
    return fields


def models_listed(models: list[Model], *, user: AnyUser, fields: ListFields) -> list:
    """The page for this viewer; `models` carry `latest_sha` (`selectors.models_search`)."""
    ancestry = ancestry_for(user=user, models=models)
    shas = [model.latest_sha for model in models if model.latest_sha]
    versions = versions_by_revision(shas) if any(map(fields.wants, FROM_VERSION)) else {}
    paths = version_file_paths(v.pk for v in versions.values()) if fields.wants("siblings") else {}
    rows = []
    for model in models:
        version = versions.get(model.latest_sha or "")
        listed = paths.get(version.pk, []) if version else []
        rows.append(ModelShown(model, version, sha=model.latest_sha, paths=listed))
    context = {"ancestry": ancestry, "fields": fields}
    return ModelListItemSerializer(rows, many=True, context=context).data


class BaseModelsSerializer(s.Serializer):
    relation = s.CharField(allow_null=True)
    models = s.ListField(child=s.DictField(child=s.CharField()), help_text="[{id}]")


class ModelListItemSerializer(ModelSummarySerializer):
    """One model of `GET /api/models`. The summary and, with `full`, `cardData` or `config`,
    those fields; with `expand`, only `_id`, `id` and the named fields that have a value.
    The context's `fields` (a `ListFields`) says which."""

    siblings = s.SerializerMethodField(
        required=False, help_text="With full=true or expand=siblings: the file names."
    )
    cardData = CardDataSerializer(source="*", required=False, help_text="With cardData=true.")
    config = s.SerializerMethodField(
        required=False, help_text="With config=true: model_type and architectures."
    )
    safetensors = s.SerializerMethodField(
        required=False, help_text="With expand=safetensors: {parameters: {dtype: n}, total}."
    )
    usedStorage = s.SerializerMethodField(required=False)
    trendingScore = s.IntegerField(source="model.trending", required=False)
    downloadsAllTime = s.IntegerField(source="model.downloads", required=False)
    spaces = s.SerializerMethodField(required=False)
    baseModels = s.SerializerMethodField(required=False)

    def get_fields(self) -> dict:
        fields = super().get_fields()
        wanted = self.context.get("fields")
        if wanted is None:  # the schema: with `expand`, only _id and id are sure to be there
            for name, field in fields.items():
                field.required = name in ("_id", "id")
                field.read_only = False  # spectacular lists read-only fields as required
            return fields
        if wanted.expand:
            keep = {"_id", "id", *wanted.expand}
        else:
            keep = {name for name in fields if name in SUMMARY or wanted.wants(name)}
        return {name: field for name, field in fields.items() if name in keep}

    def to_representation(self, shown: ModelShown) -> dict:
        row = super().to_representation(shown)
        if self.context["fields"].expand:  # the Hub leaves out what a model has no value for
            return {name: value for name, value in row.items() if value is not None}
        return row

    def get_siblings(self, shown: ModelShown) -> list[dict[str, str]]:
        return [{"rfilename": path} for path in shown.paths]

    def get_config(self, shown: ModelShown) -> dict | None:
        """What the Hub's list shows of config.json, from the format read at publish."""
        if shown.version is None:
            return None
        fmt = shown.version.metadata.get("format")
        fmt = fmt if isinstance(fmt, dict) else {}
        return {key: fmt[key] for key in ("architectures", "model_type") if fmt.get(key)}

    def get_safetensors(self, shown: ModelShown) -> dict | None:
        metadata = shown.version.metadata if shown.version else {}
        total = metadata.get("parameter_count")
        if metadata.get("parameter_source") != "safetensors" or not isinstance(total, int):
            return None
        return {"parameters": metadata.get("dtypes") or {}, "total": total}

    def get_usedStorage(self, shown: ModelShown) -> int:
        return shown.version.total_size if shown.version else 0

    def get_spaces(self, shown: ModelShown) -> list[str]:
        return []

    @extend_schema_field(BaseModelsSerializer(allow_null=True))
    def get_baseModels(self, shown: ModelShown) -> dict | None:
        name = self.ancestry.name(shown.model.base_model)  # None: a private base, unnamed
        if not name:
            return None
        metadata = shown.version.metadata if shown.version else {}
        return {"relation": metadata.get("base_model_relation"), "models": [{"id": name}]}


def _expand_values(params: Mapping) -> list[str]:
    getter = getattr(params, "getlist", None)
    raw = [*getter("expand"), *getter("expand[]")] if getter else [params.get("expand") or ""]
    return [part.strip() for value in raw for part in str(value).split(",") if part.strip()]


def _flag(params: Mapping, key: str) -> bool:
    value = str(params.get(key) or "").strip().lower()
    if value not in TRUE | FALSE:
        raise InvalidInput(f"{key} must be true or false.")
    return value in TRUE
