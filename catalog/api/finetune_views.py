"""REST for "fine-tune on my data": datasets and jobs."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api.finetune_serializers import (
    DatasetSerializer,
    DatasetUploadSerializer,
    FineTuneJobBriefSerializer,
    FineTuneJobSerializer,
    FineTuneSubmitSerializer,
)
from catalog.api.openapi import JOB_LIST_PARAMS
from catalog.api.pagination import next_link
from catalog.api.permissions import signed_in
from catalog.api.schema import SIGNED_IN
from catalog.api.views import HubAPIView
from catalog.errors import InvalidInput
from catalog.finetune.jobs import finetune_cancel, finetune_submit
from catalog.finetune.listing import job_filters, jobs_page
from catalog.finetune.selectors import dataset_get, job_get
from catalog.services.datasets import dataset_columns_param, dataset_create
from catalog.staging import staged_dataset_file


class DatasetCreate(HubAPIView):
    @extend_schema(
        request={"multipart/form-data": DatasetUploadSerializer},
        responses={201: DatasetSerializer},
    )
    def post(self, request: Request) -> Response:
        uploads = request.FILES.getlist("file") + request.FILES.getlist("files")
        if len(uploads) != 1:
            raise InvalidInput("Send exactly one dataset file in the `file` field.")
        form = DatasetUploadSerializer(data={**request.data.dict(), "file": uploads[0]})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        columns = dataset_columns_param(data.get("text_column"), data.get("label_column"))
        dataset = dataset_create(
            owner=request.user,
            staged=staged_dataset_file(data["file"]),
            adapter_key=data["adapter"],
            columns=columns,
        )
        return Response(DatasetSerializer(dataset).data, status=201)


class DatasetDetail(HubAPIView):
    @extend_schema(auth=SIGNED_IN, responses=DatasetSerializer)
    def get(self, request: Request, dataset_id: int) -> Response:
        signed_in(request)
        dataset = dataset_get(user=request.user, dataset_id=dataset_id)
        return Response(DatasetSerializer(dataset).data)


class FineTuneListCreate(HubAPIView):
    @extend_schema(
        operation_id="finetunes_list",
        auth=SIGNED_IN,
        parameters=JOB_LIST_PARAMS,
        responses=FineTuneJobBriefSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """The caller's jobs, newest first: `status`, `strategy`, `q` filters, `limit`, and the
        next page's keyset cursor in `Link` (as `GET /api/models`)."""
        signed_in(request)
        page = jobs_page(user=request.user, filters=job_filters(request.query_params))
        headers = {"X-Total-Count": str(page.total)}
        headers.update(next_link(request, page.next_cursor))
        return Response(FineTuneJobBriefSerializer(page.jobs, many=True).data, headers=headers)

    @extend_schema(request=FineTuneSubmitSerializer, responses={202: FineTuneJobSerializer})
    def post(self, request: Request) -> Response:
        form = FineTuneSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        owner, name = data["model"]
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        version = selectors.version_resolve(model=model, revision=data["revision"])
        dataset = dataset_get(user=request.user, dataset_id=data["dataset"])
        test_id = data.get("test_dataset")
        test_dataset = dataset_get(user=request.user, dataset_id=test_id) if test_id else None
        job = finetune_submit(
            user=request.user,
            base_version=version,
            dataset=dataset,
            adapter_key=data.get("adapter") or dataset.summary.get("adapter", ""),
            params=data["params"],
            target_name=data["target_name"],
            target_private=data["private"],
            publish_to_base=data["publish_to_base"],
            test_dataset=test_dataset,
        )
        return Response(FineTuneJobSerializer(job).data, status=202)


class FineTuneDetail(HubAPIView):
    @extend_schema(auth=SIGNED_IN, responses=FineTuneJobSerializer)
    def get(self, request: Request, job_id: str) -> Response:
        signed_in(request)
        return Response(FineTuneJobSerializer(job_get(user=request.user, job_id=job_id)).data)


class FineTuneCancel(HubAPIView):
    @extend_schema(request=None, responses=FineTuneJobSerializer)
    def post(self, request: Request, job_id: str) -> Response:
        job = job_get(user=request.user, job_id=job_id)
        return Response(FineTuneJobSerializer(finetune_cancel(user=request.user, job=job)).data)
