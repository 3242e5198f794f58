"""OpenAPI descriptions of the evaluation endpoints (imported by catalog.api.openapi)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from catalog.api import evaluation_views
from catalog.api.evaluation_serializers import (
    EvaluationCreateSerializer,
    EvaluationListQuerySerializer,
    EvaluationSerializer,
)
from catalog.api.schema import SIGNED_IN, ErrorSerializer

extend_schema_view(
    get=extend_schema(
        operation_id="evaluations_list",
        auth=SIGNED_IN,
        description="Your evaluations of a model (of one version with `revision`), newest "
        "first; at most 100.",
        parameters=[EvaluationListQuerySerializer],
        responses=EvaluationSerializer(many=True),
    ),
    post=extend_schema(
        operation_id="evaluations_create",
        description="Score an existing classification version on a labelled dataset (from "
        "`POST /api/datasets`), without training. A worker predicts every example; poll "
        "`GET /api/evaluations/{id}` for the report. Refused with 400 and the reason for a "
        "model that is not a classifier, a dataset whose labels the model does not predict "
        "(named), or one of the other kind (text/images).",
        request=EvaluationCreateSerializer,
        responses={202: EvaluationSerializer, 403: ErrorSerializer},
    ),
)(evaluation_views.EvaluationListCreate)
extend_schema_view(get=extend_schema(auth=SIGNED_IN, responses=EvaluationSerializer))(
    evaluation_views.EvaluationDetail
)
