"""REST for "fine-tune on my data": datasets and jobs."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api.pagination import link_header
from catalog.api.permissions import signed_in
from catalog.api.serializers import iso, version_ref
from catalog.api.views import HubAPIView
from catalog.errors import InvalidInput
from catalog.finetune.jobs import finetune_cancel, finetune_submit
from catalog.finetune.listing import job_duration, job_filters, jobs_page
from catalog.finetune.selectors import dataset_get, dataset_id_parse, job_get, job_progress
from catalog.models import Dataset, FineTuneJob
from catalog.services.datasets import dataset_columns_param, dataset_create
from catalog.staging import staged_dataset_file


def dataset_json(dataset: Dataset) -> dict:
    return {
        "id": dataset.pk,
        "name": dataset.name,
        "kind": dataset.kind,
        "format": dataset.format,
        "sha256": dataset.blob_id,
        "summary": dataset.summary,
        "createdAt": iso(dataset.created_at),
    }


def job_json(job: FineTuneJob, *, brief: bool = False) -> dict:
    """A job as the API shows it; `brief` (the list) leaves out the log and the history."""
    result = job.result_version
    duration = job_duration(job)
    body = {
        "id": str(job.pk),
        "status": job.status,
        "adapter": job.adapter,
        "strategy": job.params.get("strategy"),
        "params": job.params,
        "base": version_ref(job.base_version),
        "dataset": job.dataset_id,
        "test_dataset": job.test_dataset_id,
        "epoch": job.epoch,
        "epochs": job.epochs,
        "history": job.history,
        # Phases in order with their own progress, the weighted overall fraction, the ETA;
        # "phases" is what the worker recorded (names, ISO start and end, counts).
        "progress": job_progress(job).to_dict(),
        "phases": job.phases,
        "metrics": job.metrics,
        "error": job.error or None,
        "log": job.log,
        "cancelRequested": job.cancel_requested,
        "attempts": job.attempts,
        "result": version_ref(result) if result else None,
        "createdAt": iso(job.created_at),
        "startedAt": iso(job.started_at),
        "finishedAt": iso(job.finished_at),
        "durationSeconds": round(duration.total_seconds(), 1) if duration else None,
    }
    if brief:
        del body["log"], body["history"], body["phases"]
    return body


class DatasetCreate(HubAPIView):
    def post(self, request: Request) -> Response:
        uploads = request.FILES.getlist("file") + request.FILES.getlist("files")
        if len(uploads) != 1:
            raise InvalidInput("Send exactly one dataset file in the `file` field.")
        adapter = request.data.get("adapter") or request.data.get("task") or ""
        if not adapter:
            raise InvalidInput(
                "Say which adapter the data is for: adapter=text-classification "
                "or adapter=image-classification."
            )
        columns = dataset_columns_param(
            request.data.get("text_column"), request.data.get("label_column")
        )
        staged = staged_dataset_file(uploads[0])
        dataset = dataset_create(
            owner=request.user, staged=staged, adapter_key=adapter, columns=columns
        )
        return Response(dataset_json(dataset), status=201)


class DatasetDetail(HubAPIView):
    def get(self, request: Request, dataset_id: int) -> Response:
        signed_in(request)
        return Response(dataset_json(dataset_get(user=request.user, dataset_id=dataset_id)))


class FineTuneListCreate(HubAPIView):
    def get(self, request: Request) -> Response:
        """The caller's jobs, newest first: `status`, `strategy`, `q` filters, `limit`, and the
        next page's keyset cursor in `Link` (as `GET /api/models`)."""
        signed_in(request)
        page = jobs_page(user=request.user, filters=job_filters(request.query_params))
        headers = {"X-Total-Count": str(page.total)}
        if page.next_cursor:
            params = request.query_params.copy()
            params["cursor"] = page.next_cursor
            headers.update(
                link_header(request.build_absolute_uri(f"{request.path}?{params.urlencode()}"))
            )
        return Response([job_json(job, brief=True) for job in page.jobs], headers=headers)

    def post(self, request: Request) -> Response:
        data = request.data
        repo = str(data.get("model") or "")
        if repo.count("/") != 1:
            raise InvalidInput("model must be 'owner/name' of the base model.")
        owner, name = repo.split("/")
        model = selectors.model_get(user=request.user, owner=owner, name=name)
        version = selectors.version_resolve(
            model=model, revision=str(data.get("revision") or "main")
        )
        dataset_id = dataset_id_parse(data.get("dataset"))
        if dataset_id is None:
            raise InvalidInput("dataset must be the id returned by POST /api/datasets.")
        dataset = dataset_get(user=request.user, dataset_id=dataset_id)
        test_dataset = None
        if data.get("test_dataset") not in (None, ""):
            test_id = dataset_id_parse(data.get("test_dataset"))
            if test_id is None:
                raise InvalidInput("test_dataset must be the id returned by POST /api/datasets.")
            test_dataset = dataset_get(user=request.user, dataset_id=test_id)
        params = data.get("params") or {}
        if not isinstance(params, dict):
            raise InvalidInput("params must be an object of hyper-parameters.")
        job = finetune_submit(
            user=request.user,
            base_version=version,
            dataset=dataset,
            adapter_key=str(data.get("adapter") or dataset.summary.get("adapter", "")),
            params=params,
            target_name=str(data.get("target_name") or ""),
            target_private=bool(data.get("private", False)),
            publish_to_base=bool(data.get("publish_to_base", False)),
            test_dataset=test_dataset,
        )
        return Response(job_json(job), status=202)


class FineTuneDetail(HubAPIView):
    def get(self, request: Request, job_id: str) -> Response:
        signed_in(request)
        return Response(job_json(job_get(user=request.user, job_id=job_id)))


class FineTuneCancel(HubAPIView):
    def post(self, request: Request, job_id: str) -> Response:
        job = job_get(user=request.user, job_id=job_id)
        return Response(job_json(finetune_cancel(user=request.user, job=job)))
