"""What the OpenAPI schema cannot derive from the views and their serializers: the bearer
token scheme and the query parameters the list endpoints read by hand (search, listing and
job filters). The request and response shapes sit on each view method (@extend_schema)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter

from adapters.base import STRATEGIES
from catalog.api.listing import EXPANDABLE
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
JOB_LIST_PARAMS = [
    OpenApiParameter("status", str, enum=list(STATUSES)),
    OpenApiParameter("strategy", str, enum=list(STRATEGIES)),
    OpenApiParameter("q", str, description="Words in the base model's, dataset's or new name."),
    OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": JOBS_LIMIT_MAX}),
    OpenApiParameter("cursor", str, description="From the Link header."),
]
