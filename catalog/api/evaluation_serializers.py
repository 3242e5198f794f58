"""The shapes of evaluations in the API: one definition each, used to validate input,
render output and describe both in the OpenAPI schema.

``ReportSerializer`` is the report ``adapters.evaluation.report`` produces (fine-tune
estimates, test sets and evaluations share it)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers as s

from catalog.api.fields import DatasetIdField, RepoIdField, UtcDateTimeField, VersionRefSerializer
from catalog.models import Evaluation


class IntervalSerializer(s.Serializer):
    value = s.FloatField()
    low = s.FloatField(help_text="Lower bound of the interval.")
    high = s.FloatField(help_text="Upper bound of the interval.")
    method = s.ChoiceField(choices=["wilson", "bootstrap"])
    confidence = s.FloatField(help_text="0.95")
    resamples = s.IntegerField(required=False, help_text="bootstrap: how many resamples")


class ProcedureSerializer(s.Serializer):
    kind = s.ChoiceField(choices=["cv", "holdout", "test_set", "evaluation"])
    folds = s.IntegerField(allow_null=True)
    n = s.IntegerField()
    description = s.CharField(help_text='e.g. "5-fold CV estimate of the procedure ..., n=96"')
    dataset = s.CharField(required=False, help_text="The dataset's name, when one was named.")
    dataset_sha256 = s.CharField(required=False, help_text="The dataset file's sha256.")
    # A fine-tune's own figures (adapters.evaluation.plan) say what the shipped model is.
    shipped = s.ChoiceField(
        choices=["all", "split"],
        required=False,
        help_text="all: the shipped model trained the same way on every example; split: "
        "it is the hold-out run's model itself.",
    )
    trained_on = s.IntegerField(required=False, help_text="Examples the shipped model saw.")
    note = s.CharField(required=False, help_text="Why this procedure (e.g. fewer folds).")
    rows_seen_in_training = s.IntegerField(
        required=False, help_text="test_set: test rows whose content was trained on."
    )


class PerClassSerializer(s.Serializer):
    label = s.CharField()
    precision = s.FloatField()
    recall = s.FloatField()
    f1 = s.FloatField()
    support = s.IntegerField()


class BaselineSerializer(s.Serializer):
    name = s.CharField(help_text="majority | tfidf_logreg | nearest_class_mean")
    title = s.CharField()
    accuracy = IntervalSerializer()
    macro_f1 = IntervalSerializer()
    accuracy_lift = s.FloatField(help_text="The model's accuracy minus this baseline's.")


class ReportSerializer(s.Serializer):
    procedure = ProcedureSerializer()
    n = s.IntegerField()
    labels = s.ListField(child=s.CharField())
    accuracy = IntervalSerializer(help_text="With its 95% Wilson interval.")
    macro_f1 = IntervalSerializer(help_text="With its 95% bootstrap interval.")
    per_class = PerClassSerializer(many=True)
    confusion_matrix = s.ListField(
        child=s.ListField(child=s.IntegerField()),
        help_text="Rows: true class, columns: predicted class, in the order of labels.",
    )
    baselines = BaselineSerializer(many=True, help_text="On the same examples.")
    warnings = s.ListField(child=s.CharField(), help_text="Small n, wide intervals, ...")


class EvalResultsSerializer(s.Serializer):
    """A fine-tuned version's own figures: the user's test set (if given) and the estimate."""

    test_set = ReportSerializer(allow_null=True, help_text="Never trained on; shown first.")
    estimate = ReportSerializer(help_text="How the procedure that trained it performs.")


class EvaluationCreateSerializer(s.Serializer):
    model = RepoIdField(
        message="model must be 'owner/name' of the model.", help_text="owner/name of the model"
    )
    revision = s.CharField(
        required=False, default="main", help_text="main, vN, an alias or a revision id"
    )
    dataset = DatasetIdField(name="dataset", help_text="An id from POST /api/datasets.")


class EvaluationListQuerySerializer(s.Serializer):
    model = RepoIdField(message="model must be 'owner/name' of the model.")
    revision = s.CharField(required=False, help_text="Only this version's evaluations.")


class EvaluationDatasetSerializer(s.Serializer):
    id = s.IntegerField()
    name = s.CharField()
    sha256 = s.CharField(source="blob_id", help_text="The content hash of the dataset file.")


class EvaluationProgressSerializer(s.Serializer):
    done = s.IntegerField(help_text="Examples predicted so far.")
    total = s.IntegerField()


class EvaluationSerializer(s.Serializer):
    """Render with ``context={"sight": sight_of(user)}``: a model the caller can no longer
    see is shown as a private one."""

    id = s.UUIDField()
    status = s.ChoiceField(choices=Evaluation.Status.choices)
    version = VersionRefSerializer()
    dataset = EvaluationDatasetSerializer()
    progress = EvaluationProgressSerializer(source="*")
    report = s.SerializerMethodField()
    error = s.SerializerMethodField()
    log = s.CharField()
    createdAt = UtcDateTimeField(source="created_at")
    startedAt = UtcDateTimeField(source="started_at", allow_null=True)
    finishedAt = UtcDateTimeField(source="finished_at", allow_null=True)

    @extend_schema_field(ReportSerializer(allow_null=True))
    def get_report(self, evaluation: Evaluation) -> dict | None:
        if evaluation.status != Evaluation.Status.SUCCEEDED or not evaluation.report:
            return None
        return ReportSerializer(evaluation.report).data

    @extend_schema_field(s.CharField(allow_null=True))
    def get_error(self, evaluation: Evaluation) -> str | None:
        return evaluation.error or None
