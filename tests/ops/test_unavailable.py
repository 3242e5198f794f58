"""Dependencies going away during requests: a clean 503 (JSON for the API, a short page for
the site, Retry-After on both), never a 500; a fine-tune submitted while the broker is down
is kept as queued and sent by the sweeper once it is back."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.test import Client
from kombu.exceptions import OperationalError as BrokerError

from adapters import demo_data
from catalog.models import FineTuneJob
from catalog.services.sweeper import requeue_stuck_jobs
from hub.celery import app
from tests.catalog.finetune_helpers import MINILM, dataset_upload, seed_starter, wait_for_job
from tests.helpers import create_model
from tests.ops.outages import broker_unreachable, database_unreachable

pytestmark = pytest.mark.django_db(transaction=True)


def test_database_down_mid_request_is_a_clean_503(api, anon):
    create_model(api, "steady")
    assert anon.get("/api/models/alice/steady").status_code == 200
    page = Client(raise_request_exception=False)
    with database_unreachable():
        response = anon.get("/api/models/alice/steady")
        assert response.status_code == 503
        assert response["Retry-After"].isdigit()
        assert "database" in response.json()["error"]

        html = page.get("/alice/steady", HTTP_ACCEPT="text/html,*/*;q=0.8")  # a browser
        assert html.status_code == 503 and html["Retry-After"].isdigit()
        assert html["Content-Type"].startswith("text/html")
        assert b"Temporarily unavailable" in html.content and b"Traceback" not in html.content

        assert page.get("/healthz").status_code == 200  # liveness needs no database
        ready = page.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["database"]["status"] == "fail"
    assert anon.get("/api/models/alice/steady").status_code == 200  # and back


def submit(api, tmp_path, target: str, seed: int = 0, epochs: int = 2):
    base = seed_starter(MINILM)
    rows, _ = demo_data.bbc_split(train_per_class=6, test_per_class=0, seed=seed)
    csv_path = demo_data.write_text_csv(tmp_path / f"{target}.csv", rows)
    dataset = dataset_upload(api, csv_path, "text-classification").json()
    return api.post(
        "/api/finetunes",
        {
            "model": base.full_name,
            "dataset": dataset["id"],
            "adapter": "text-classification",
            "target_name": target,
            "params": {"epochs": epochs, "seed": seed},
        },
        format="json",
    )


def test_submit_while_the_broker_is_down_keeps_the_job_queued(api, tmp_path, settings):
    with broker_unreachable(settings):
        response = submit(api, tmp_path, "while-down")
        assert response.status_code == 202, response.content  # the row is committed
        job = FineTuneJob.objects.get(pk=response.json()["id"])
        assert job.status == "queued" and job.attempts == 0
        with pytest.raises(BrokerError):
            requeue_stuck_jobs(older_than=0)  # still down: the sweep fails, marks nothing
        assert FineTuneJob.objects.get(pk=job.pk).heartbeat_at is None
    # Just submitted: not stuck yet by the default age.
    assert requeue_stuck_jobs(older_than=settings.HUB_SWEEP_QUEUED_AFTER_SECONDS) == []
    queue = app.conf.task_default_queue
    purge(queue)
    call_command("sweep_jobs", "--older-than", "0")  # the command: the task is sent now
    job.refresh_from_db()
    assert job.status == "queued" and "sent again by the sweeper" in job.log
    assert requeue_stuck_jobs(older_than=60) == []  # re-sent just now: not again yet
    assert purge(queue) == 1  # exactly one message reached the broker


def purge(queue: str) -> int:
    """Drop the queue's messages; return how many there were."""
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_purge(queue) or 0


@pytest.mark.training
@pytest.mark.worker
def test_job_lost_to_a_broker_outage_runs_once_after_the_sweep(
    api, live_worker, tmp_path, settings
):
    with broker_unreachable(settings):
        job_id = submit(api, tmp_path, "swept").json()["id"]
    time.sleep(2)  # the worker is up on the real broker, and has nothing to do
    assert FineTuneJob.objects.get(pk=job_id).status == "queued"
    assert requeue_stuck_jobs(older_than=0) == [job_id]
    job = wait_for_job(api, job_id, {"succeeded", "failed", "cancelled"}, timeout=180)
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 1 and job["log"].count("Attempt 1 started") == 1
    assert requeue_stuck_jobs(older_than=0) == []


def test_the_sweeper_is_a_periodic_task(settings):
    from catalog.tasks import finetune_sweep

    entry = settings.CELERY_BEAT_SCHEDULE["finetune-sweep"]
    assert entry["task"] == finetune_sweep.name and entry["schedule"] > 0
    assert finetune_sweep() == 0  # nothing stuck


def test_cache_server_down_is_a_clean_503(api, anon, settings):
    from tests.helpers import upload
    from tests.ops.nginx import free_port

    create_model(api, "cached")
    assert upload(api, "alice/cached", [("config.json", b"{}")]).status_code == 201
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    response = anon.get("/alice/cached/resolve/main/config.json")  # de-dup uses the cache
    assert response.status_code == 503 and "cache" in response.json()["error"]
