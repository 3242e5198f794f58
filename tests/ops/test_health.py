"""`/healthz` needs nothing; `/readyz` reports database, broker, storage and search, each
with its latency, and is a 503 as soon as one of them does not answer."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.ops.nginx import free_port

pytestmark = pytest.mark.django_db

CLOSED = f"127.0.0.1:{free_port()}"  # nothing listens there


def test_healthz_touches_no_dependency(client: Client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert len(queries) == 0
    assert "no-cache" in response["Cache-Control"]


def test_readyz_ok_reports_every_check(client: Client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage", "search"}
    for check in body["checks"].values():
        assert check["status"] in {"ok", "skipped"} and check["latency_ms"] >= 0
    assert body["checks"]["database"]["status"] == "ok"
    if settings.CELERY_BROKER_URL.startswith("redis"):  # `make test` runs on Redis
        assert body["checks"]["broker"] == body["checks"]["broker"] | {"status": "ok"}


def test_readyz_fails_when_the_broker_is_unreachable(client: Client, settings):
    settings.CELERY_BROKER_URL = f"redis://{CLOSED}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert (
        checks["broker"]["status"] == "fail" and "Connection refused" in checks["broker"]["error"]
    )
    assert checks["database"]["status"] == "ok"  # the others are still reported


def test_readyz_fails_when_the_search_engine_is_unreachable(client: Client, settings):
    settings.HUB_SEARCH_BACKEND = "opensearch"
    settings.HUB_SEARCH_URL = f"http://{CLOSED}"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["search"]["status"] == "fail"


@pytest.mark.s3
def test_readyz_checks_the_s3_bucket(client: Client, s3_blobs):
    assert client.get("/readyz").json()["checks"]["storage"]["detail"] == "s3"
    s3_blobs.delete_bucket(Bucket="hub-ops-blobs")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "fail"
    s3_blobs.create_bucket(Bucket="hub-ops-blobs")  # for the fixture's cleanup


@pytest.mark.search_engine
def test_readyz_pings_a_live_opensearch_server(client: Client, settings, request):
    pytest.importorskip("osmem_server")
    clone = request.getfixturevalue("osmem_clone")
    settings.HUB_SEARCH_BACKEND = "opensearch"
    settings.HUB_SEARCH_URL = clone.url
    response = client.get("/readyz")
    assert response.json()["checks"]["search"] == response.json()["checks"]["search"] | {
        "status": "ok",
        "detail": "opensearch",
    }
