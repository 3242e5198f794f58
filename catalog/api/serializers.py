"""The shapes of models and versions: one class each, used to render the answers, validate
the bodies and describe both in the OpenAPI schema.

Output follows the Hugging Face Hub's field names (id, sha, siblings, pipeline_tag,
cardData ...) so its client can read them; the hub's own fields sit beside. Output
serializers take the viewer's `ancestry` in their context (catalog/ancestry.py): what they
may not see of a model's lineage is hidden in every field."""

from __future__ import annotations

from dataclasses import dataclass, field

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers as s

from catalog.ancestry import Ancestry, ancestry_for
from catalog.api.evaluation_serializers import EvalResultsSerializer
from catalog.api.fields import OutputSerializer, UtcDateTimeField, VersionRefSerializer
from catalog.gitobjects import lfs_pointer
from catalog.lineage import version_bases, version_tree
from catalog.models import Model, Version, VersionFile
from catalog.selectors import AnyUser, Sight, model_alias_numbers, sight_of, version_lineage
from catalog.services.gitmeta import version_files_git
from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS

GIT_KEYS = frozenset({"lfs", "git_oid"})


@dataclass
class ModelShown:
    """What a model answer renders: the model, the version it describes (None: none yet or
    not asked), and what the answer adds. `sha` is that version's revision (in lists, the
    latest one's, `selectors.models_search`)."""

    model: Model
    version: Version | None = None
    sha: str | None = None
    lineage: list[Version | None] = field(default_factory=list)  # None: a hidden step
    paths: list[str] = field(default_factory=list)  # lists: the version's file names
    url: str | None = None  # a created model's page


def model_tags(model: Model) -> list[str]:
    tags = list(model.tags)
    tags += [t for t in (model.library, model.task) if t and t != "other"]
    tags += [f"dataset:{d}" for d in model.datasets] + list(model.languages)
    if model.license and model.license != "unknown":
        tags.append(f"license:{model.license}")
    return list(dict.fromkeys(tags))


class ShownSerializer(OutputSerializer):
    """Base of the shapes rendered from a `ModelShown` with `ancestry` in the context."""

    @property
    def ancestry(self) -> Ancestry:
        return self.context["ancestry"]


class CardDataSerializer(ShownSerializer):
    license = s.CharField(source="model.license")
    pipeline_tag = s.CharField(source="model.task")
    library_name = s.SerializerMethodField()
    tags = s.SerializerMethodField()
    datasets = s.ListField(source="model.datasets", child=s.CharField())
    language = s.ListField(source="model.languages", child=s.CharField())
    source_domain = s.CharField(source="model.source_domain")

    def get_library_name(self, shown: ModelShown) -> str | None:
        return shown.model.library or None

    def get_tags(self, shown: ModelShown) -> list[str]:
        return self.ancestry.tags(shown.model.tags)


class ModelSummarySerializer(ShownSerializer):
    """A model in a list: what `GET /api/models` returns for each by default."""

    _id = s.CharField(
        source="model.public_id", help_text="24 random hex digits; says nothing about others."
    )
    id = s.CharField(source="model.full_name")
    modelId = s.CharField(source="model.full_name")
    author = s.CharField(source="model.namespace.name")
    sha = s.CharField(allow_null=True)
    createdAt = UtcDateTimeField(source="model.created_at")
    lastModified = UtcDateTimeField(source="model.updated_at")
    private = s.BooleanField(source="model.private")
    disabled = s.SerializerMethodField()
    gated = s.SerializerMethodField()
    downloads = s.IntegerField(source="model.downloads")
    likes = s.IntegerField(source="model.likes")
    tags = s.SerializerMethodField()
    pipeline_tag = s.CharField(source="model.task")
    library_name = s.SerializerMethodField()
    task = s.CharField(source="model.task")
    source_domain = s.CharField(source="model.source_domain")
    license = s.CharField(source="model.license")
    summary = s.CharField(source="model.summary")

    def get_disabled(self, shown: ModelShown) -> bool:
        return False

    def get_gated(self, shown: ModelShown) -> bool:
        return False  # no model here is gated

    def get_tags(self, shown: ModelShown) -> list[str]:
        return self.ancestry.tags(model_tags(shown.model))

    def get_library_name(self, shown: ModelShown) -> str | None:
        return shown.model.library or None


class LfsSerializer(s.Serializer):
    sha256 = s.CharField(source="blob_id")
    size = s.IntegerField(source="blob.size")
    pointerSize = s.SerializerMethodField()

    def get_pointerSize(self, row: VersionFile) -> int:
        return len(lfs_pointer(row.blob_id, row.blob.size))


class SiblingSerializer(OutputSerializer):
    """A file as the Hub lists it: `blobId` is the git object id (of the pointer, for LFS
    files), and only files the Hub keeps in LFS have `lfs` (catalog.gitobjects)."""

    rfilename = s.CharField(source="path")
    size = s.IntegerField(source="blob.size")
    blobId = s.CharField(source="metadata.git_oid")
    lfs = LfsSerializer(source="*", required=False)
    metadata = s.SerializerMethodField(
        help_text="What the hub read from the file (format, tensors ...); `scan` is "
        '"safe", or "unscanned" for a format the upload scanner cannot look into.'
    )

    def to_representation(self, row: VersionFile) -> dict:
        entry = super().to_representation(row)
        if not row.metadata["lfs"]:
            del entry["lfs"]
        return entry

    def get_metadata(self, row: VersionFile) -> dict:
        return {k: v for k, v in row.metadata.items() if k not in GIT_KEYS}  # git keys: above


class VersionSerializer(OutputSerializer):
    """A version in `GET .../versions` and model info; `ancestry` in the context."""

    number = s.IntegerField()
    name = s.SerializerMethodField(help_text="vN")
    sha = s.CharField(source="revision", help_text="40-hex revision")
    message = s.SerializerMethodField()
    origin = s.ChoiceField(choices=Version.Origin.choices)
    status = s.ChoiceField(choices=Version.Status.choices)
    author = s.SerializerMethodField()
    createdAt = UtcDateTimeField(source="created_at")
    totalSize = s.IntegerField(source="total_size")
    parent = VersionRefSerializer(allow_null=True)

    def get_name(self, version: Version) -> str:
        return f"v{version.number}"

    def get_message(self, version: Version) -> str:
        return self.context["ancestry"].text(version.message)

    def get_author(self, version: Version) -> str | None:
        return version.author.get_username() if version.author else None


class ModelInfoSerializer(ModelSummarySerializer):
    """Model info (the client's `model_info`): the same few queries whatever the number of
    versions and the depth of lineage. The version history is not repeated here: it is
    `GET /api/models/{owner}/{name}/versions` (and the Hub's commit list)."""

    cardData = CardDataSerializer(source="*")
    siblings = s.SerializerMethodField()
    usedStorage = s.SerializerMethodField()
    card = s.SerializerMethodField(help_text="The card's Markdown, no hidden ancestor named.")
    version = VersionSerializer(allow_null=True, help_text="The version described.")
    aliases = s.SerializerMethodField(help_text="Alias name -> version number.")
    parent = VersionRefSerializer(source="version.parent", allow_null=True)
    lineage = VersionRefSerializer(
        many=True,
        help_text="The version's ancestors, parent first, across models, at most 20; a "
        "private one the viewer may not see ends it as {private: true}.",
    )
    metadata = s.SerializerMethodField()
    metrics = s.SerializerMethodField(help_text="As stored; eval_results is its checked shape.")
    eval_results = s.SerializerMethodField(
        help_text="A fine-tuned version's figures; null for other versions."
    )

    @extend_schema_field(SiblingSerializer(many=True))
    def get_siblings(self, shown: ModelShown) -> list:
        if shown.version is None:
            return []
        return SiblingSerializer(version_files_git(shown.version), many=True).data

    def get_usedStorage(self, shown: ModelShown) -> int:
        return shown.version.total_size if shown.version else 0

    def get_card(self, shown: ModelShown) -> str:
        return self.ancestry.text(shown.model.card)

    def get_aliases(self, shown: ModelShown) -> dict[str, int]:
        return model_alias_numbers(shown.model)

    def get_metadata(self, shown: ModelShown) -> dict:
        return self.ancestry.metadata(shown.version.metadata) if shown.version else {}

    def get_metrics(self, shown: ModelShown) -> dict:
        return shown.version.metrics if shown.version else {}

    @extend_schema_field(EvalResultsSerializer(allow_null=True))
    def get_eval_results(self, shown: ModelShown) -> dict | None:
        """The version's own figures (a fine-tune's estimate and the user's test set), or
        None for versions published without them."""
        metrics = (shown.version.metrics if shown.version else None) or {}
        if not isinstance(metrics.get("estimate"), dict):
            return None
        return EvalResultsSerializer(
            {"test_set": metrics.get("test_set"), "estimate": metrics["estimate"]}
        ).data


class ModelCreatedSerializer(ModelInfoSerializer):
    url = s.URLField(help_text="The model's page.")


def model_detail(
    model: Model,
    version: Version | None,
    *,
    user: AnyUser,
    sight: Sight | None = None,
    url: str | None = None,
) -> dict:
    """Model info for this viewer: the ancestors in one query (catalog.lineage). `version`
    (the author selected with it) is the one described; `sight`: the viewer's, if the caller
    has read it already; `url`: a created model's page (`ModelCreatedSerializer`)."""
    sight = sight or sight_of(user)
    tree = version_tree(model=model, version=version)
    if version is not None:
        tree.link([version])
    bases = () if sight.everything else version_bases(model)
    ancestry = ancestry_for(sight=sight, models=[model], versions=[version], tree=tree, bases=bases)
    shown = ModelShown(
        model,
        version,
        sha=version.revision if version else None,
        lineage=version_lineage(version, sight=sight, tree=tree) if version else [],
        url=url,
    )
    shape = ModelCreatedSerializer if url else ModelInfoSerializer
    return shape(shown, context={"ancestry": ancestry}).data


def versions_brief(model: Model, versions: list[Version], *, user: AnyUser) -> list:
    """`GET .../versions`: the parents of all versions come in one query (catalog.lineage)."""
    tree = version_tree(model=model)
    tree.link(versions)
    ancestry = ancestry_for(user=user, models=[model], versions=versions, tree=tree)
    return VersionSerializer(versions, many=True, context={"ancestry": ancestry}).data


class ModelCreateSerializer(s.Serializer):
    name = s.CharField(max_length=96)
    namespace = s.CharField(max_length=96, required=False, allow_blank=True)
    organization = s.CharField(max_length=96, required=False, allow_blank=True)
    private = s.BooleanField(required=False, default=False)
    card = s.CharField(required=False, allow_blank=True, default="")
    summary = s.CharField(required=False, allow_blank=True, max_length=300, default="")
    task = s.ChoiceField(choices=list(TASKS), required=False, default="other")
    source_domain = s.ChoiceField(choices=list(SOURCE_DOMAINS), required=False, default="other")
    library = s.CharField(required=False, allow_blank=True, max_length=40, default="")
    license = s.ChoiceField(choices=list(LICENSES), required=False, default="unknown")
    datasets = s.ListField(child=s.CharField(max_length=100), required=False, default=list)
    languages = s.ListField(child=s.CharField(max_length=100), required=False, default=list)
    tags = s.ListField(child=s.CharField(max_length=100), required=False, default=list)


class ModelUpdateSerializer(ModelCreateSerializer):
    name = None
    namespace = None
    organization = None

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class VersionUploadSerializer(s.Serializer):
    """The form fields of `POST .../versions` (multipart: one part per file)."""

    files = s.ListField(child=s.FileField(), required=False, help_text="One part per file.")
    paths = s.ListField(
        child=s.CharField(trim_whitespace=False),
        required=False,
        help_text="Path in the repository for each file, in order; default: its file name.",
    )
    message = s.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    mode = s.ChoiceField(
        choices=["add", "replace"],
        default="add",
        error_messages={
            "invalid_choice": "mode must be 'add' (on top of the latest version) or 'replace'."
        },
    )
    delete = s.ListField(
        child=s.CharField(trim_whitespace=False),
        required=False,
        default=list,
        help_text="Paths to leave out of the new version.",
    )


class AliasSetSerializer(s.Serializer):
    version = s.CharField(
        required=False, allow_blank=True, help_text="vN, a revision or an alias; default main"
    )
    revision = s.CharField(required=False, allow_blank=True, help_text="The same as version.")

    def target(self) -> str:
        data = self.validated_data
        return data.get("revision") or data.get("version") or "main"


class AliasSerializer(s.Serializer):
    alias = s.CharField(source="name")
    version = s.IntegerField(source="version.number")
    sha = s.CharField(source="version.revision")


class FacetValueSerializer(s.Serializer):
    value = s.CharField()
    count = s.IntegerField()


class SearchFacetsSerializer(s.Serializer):
    """Facet counts and the total for the parameters of `GET /api/models` (a search page)."""

    total = s.IntegerField()
    total_is_estimate = s.BooleanField(
        help_text="True past HUB_SEARCH_EXACT_LIMIT matches: estimated from a sample."
    )
    facets_are_estimates = s.BooleanField()
    corrected_search = s.SerializerMethodField(
        help_text="The spelling-corrected words, when the given ones matched nothing and the "
        "corrected ones did."
    )
    facets = s.SerializerMethodField()

    def get_corrected_search(self, page) -> str | None:
        return page.corrected_text or None

    @extend_schema_field(s.DictField(child=FacetValueSerializer(many=True)))
    def get_facets(self, page) -> dict:
        return {
            name: [{"value": value, "count": count} for value, count in values]
            for name, values in page.facets.items()
        }
