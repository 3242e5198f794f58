"""`/healthz` (the process answers) and `/readyz` (its dependencies answer too).

Liveness touches nothing else, so a database outage never gets web processes restarted.
Readiness runs each check with a short timeout and reports status and latency per check;
any failure makes it a 503, so a load balancer stops sending traffic here meanwhile."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from kombu import Connection

from catalog.blobs import blob_is_local, blob_storage

logger = logging.getLogger(__name__)
TIMEOUT_S = 2.0


@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_http_methods(["GET", "HEAD"])
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {name: run_check(check) for name, check in CHECKS.items()}
    ok = all(result["status"] != "fail" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503
    )


def run_check(check: Callable[[], str]) -> dict[str, object]:
    started = time.perf_counter()
    try:
        detail = check()
        result: dict[str, object] = {"status": "skipped" if detail == "skipped" else "ok"}
        if detail and detail != "skipped":
            result["detail"] = detail
    except Exception as exc:  # every failure is a report, never a 500
        logger.warning("readiness check %s failed: %s", check.__name__, exc)
        result = {"status": "fail", "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem"):
        return "skipped"  # a folder on this machine: nothing to reach
    with Connection(url, connect_timeout=TIMEOUT_S) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=TIMEOUT_S)
    return url.split(":", 1)[0]


def check_storage() -> str:
    storage = blob_storage()
    if blob_is_local():
        location = storage.location
        os.makedirs(location, exist_ok=True)
        if not os.access(location, os.W_OK):
            raise PermissionError(f"blob folder {location} is not writable")
        return "local"
    # S3: HEAD the bucket with short timeouts (django-storages' client retries for minutes).
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=storage.endpoint_url,
        region_name=storage.region_name,
        aws_access_key_id=storage.access_key,
        aws_secret_access_key=storage.secret_key,
        config=Config(
            connect_timeout=TIMEOUT_S, read_timeout=TIMEOUT_S, retries={"max_attempts": 1}
        ),
    )
    client.head_bucket(Bucket=storage.bucket_name)
    return "s3"


def check_search() -> str:
    kind = settings.HUB_SEARCH_BACKEND
    if kind == "database":
        return "database"  # the same database as above
    if kind == "elasticsearch":
        from elasticsearch import Elasticsearch

        client = Elasticsearch(settings.HUB_SEARCH_URL, request_timeout=TIMEOUT_S, max_retries=0)
    else:
        from opensearchpy import OpenSearch

        client = OpenSearch(hosts=[settings.HUB_SEARCH_URL], timeout=TIMEOUT_S, max_retries=0)
    if not client.ping():
        raise ConnectionError(f"{kind} at {settings.HUB_SEARCH_URL} does not answer")
    return kind


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
    "search": check_search,
}
