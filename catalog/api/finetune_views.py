"""REST for "fine-tune on my data": datasets and jobs."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api.serializers import iso, version_ref
from catalog.api.views import HubAPIView
from catalog.errors import InvalidInput, Unauthorized
from catalog.finetune.jobs import finetune_cancel, finetune_submit
from catalog.finetune.selectors import dataset_get, dataset_id_parse, job_get
from catalog.models import Dataset, FineTuneJob
from catalog.services.datasets import dataset_create
from catalog.staging import staged_from_uploads


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


def job_json(job: FineTuneJob) -> dict:
    result = job.result_version
    return {
        "id": str(job.pk),
        "status": job.status,
        "adapter": job.adapter,
        "params": job.params,
        "base": version_ref(job.base_version),
        "dataset": job.dataset_id,
        "epoch": job.epoch,
        "epochs": job.epochs,
        "history": job.history,
        "metrics": job.metrics,
        "error": job.error or None,
        "log": job.log,
        "cancelRequested": job.cancel_requested,
        "attempts": job.attempts,
        "result": version_ref(result) if result else None,
        "createdAt": iso(job.created_at),
        "startedAt": iso(job.started_at),
        "finishedAt": iso(job.finished_at),
    }


def require_user(request: Request) -> None:
    if not request.user.is_authenticated:
        raise Unauthorized("Sign in or send `Authorization: Bearer <token>` to do this.")


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
        staged = staged_from_uploads(uploads)[0]
        staged.path = staged.path.rsplit("/", 1)[-1]
        dataset = dataset_create(owner=request.user, staged=staged, adapter_key=adapter)
        return Response(dataset_json(dataset), status=201)


class DatasetDetail(HubAPIView):
    def get(self, request: Request, dataset_id: int) -> Response:
        require_user(request)
        return Response(dataset_json(dataset_get(user=request.user, dataset_id=dataset_id)))


class FineTuneCreate(HubAPIView):
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
        )
        return Response(job_json(job), status=202)


class FineTuneDetail(HubAPIView):
    def get(self, request: Request, job_id: str) -> Response:
        require_user(request)
        return Response(job_json(job_get(user=request.user, job_id=job_id)))


class FineTuneCancel(HubAPIView):
    def post(self, request: Request, job_id: str) -> Response:
        job = job_get(user=request.user, job_id=job_id)
        return Response(job_json(finetune_cancel(user=request.user, job=job)))
