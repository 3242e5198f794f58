"""The job list: /jobs, the profile's Jobs tab and GET /api/finetunes (filters, keyset cursor,
owner only). Jobs are rows as the worker leaves them; training itself is tested elsewhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Blob, Dataset, FineTuneJob, Model
from catalog.services.models import model_create
from catalog.services.tokens import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(alice, publish):
    model = model_create(user=alice, name="encoder")
    return publish(model, {"config.json": b'{"model_type": "bert"}'})


@pytest.fixture
def make_job(base):
    blob = Blob.objects.create(sha256="ab" * 32, size=10)

    def make(owner, *, status="succeeded", strategy="head-only", name="reviews.csv", **fields):
        dataset = Dataset.objects.create(
            owner=owner, name=name, blob=blob, kind="text", format="csv", summary={"rows": 40}
        )
        started = timezone.now() - timedelta(minutes=5)
        finished = started + timedelta(seconds=83) if status in FineTuneJob.TERMINAL else None
        return FineTuneJob.objects.create(
            owner=owner,
            base_version=base,
            dataset=dataset,
            adapter="text-classification",
            params={"strategy": strategy, "epochs": 3},
            status=status,
            started_at=None if status == "queued" else started,
            finished_at=finished,
            **fields,
        )

    return make


def test_the_page_lists_my_jobs_with_what_each_did(client, alice, bob, make_job, publish):
    result_model = model_create(user=alice, name="encoder-finetuned")
    result = publish(result_model, {"README.md": b"# tuned\n"})
    publish(result_model, {"notes.txt": b"later"})  # the result is no longer the newest
    done = make_job(alice, result_version=result, metrics={"accuracy": 0.9125})
    make_job(alice, status="failed", strategy="lora", error="The CSV has one class only.")
    make_job(alice, status="running", strategy="last-k", epoch=2, epochs=6)
    make_job(bob, name="bobs-secret.csv")
    client.force_login(alice)
    html = client.get("/jobs").content.decode()
    assert html.count("<tr data-job=") == 3 and "bobs-secret" not in html
    assert f'href="/jobs/{done.pk}"' in html
    assert 'href="/alice/encoder-finetuned#v1"' in html  # the model page, v1 highlighted
    assert "accuracy 0.913" in html and "1 min 23 s" in html
    assert "The CSV has one class only." in html and "Training: epoch 2/6" in html
    assert "alice/encoder" in html and "reviews.csv" in html


def test_filters_narrow_the_list_and_bad_values_say_why(client, alice, make_job):
    make_job(alice, status="failed", strategy="lora", name="a.csv")
    make_job(alice, status="succeeded", strategy="lora", name="b.csv")
    make_job(alice, status="succeeded", strategy="full", name="c.csv")
    client.force_login(alice)
    rows = client.get("/jobs?status=succeeded&strategy=lora").content.decode()
    assert rows.count("<tr data-job=") == 1 and "b.csv" in rows
    assert client.get("/jobs?q=c.csv").content.decode().count("<tr data-job=") == 1
    empty = client.get("/jobs?q=nothing-like-it").content.decode()
    assert "No job matches these filters." in empty
    bad = client.get("/jobs?status=done")
    assert bad.status_code == 400 and b"Unknown status" in bad.content


def test_pages_follow_the_cursor_without_gaps_or_repeats(client, alice, make_job):
    made = {str(make_job(alice, name=f"d{i}.csv").pk) for i in range(5)}
    same_time = timezone.now()
    FineTuneJob.objects.update(created_at=same_time)  # ties are broken by id
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Bearer {token_create(user=alice, name='r', scope='read')[1]}"
    )
    seen, url = [], "/api/finetunes?limit=2"
    while url:
        response = api.get(url)
        assert response.status_code == 200 and response["X-Total-Count"] == "5"
        seen += [job["id"] for job in response.json()]
        link = response.headers.get("Link", "")
        url = link[1 : link.index(">")] if link else ""
    assert len(seen) == 5 and set(seen) == made


def test_the_api_lists_brief_jobs_for_their_owner_only(api, anon, alice, bob, make_job):
    job = make_job(alice, status="failed", strategy="lora", error="boom")
    make_job(bob)
    assert anon.get("/api/finetunes").status_code == 401
    body = api.get("/api/finetunes?strategy=lora").json()
    assert [item["id"] for item in body] == [str(job.pk)]
    item = body[0]
    assert item["strategy"] == "lora" and item["error"] == "boom"
    assert item["durationSeconds"] == 83.0 and "log" not in item and "history" not in item
    assert item["base"]["id"] == "alice/encoder"
    assert api.get("/api/finetunes?status=nope").status_code == 400
    assert api.get("/api/finetunes?cursor=garbage").status_code == 400
    assert api.get("/api/finetunes?limit=0").status_code == 400


def test_the_profile_has_a_jobs_tab_for_its_owner_only(client, alice, bob, make_job):
    make_job(alice)
    client.force_login(alice)
    own = client.get("/alice").content.decode()
    assert 'id="jobs-tab"' in own
    tab = client.get("/alice?tab=jobs").content.decode()
    assert tab.count("<tr data-job=") == 1 and 'name="tab" value="jobs"' in tab
    client.force_login(bob)
    assert 'id="jobs-tab"' not in client.get("/alice").content.decode()
    assert "<tr data-job=" not in client.get("/alice?tab=jobs").content.decode()


def test_without_jobs_the_page_says_where_they_come_from(client, alice):
    client.force_login(alice)
    html = client.get("/jobs").content.decode()
    assert "No fine-tune jobs yet" in html
    assert client.get("/jobs", follow=False).status_code == 200
    client.logout()
    assert client.get("/jobs").status_code == 302
    assert Model.objects.count() == 0


def test_queue_positions_cost_no_query_per_queued_job(client, api, alice, bob, make_job):
    def queries(path: str, fetch) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert fetch(path).status_code == 200
        return len(captured)

    make_job(bob, status="queued")  # another user's job is ahead in the one queue
    make_job(alice, status="queued")
    make_job(alice, status="running", epoch=1, epochs=3)
    client.force_login(alice)
    api.get("/api/finetunes")  # the token's first use is recorded once: not per page
    few = (queries("/api/finetunes", api.get), queries("/jobs", client.get))
    for _ in range(4):
        make_job(alice, status="queued")
    many = (queries("/api/finetunes", api.get), queries("/jobs", client.get))
    assert many == few
    # Newest first: the last submitted waits behind everything queued before it.
    shown = [job["progress"]["phases"][0]["detail"] for job in api.get("/api/finetunes").json()]
    queued = [detail for detail in shown if detail.startswith("position")]
    assert queued == [f"position {n} in the queue" for n in (6, 5, 4, 3, 2)]
