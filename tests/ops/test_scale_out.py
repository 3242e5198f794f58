"""Scale-out for real: two Celery worker processes on the Redis broker share one queue and
run six fine-tune jobs side by side; each job runs exactly once and publishes one version."""

from __future__ import annotations

import pytest

from adapters import demo_data
from catalog.models import FineTuneJob, Version
from tests.catalog.finetune_helpers import MINILM, dataset_upload, seed_starter, wait_for_job
from tests.worker import Worker

pytestmark = [pytest.mark.training, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
JOBS = 6


@pytest.fixture
def two_workers(worker_blob_dir, tmp_path, settings):
    """Like `live_worker`, twice: separate processes, the same queue and blob folder."""
    from tests.conftest import broker_purge, share_with_workers

    share_with_workers(settings, worker_blob_dir)
    from hub.celery import app

    # One torch thread each: two processes on two cores, no oversubscription.
    workers = [
        Worker(worker_blob_dir, tmp_path / f"worker-{n}.log", extra_env={"OMP_NUM_THREADS": "1"})
        for n in (1, 2)
    ]
    app.conf.task_default_queue = workers[0].queue
    broker_purge()
    for worker in workers:
        worker.start()
    yield workers
    for worker in workers:
        worker.stop()


def test_two_workers_run_six_jobs_each_exactly_once(api, two_workers, tmp_path):
    base = seed_starter(MINILM)
    ids = []
    for n in range(JOBS):
        rows, _ = demo_data.bbc_split(train_per_class=6, test_per_class=0, seed=n)
        data = dataset_upload(
            api, demo_data.write_text_csv(tmp_path / f"d{n}.csv", rows), "text-classification"
        ).json()
        response = api.post(
            "/api/finetunes",
            {
                "model": base.full_name,
                "dataset": data["id"],
                "adapter": "text-classification",
                "target_name": f"scaled-{n}",
                "params": {"epochs": 3, "seed": n},
            },
            format="json",
        )
        assert response.status_code == 202, response.content
        ids.append(response.json()["id"])

    for job_id in ids:
        job = wait_for_job(api, job_id, {"succeeded", "failed", "cancelled"}, timeout=240)
        assert job["status"] == "succeeded", job
        assert job["attempts"] == 1 and job["log"].count("started.") == 1, job["log"]
        assert job["result"]["version"] == 1
    for n in range(JOBS):
        assert Version.objects.filter(model__name=f"scaled-{n}").count() == 1
    assert Version.objects.filter(origin=Version.Origin.FINETUNE).count() == JOBS

    # Both processes took work, and jobs ran at the same time (not one after the other).
    done = [w.log_path.read_text().count("succeeded in") for w in two_workers]
    assert sorted(done) != [0, JOBS] and sum(done) == JOBS, done
    spans = [(j.started_at, j.finished_at) for j in FineTuneJob.objects.filter(pk__in=ids)]
    overlapping = any(
        a[0] < b[1] and b[0] < a[1] for i, a in enumerate(spans) for b in spans[i + 1 :]
    )
    assert overlapping, spans
