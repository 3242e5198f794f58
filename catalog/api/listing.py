"""The shapes of `GET /api/models`, as the Hub answers its list.

By default each model's summary (`serializers.model_summary`); `full` adds the file names
(`siblings`), `cardData` the card data, `config` what the hub read of the model's config.
`expand` names exactly the fields to return besides `_id` and `id`, replacing the default set;
a name outside the Hub's is a 400. Fields this hub has no data for (gguf, inference, widgets
...) are left out, which the client reads as None.

A page costs the same few queries whatever its size: the latest versions of its models in
one, their file names in one; config and parameter counts come from `version.metadata`
(written at publish), never from storage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from catalog.ancestry import Ancestry, ancestry_for
from catalog.api.serializers import card_data, model_summary
from catalog.errors import InvalidInput
from catalog.models import Model, Version
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


def models_listed(models: list[Model], *, user: AnyUser, fields: ListFields) -> list[dict]:
    """The page for this viewer; `models` carry `latest_sha` (`selectors.models_search`)."""
    ancestry = ancestry_for(user=user, models=models)
    shas = [model.latest_sha for model in models if model.latest_sha]
    versions = versions_by_revision(shas) if any(map(fields.wants, FROM_VERSION)) else {}
    paths = version_file_paths(v.pk for v in versions.values()) if fields.wants("siblings") else {}
    rows = []
    for model in models:
        version = versions.get(model.latest_sha or "")
        listed = _Listed(model, version, paths.get(version.pk, []) if version else [], ancestry)
        rows.append(listed.expanded(fields.expand) if fields.expand else listed.default(fields))
    return rows


@dataclass
class _Listed:
    model: Model
    version: Version | None
    paths: list[str]
    ancestry: Ancestry

    def default(self, fields: ListFields) -> dict:
        row = model_summary(self.model, sha=self.model.latest_sha, ancestry=self.ancestry)
        for name in ("siblings", "cardData", "config"):
            if fields.wants(name):
                row[name] = self.value(name)
        return row

    def expanded(self, names: Iterable[str]) -> dict:
        summary = model_summary(self.model, sha=self.model.latest_sha, ancestry=self.ancestry)
        row = {"_id": summary["_id"], "id": summary["id"]}
        for name in names:
            value = summary[name] if name in summary else self.value(name)
            if value is not None:
                row[name] = value
        return row

    def value(self, name: str) -> object:
        model, version = self.model, self.version
        metadata = version.metadata if version else {}
        values = {
            "downloadsAllTime": lambda: model.downloads,
            "trendingScore": lambda: model.trending,
            "spaces": list,
            "siblings": lambda: [{"rfilename": path} for path in self.paths],
            "cardData": lambda: card_data(model, self.ancestry),
            "config": lambda: _config(metadata) if version else None,
            "safetensors": lambda: _safetensors(metadata),
            "usedStorage": lambda: version.total_size if version else 0,
            "baseModels": lambda: self._base_models(metadata),
        }
        return values[name]() if name in values else None

    def _base_models(self, metadata: dict) -> dict | None:
        name = self.ancestry.name(self.model.base_model)  # None: a private base, unnamed
        if not name:
            return None
        return {"relation": metadata.get("base_model_relation"), "models": [{"id": name}]}


def _config(metadata: dict) -> dict:
    """What the Hub's list shows of config.json, from the format read at publish."""
    fmt = metadata.get("format") if isinstance(metadata.get("format"), dict) else {}
    return {key: fmt[key] for key in ("architectures", "model_type") if fmt.get(key)}


def _safetensors(metadata: dict) -> dict | None:
    total = metadata.get("parameter_count")
    if metadata.get("parameter_source") != "safetensors" or not isinstance(total, int):
        return None
    return {"parameters": metadata.get("dtypes") or {}, "total": total}


def _expand_values(params: Mapping) -> list[str]:
    getter = getattr(params, "getlist", None)
    raw = [*getter("expand"), *getter("expand[]")] if getter else [params.get("expand") or ""]
    return [part.strip() for value in raw for part in str(value).split(",") if part.strip()]


def _flag(params: Mapping, key: str) -> bool:
    value = str(params.get(key) or "").strip().lower()
    if value not in TRUE | FALSE:
        raise InvalidInput(f"{key} must be true or false.")
    return value in TRUE
