"""The shapes of "fine-tune on my data" in the API: datasets and jobs, one class each, used
to validate the bodies, render the answers and describe both in the OpenAPI schema."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers as s

from adapters.base import STRATEGIES
from catalog.api.fields import (
    DatasetIdField,
    RepoIdField,
    RoundedFloatField,
    UtcDateTimeField,
    VersionRefSerializer,
)
from catalog.finetune.listing import job_duration
from catalog.finetune.selectors import job_progress
from catalog.models import FineTuneJob


class DatasetUploadSerializer(s.Serializer):
    """The form of `POST /api/datasets` (multipart)."""

    file = s.FileField(help_text="The dataset: CSV, JSON lines or a zip of class folders.")
    adapter = s.CharField(
        required=False,
        allow_blank=True,
        help_text="text-classification or image-classification (`task` is the same).",
    )
    task = s.CharField(required=False, allow_blank=True, write_only=True)
    text_column = s.CharField(
        required=False,
        allow_blank=True,
        help_text="Text datasets: the column holding the text (with label_column); blank: a "
        "column with a usual name (text, sentence, ...).",
    )
    label_column = s.CharField(required=False, allow_blank=True)

    def validate(self, data: dict) -> dict:
        data["adapter"] = data.get("adapter") or data.pop("task", "")
        if not data["adapter"]:
            raise s.ValidationError(
                "Say which adapter the data is for: adapter=text-classification "
                "or adapter=image-classification."
            )
        return data


class DatasetSerializer(s.Serializer):
    id = s.IntegerField(source="pk")
    name = s.CharField()
    kind = s.CharField()
    format = s.CharField()
    sha256 = s.CharField(source="blob_id", help_text="The content hash of the dataset file.")
    summary = s.DictField(help_text="What was read: rows, labels and their counts, columns.")
    createdAt = UtcDateTimeField(source="created_at")


class FineTuneSubmitSerializer(s.Serializer):
    model = RepoIdField(
        message="model must be 'owner/name' of the base model.",
        help_text="owner/name of the base model",
    )
    revision = s.CharField(required=False, default="main", help_text="main, vN, an alias ...")
    dataset = DatasetIdField(name="dataset")
    test_dataset = DatasetIdField(
        name="test_dataset",
        required=False,
        allow_null=True,
        help_text="A second dataset (POST /api/datasets) whose labels are among the training "
        "labels: the shipped model is scored on it, never trained on it, and its figures are "
        "reported apart (metrics.test_set).",
    )
    adapter = s.CharField(
        required=False, allow_blank=True, help_text="Default: the one the dataset was read for."
    )
    params = s.DictField(
        required=False,
        default=dict,
        help_text="Hyper-parameters: strategy, epochs, learning_rate ...",
        error_messages={"not_a_dict": "params must be an object of hyper-parameters."},
    )
    target_name = s.CharField(required=False, allow_blank=True, default="")
    private = s.BooleanField(required=False, default=False)
    publish_to_base = s.BooleanField(
        required=False, default=False, help_text="Publish as a new version of the base model."
    )

    def to_internal_value(self, data):
        if hasattr(data, "get") and data.get("test_dataset") == "":  # a blank form field
            data = {key: value for key, value in data.items() if key != "test_dataset"}
        return super().to_internal_value(data)


class JobPhaseSerializer(s.Serializer):
    name = s.CharField(help_text="queued, preparing, features, training, evaluating, ...")
    label = s.CharField()
    state = s.CharField(help_text="done, current, pending, skipped or stopped")
    detail = s.CharField(help_text='e.g. "fit 2 of 6, epoch 3/10" or "120/200"')
    fraction = s.FloatField()


class JobProgressSerializer(s.Serializer):
    """A `catalog.finetune.progress.ProgressView`."""

    phase = s.CharField(
        source="current", allow_null=True, help_text="The current phase; null once it ended."
    )
    overall = RoundedFloatField(
        digits=4, help_text="0 to 1, phases weighted by their measured cost."
    )
    etaSeconds = RoundedFloatField(
        digits=1, source="eta_seconds", allow_null=True, help_text="Once the first epoch is done."
    )
    phases = JobPhaseSerializer(many=True)


class FineTuneJobSerializer(s.Serializer):
    id = s.UUIDField()
    status = s.ChoiceField(choices=FineTuneJob.Status.choices)
    adapter = s.CharField()
    strategy = s.SerializerMethodField()
    params = s.DictField()
    base = VersionRefSerializer(source="base_version")
    dataset = s.IntegerField(source="dataset_id")
    test_dataset = s.IntegerField(
        source="test_dataset_id",
        allow_null=True,
        help_text="The user's own test set: scored, never trained on.",
    )
    epoch = s.IntegerField()
    epochs = s.IntegerField()
    history = s.ListField(child=s.DictField(), help_text="One entry per finished epoch.")
    progress = s.SerializerMethodField(
        help_text="Phases in order with their own progress, the weighted overall fraction "
        "and the ETA."
    )
    phases = s.ListField(
        child=s.DictField(), help_text="As the worker recorded them: names, ISO start and end."
    )
    metrics = s.DictField()
    error = s.SerializerMethodField()
    log = s.CharField()
    cancelRequested = s.BooleanField(source="cancel_requested")
    attempts = s.IntegerField()
    result = VersionRefSerializer(source="result_version", allow_null=True)
    createdAt = UtcDateTimeField(source="created_at")
    startedAt = UtcDateTimeField(source="started_at", allow_null=True)
    finishedAt = UtcDateTimeField(source="finished_at", allow_null=True)
    durationSeconds = s.SerializerMethodField()

    @extend_schema_field(s.ChoiceField(choices=list(STRATEGIES), allow_null=True))
    def get_strategy(self, job: FineTuneJob) -> str | None:
        return job.params.get("strategy")

    @extend_schema_field(JobProgressSerializer)
    def get_progress(self, job: FineTuneJob) -> dict:
        return JobProgressSerializer(job_progress(job)).data

    def get_error(self, job: FineTuneJob) -> str | None:
        return job.error or None

    def get_durationSeconds(self, job: FineTuneJob) -> float | None:
        duration = job_duration(job)
        return round(duration.total_seconds(), 1) if duration else None


class FineTuneJobBriefSerializer(FineTuneJobSerializer):
    """A job in `GET /api/finetunes`: without its log and history."""

    history = None
    phases = None
    log = None
