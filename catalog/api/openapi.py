"""OpenAPI descriptions of the REST endpoints: request and response shapes, attached to the
views here so the views themselves stay thin. Imported by catalog.api.urls."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers as s

from adapters.base import STRATEGIES
from catalog.api import (  # noqa: F401
    account_views,
    finetune_views,
    openapi_evaluations,
    openapi_hf,
    views,
)
from catalog.api.evaluation_serializers import EvalResultsSerializer
from catalog.api.listing import EXPANDABLE
from catalog.api.schema import SIGNED_IN, ErrorSerializer
from catalog.api.serializers import ModelCreateSerializer, ModelUpdateSerializer
from catalog.finetune.listing import LIMIT_MAX as JOBS_LIMIT_MAX
from catalog.finetune.listing import STATUSES
from catalog.search.params import LIMIT_MAX, PAGE_MAX


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "catalog.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from /settings/tokens (`hub_...`).",
        }


class LfsSerializer(s.Serializer):
    sha256 = s.CharField()
    size = s.IntegerField()
    pointerSize = s.IntegerField()


class SiblingSerializer(s.Serializer):
    rfilename = s.CharField()
    size = s.IntegerField()
    blobId = s.CharField()
    lfs = LfsSerializer()
    metadata = s.DictField(
        help_text="What the hub read from the file (format, tensors ...); `scan` is "
        '"safe", or "unscanned" for a format the upload scanner cannot look into.'
    )


class VersionRefSerializer(s.Serializer):
    id = s.CharField(help_text="owner/name", allow_null=True)
    version = s.IntegerField(allow_null=True)
    sha = s.CharField(allow_null=True)
    private = s.BooleanField(
        required=False,
        help_text="Present and true for a private model you may not see: id, version and "
        "sha are then null.",
    )


class VersionSerializer(s.Serializer):
    number = s.IntegerField()
    name = s.CharField(help_text="vN")
    sha = s.CharField(help_text="40-hex revision")
    message = s.CharField()
    origin = s.ChoiceField(choices=["upload", "fork", "finetune", "import"])
    status = s.CharField()
    author = s.CharField(allow_null=True)
    createdAt = s.DateTimeField()
    totalSize = s.IntegerField()
    parent = VersionRefSerializer(allow_null=True)


class ModelSummarySerializer(s.Serializer):
    _id = s.CharField(help_text="24 random hex digits; says nothing about other models.")
    id = s.CharField()
    modelId = s.CharField()
    author = s.CharField()
    sha = s.CharField(allow_null=True)
    createdAt = s.DateTimeField()
    lastModified = s.DateTimeField()
    private = s.BooleanField()
    downloads = s.IntegerField()
    likes = s.IntegerField()
    tags = s.ListField(child=s.CharField())
    pipeline_tag = s.CharField()
    library_name = s.CharField(allow_null=True)
    task = s.CharField()
    source_domain = s.CharField()
    license = s.CharField()
    summary = s.CharField()


class ModelListItemSerializer(ModelSummarySerializer):
    """One model of `GET /api/models`. With `expand`, only `_id`, `id` and the named fields."""

    siblings = s.ListField(
        child=inline_serializer("ListedFile", {"rfilename": s.CharField()}),
        required=False,
        help_text="With full=true or expand=siblings: the latest version's file names.",
    )
    cardData = s.DictField(required=False, help_text="With cardData=true.")
    config = s.DictField(
        required=False, help_text="With config=true: model_type and architectures."
    )
    safetensors = s.DictField(
        required=False, help_text="With expand=safetensors: {parameters: {dtype: n}, total}."
    )
    usedStorage = s.IntegerField(required=False)
    trendingScore = s.IntegerField(required=False)


class ModelInfoSerializer(ModelSummarySerializer):
    """Model info (the client's `model_info`): the same few queries whatever the number of
    versions and the depth of lineage. The version history is not repeated here: it is
    `GET /api/models/{owner}/{name}/versions` (and the Hub's commit list)."""

    cardData = s.DictField()
    siblings = SiblingSerializer(many=True)
    card = s.CharField(help_text="The card's Markdown, without names of hidden ancestors.")
    version = VersionSerializer(allow_null=True, help_text="The version described.")
    aliases = s.DictField(child=s.IntegerField(), help_text="Alias name -> version number.")
    parent = VersionRefSerializer(allow_null=True)
    lineage = VersionRefSerializer(
        many=True,
        help_text="The version's ancestors, parent first, across models, at most 20; a "
        "private one the viewer may not see ends it as {private: true}.",
    )
    metadata = s.DictField()
    metrics = s.DictField(help_text="As stored; eval_results is its checked shape.")
    eval_results = EvalResultsSerializer(
        allow_null=True, help_text="A fine-tuned version's figures; null for other versions."
    )


UPLOAD = inline_serializer(
    "VersionUpload",
    {
        "files": s.ListField(child=s.FileField(), help_text="One part per file."),
        "paths": s.ListField(
            child=s.CharField(),
            required=False,
            help_text="Path in the repository for each file, in order.",
        ),
        "message": s.CharField(required=False),
        "mode": s.ChoiceField(choices=["add", "replace"], required=False),
        "delete": s.ListField(child=s.CharField(), required=False),
    },
)
FACETS = inline_serializer(
    "Facets",
    {
        "total": s.IntegerField(),
        "total_is_estimate": s.BooleanField(
            help_text="True past HUB_SEARCH_EXACT_LIMIT matches: estimated from a sample."
        ),
        "facets_are_estimates": s.BooleanField(),
        "corrected_search": s.CharField(
            allow_null=True,
            help_text="The spelling-corrected words, when the given ones "
            "matched nothing and the corrected ones did.",
        ),
        "facets": s.DictField(child=s.ListField(child=s.DictField())),
    },
)
DATASET = inline_serializer(
    "Dataset",
    {
        "id": s.IntegerField(),
        "name": s.CharField(),
        "kind": s.CharField(),
        "format": s.CharField(),
        "sha256": s.CharField(),
        "summary": s.DictField(),
        "createdAt": s.DateTimeField(),
    },
)


class JobPhaseSerializer(s.Serializer):
    name = s.CharField(help_text="queued, preparing, features, training, evaluating, ...")
    label = s.CharField()
    state = s.CharField(help_text="done, current, pending, skipped or stopped")
    detail = s.CharField(help_text='e.g. "fit 2 of 6, epoch 3/10" or "120/200"')
    fraction = s.FloatField()


class JobProgressSerializer(s.Serializer):
    phase = s.CharField(allow_null=True, help_text="The current phase; null once it ended.")
    overall = s.FloatField(help_text="0 to 1, phases weighted by their measured cost.")
    etaSeconds = s.FloatField(allow_null=True, help_text="Once the first epoch is done.")
    phases = JobPhaseSerializer(many=True)


JOB = inline_serializer(
    "FineTuneJob",
    {
        "id": s.UUIDField(),
        "status": s.ChoiceField(choices=["queued", "running", "succeeded", "failed", "cancelled"]),
        "adapter": s.CharField(),
        "params": s.DictField(),
        "base": VersionRefSerializer(),
        "dataset": s.IntegerField(),
        "test_dataset": s.IntegerField(
            allow_null=True, help_text="The user's own test set: scored, never trained on."
        ),
        "epoch": s.IntegerField(),
        "epochs": s.IntegerField(),
        "history": s.ListField(child=s.DictField()),
        "progress": JobProgressSerializer(),
        "phases": s.ListField(child=s.DictField()),
        "metrics": s.DictField(),
        "error": s.CharField(allow_null=True),
        "log": s.CharField(),
        "result": VersionRefSerializer(allow_null=True),
    },
)
SEARCH_PARAMS = [
    OpenApiParameter("search", str, description="Words; prefix and typo tolerant."),
    OpenApiParameter("author", str),
    OpenApiParameter("filter", str, many=True),
    OpenApiParameter("task", str),
    OpenApiParameter("library", str),
    OpenApiParameter("source_domain", str),
    OpenApiParameter("license", str),
    OpenApiParameter("language", str),
    OpenApiParameter("dataset", str),
    OpenApiParameter("base_model", str),
    OpenApiParameter("finetunable", bool),
    OpenApiParameter(
        "sort", str, enum=["relevance", "downloads", "likes", "updated", "created", "trending"]
    ),
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX},
        description=f"How many models in all; pages hold at most {PAGE_MAX}, the next page "
        "is in the Link header.",
    ),
    OpenApiParameter("cursor", str, description="From the Link header."),
    OpenApiParameter(
        "gated", bool, description="No model here is gated: true lists none, false all."
    ),
    OpenApiParameter(
        "num_parameters",
        str,
        description="Parameter count of the latest version, e.g. min:6B,max:128B.",
    ),
]
LIST_PARAMS = [
    *SEARCH_PARAMS,
    OpenApiParameter("full", bool, description="Add the files (siblings)."),
    OpenApiParameter("cardData", bool, description="Add the card data."),
    OpenApiParameter("config", bool, description="Add model_type and architectures."),
    OpenApiParameter(
        "expand",
        str,
        enum=list(EXPANDABLE),
        many=True,
        description="Only these fields (with _id and id); not with full, cardData or config.",
    ),
]
MESSAGE = inline_serializer("Ok", {"ok": s.BooleanField(required=False)})

extend_schema_view(
    get=extend_schema(
        operation_id="models_list",
        parameters=LIST_PARAMS,
        responses=ModelListItemSerializer(many=True),
    ),
    post=extend_schema(request=ModelCreateSerializer, responses={201: ModelInfoSerializer}),
)(views.ModelListCreate)
extend_schema_view(get=extend_schema(parameters=SEARCH_PARAMS, responses=FACETS))(
    views.SearchFacets
)
extend_schema_view(
    get=extend_schema(responses=ModelInfoSerializer),
    patch=extend_schema(request=ModelUpdateSerializer, responses=ModelInfoSerializer),
    delete=extend_schema(responses={204: None}),
)(views.ModelDetail)
extend_schema_view(
    get=extend_schema(responses=VersionSerializer(many=True)),
    post=extend_schema(
        request={"multipart/form-data": UPLOAD}, responses={201: ModelInfoSerializer}
    ),
)(views.VersionListCreate)
extend_schema_view(
    put=extend_schema(
        request=inline_serializer("AliasSet", {"version": s.CharField()}),
        responses=inline_serializer(
            "Alias", {"alias": s.CharField(), "version": s.IntegerField(), "sha": s.CharField()}
        ),
    ),
    delete=extend_schema(responses={204: None}),
)(views.AliasDetail)
extend_schema_view(get=extend_schema(auth=SIGNED_IN, responses=OpenApiTypes.OBJECT))(views.WhoAmI)
extend_schema_view(
    post=extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "DatasetUpload",
                {
                    "file": s.FileField(),
                    "adapter": s.CharField(),
                    "text_column": s.CharField(
                        required=False,
                        help_text="Text datasets: the column holding the text (with "
                        "label_column); blank: a column with a usual name (text, sentence, ...).",
                    ),
                    "label_column": s.CharField(required=False),
                },
            )
        },
        responses={201: DATASET},
    )
)(finetune_views.DatasetCreate)
extend_schema_view(get=extend_schema(auth=SIGNED_IN, responses=DATASET))(
    finetune_views.DatasetDetail
)


class FineTuneJobBriefSerializer(s.Serializer):
    """A job in `GET /api/finetunes`: a job without its log and history."""

    id = s.UUIDField()
    status = s.ChoiceField(choices=list(STATUSES))
    strategy = s.CharField(allow_null=True)
    adapter = s.CharField()
    params = s.DictField()
    base = VersionRefSerializer()
    dataset = s.IntegerField()
    test_dataset = s.IntegerField(allow_null=True)
    epoch = s.IntegerField()
    epochs = s.IntegerField()
    progress = JobProgressSerializer()
    metrics = s.DictField()
    error = s.CharField(allow_null=True)
    result = VersionRefSerializer(allow_null=True)
    createdAt = s.DateTimeField()
    durationSeconds = s.FloatField(allow_null=True)


JOB_LIST_PARAMS = [
    OpenApiParameter("status", str, enum=list(STATUSES)),
    OpenApiParameter("strategy", str, enum=list(STRATEGIES)),
    OpenApiParameter("q", str, description="Words in the base model's, dataset's or new name."),
    OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": JOBS_LIMIT_MAX}),
    OpenApiParameter("cursor", str, description="From the Link header."),
]
extend_schema_view(
    get=extend_schema(
        operation_id="finetunes_list",
        auth=SIGNED_IN,
        parameters=JOB_LIST_PARAMS,
        responses=FineTuneJobBriefSerializer(many=True),
    ),
    post=extend_schema(
        request=inline_serializer(
            "FineTuneSubmit",
            {
                "model": s.CharField(help_text="owner/name"),
                "revision": s.CharField(required=False),
                "dataset": s.IntegerField(),
                "test_dataset": s.IntegerField(
                    required=False,
                    help_text="A second dataset (POST /api/datasets) whose labels are among "
                    "the training labels: the shipped model is scored on it, never trained "
                    "on it, and its figures are reported apart (metrics.test_set).",
                ),
                "adapter": s.CharField(required=False),
                "params": s.DictField(required=False),
                "target_name": s.CharField(required=False),
                "private": s.BooleanField(required=False),
                "publish_to_base": s.BooleanField(required=False),
            },
        ),
        responses={202: JOB},
    ),
)(finetune_views.FineTuneListCreate)
extend_schema_view(get=extend_schema(auth=SIGNED_IN, responses=JOB))(finetune_views.FineTuneDetail)
extend_schema_view(post=extend_schema(request=None, responses=JOB))(finetune_views.FineTuneCancel)
LIKE = inline_serializer("Like", {"liked": s.BooleanField(), "likes": s.IntegerField()})
extend_schema_view(
    post=extend_schema(request=None, responses=LIKE), delete=extend_schema(responses=LIKE)
)(account_views.ModelLike)
extend_schema_view(
    post=extend_schema(
        request=inline_serializer(
            "Duplicate", {"repository": s.CharField(), "private": s.BooleanField(required=False)}
        ),
        responses={
            200: inline_serializer("Duplicated", {"url": s.URLField(), "id": s.CharField()})
        },
    )
)(account_views.ModelDuplicate)
extend_schema_view(
    get=extend_schema(
        auth=SIGNED_IN,
        description="The model's audit log, newest first (at most 200 events): admins only.",
        responses={
            403: ErrorSerializer,
            200: inline_serializer(
                "AuditEvent",
                {
                    "action": s.CharField(),
                    "actor": s.CharField(allow_null=True),
                    "target": s.CharField(),
                    "details": s.DictField(),
                    "at": s.DateTimeField(),
                },
                many=True,
            ),
        },
    )
)(account_views.ModelAudit)
extend_schema_view(
    post=extend_schema(
        request=inline_serializer("OrgCreate", {"name": s.CharField()}),
        responses={201: inline_serializer("Org", {"name": s.CharField(), "type": s.CharField()})},
    )
)(account_views.Organizations)
extend_schema_view(
    get=extend_schema(
        description="Members of an organization and their roles. Membership is not public: "
        "only members of the organization (any role) and site admins may list it; anyone "
        "else gets 403, and an anonymous caller 401.",
        auth=SIGNED_IN,
        responses={
            200: inline_serializer(
                "MemberList", {"user": s.CharField(), "role": s.CharField()}, many=True
            ),
            403: ErrorSerializer,
        },
    ),
)(account_views.OrganizationMembers)
extend_schema_view(
    put=extend_schema(
        request=inline_serializer(
            "MemberRole", {"role": s.ChoiceField(choices=["read", "write", "admin"])}
        ),
        responses=inline_serializer("Member", {"user": s.CharField(), "role": s.CharField()}),
    ),
    delete=extend_schema(responses={204: None}),
)(account_views.OrganizationMember)
