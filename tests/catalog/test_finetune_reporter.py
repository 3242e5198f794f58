"""The worker's writes to a job row without training: the reporter's phases, epochs and
learning curve (throttled, the last of each phase and fit always written), and the lease a
second worker meets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from adapters.base import EpochProgress, PhaseProgress
from catalog.evaluation.run import evaluation_execute
from catalog.finetune.leases import LeaseHeld
from catalog.finetune.run import JobReporter, finetune_execute
from catalog.models import Blob, Dataset, Evaluation, FineTuneJob
from catalog.services.models import model_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(alice, publish) -> FineTuneJob:
    base = publish(model_create(user=alice, name="encoder"), {"config.json": b"{}"})
    blob = Blob.objects.create(sha256="ab" * 32, size=10)
    dataset = Dataset.objects.create(
        owner=alice, name="reviews.csv", blob=blob, kind="text", format="csv", summary={}
    )
    return FineTuneJob.objects.create(
        owner=alice, base_version=base, dataset=dataset, adapter="text-classification",
        params={"strategy": "head-only"}, status=FineTuneJob.Status.RUNNING,
    )  # fmt: skip


def test_the_reporter_writes_phases_and_epochs_throttled(job):
    reporter = JobReporter(job.pk)
    reporter.phase(PhaseProgress("features", 0, 10))  # a new phase: written
    reporter.phase(PhaseProgress("features", 5, 10))  # within PROGRESS_SECONDS: skipped
    job.refresh_from_db()
    assert [(s["name"], s["done"]) for s in job.phases] == [("features", 0)]
    reporter.phase(PhaseProgress("features", 10, 10))  # the last count: written
    job.refresh_from_db()
    assert job.phases[-1]["done"] == 10 and job.heartbeat_at is not None

    curve = {"train_loss": 0.5, "val_loss": 0.6, "val_accuracy": 0.7}
    reporter.progress(EpochProgress(epoch=1, epochs=4, fits=2, **curve))  # curve: written
    reporter.progress(EpochProgress(epoch=3, epochs=4, fits=2, train_loss=0.4, curve=False))
    job.refresh_from_db()
    assert [s["name"] for s in job.phases] == ["features", "training"]
    assert job.phases[0]["ended"] == job.phases[1]["started"]
    assert (job.epoch, job.epochs, job.phases[1]["done"]) == (1, 4, 1)
    assert job.history == [{"epoch": 1, **curve}]
    reporter.progress(EpochProgress(epoch=4, epochs=4, fits=2, train_loss=0.3, curve=False))
    job.refresh_from_db()  # the last epoch of a fit: written, off the curve
    assert (job.epoch, job.phases[1]["fit"], job.phases[1]["fit_epoch"]) == (4, 2, 2)
    assert len(job.history) == 1


def test_a_fresh_lease_leaves_the_row_to_its_worker(job, alice):
    FineTuneJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now(), attempts=1)
    with pytest.raises(LeaseHeld):
        finetune_execute(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)
    evaluation = Evaluation.objects.create(
        owner=alice, version=job.base_version, dataset=job.dataset,
        status=Evaluation.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(seconds=5),
    )  # fmt: skip
    with pytest.raises(LeaseHeld):
        evaluation_execute(str(evaluation.pk))
