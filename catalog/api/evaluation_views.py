"""REST for evaluations: score a version on a labelled dataset, without training."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api.evaluation_serializers import (
    EvaluationCreateSerializer,
    EvaluationListQuerySerializer,
    EvaluationSerializer,
)
from catalog.api.permissions import signed_in
from catalog.api.schema import SIGNED_IN, ErrorSerializer
from catalog.api.views import HubAPIView
from catalog.evaluation.jobs import evaluation_submit
from catalog.evaluation.selectors import evaluation_get, evaluations_listed
from catalog.finetune.selectors import dataset_get
from catalog.models import Evaluation
from catalog.selectors import sight_of

LIST_MAX = 100


def rendered(request: Request, evaluations: Evaluation | list[Evaluation], **kwargs) -> dict:
    context = {"sight": sight_of(request.user)}
    return EvaluationSerializer(evaluations, context=context, **kwargs).data


class EvaluationListCreate(HubAPIView):
    @extend_schema(
        operation_id="evaluations_list",
        auth=SIGNED_IN,
        description="Your evaluations of a model (of one version with `revision`), newest "
        "first; at most 100.",
        parameters=[EvaluationListQuerySerializer],
        responses=EvaluationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        signed_in(request)
        query = EvaluationListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        owner, name = query.validated_data["model"]
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        revision = query.validated_data.get("revision")
        version = selectors.version_resolve(model=model, revision=revision) if revision else None
        rows = list(evaluations_listed(user=request.user, model=model, version=version)[:LIST_MAX])
        return Response(rendered(request, rows, many=True))

    @extend_schema(
        operation_id="evaluations_create",
        description="Score an existing classification version on a labelled dataset (from "
        "`POST /api/datasets`), without training. A worker predicts every example; poll "
        "`GET /api/evaluations/{id}` for the report. Refused with 400 and the reason for a "
        "model that is not a classifier, a dataset whose labels the model does not predict "
        "(named), or one of the other kind (text/images).",
        request=EvaluationCreateSerializer,
        responses={202: EvaluationSerializer, 403: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        signed_in(request)
        data = EvaluationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner, name = data.validated_data["model"]
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        version = selectors.version_resolve(model=model, revision=data.validated_data["revision"])
        dataset = dataset_get(user=request.user, dataset_id=data.validated_data["dataset"])
        evaluation = evaluation_submit(user=request.user, version=version, dataset=dataset)
        return Response(rendered(request, evaluation), status=202)


class EvaluationDetail(HubAPIView):
    @extend_schema(auth=SIGNED_IN, responses=EvaluationSerializer)
    def get(self, request: Request, evaluation_id: str) -> Response:
        signed_in(request)
        return Response(
            rendered(request, evaluation_get(user=request.user, evaluation_id=evaluation_id))
        )
