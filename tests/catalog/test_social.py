"""Forks (zero bytes copied), likes, download counting, audit log, CSRF, rate limits, tokens."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog.models import AuditEvent, Blob, Model, Version
from tests.helpers import create_model, upload

pytestmark = pytest.mark.django_db


def test_fork_shares_blobs_and_links_back(api, isolated_storage, bob):
    create_model(api, "base", task="image-classification", license="mit")
    upload(api, "alice/base", [(f"f{i}.raw", bytes([i]) * 1000) for i in range(20)])
    blobs_before = sorted(p for p in isolated_storage["blobs"].rglob("*") if p.is_file())
    other = APIClient()
    other.force_authenticate(bob)
    response = other.post(
        "/api/models/alice/base/duplicate", {"repository": "bob/my-base"}, format="json"
    )
    assert response.status_code == 200 and response.json()["url"].endswith("/bob/my-base")
    fork = other.get("/api/models/bob/my-base").json()
    source = other.get("/api/models/alice/base").json()
    assert fork["version"]["origin"] == "fork"
    assert fork["parent"] == {"id": "alice/base", "version": 1, "sha": source["sha"]}
    assert [s["blobId"] for s in fork["siblings"]] == [s["blobId"] for s in source["siblings"]]
    assert fork["cardData"]["license"] == "mit"
    assert sorted(p for p in isolated_storage["blobs"].rglob("*") if p.is_file()) == blobs_before
    assert Blob.objects.count() == 20
    page = Client().get("/bob/my-base").content.decode()
    assert "Forked from" in page and "alice/base@v1" in page
    assert "bob/my-base" in Client().get("/alice/base").content.decode()
    assert AuditEvent.objects.filter(action="model.fork", model__name="my-base").exists()


def test_fork_takes_the_same_queries_whatever_the_size(api, bob):
    other = APIClient()
    other.force_authenticate(bob)
    counts = []
    for files in (2, 40):
        create_model(api, f"m{files}")
        upload(api, f"alice/m{files}", [(f"f{i}.raw", b"x%d" % i) for i in range(files)])
        with CaptureQueriesContext(connection) as queries:
            other.post(
                f"/api/models/alice/m{files}/duplicate",
                {"repository": f"bob/fork{files}"},
                format="json",
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_fork_to_an_existing_name_is_409(api):
    create_model(api, "a")
    upload(api, "alice/a", [("x.raw", b"x")])
    create_model(api, "b")
    before = _registry_state()
    response = api.post("/api/models/alice/a/duplicate", {"repository": "alice/b"}, format="json")
    assert response.status_code == 409 and "alice/b" in response.json()["error"]
    # Nothing changed: no model, no version (alice/b still has none), no audit event.
    assert _registry_state() == before
    assert not Version.objects.filter(model__name="b").exists()


def _registry_state() -> dict:
    return {
        "models": list(Model.objects.order_by("pk").values_list("pk", "name", "namespace_id")),
        "versions": list(Version.objects.order_by("pk").values_list("pk", "model_id")),
        "events": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }


def test_likes_are_idempotent(api, bob):
    create_model(api, "liked")
    other = APIClient()
    other.force_authenticate(bob)
    assert other.post("/api/models/alice/liked/like").json() == {"liked": True, "likes": 1}
    assert other.post("/api/models/alice/liked/like").json()["likes"] == 1
    assert api.post("/api/models/alice/liked/like").json()["likes"] == 2
    assert other.delete("/api/models/alice/liked/like").json()["likes"] == 1
    assert other.delete("/api/models/alice/liked/like").json()["likes"] == 1


def test_repeated_downloads_by_one_client_count_once(api):
    create_model(api, "dl")
    upload(api, "alice/dl", [("config.json", b"{}")])
    first, second = Client(REMOTE_ADDR="198.51.100.1"), Client(REMOTE_ADDR="198.51.100.2")
    for _ in range(3):
        first.get("/alice/dl/resolve/main/config.json")
    second.get("/alice/dl/resolve/main/config.json")
    second.head("/alice/dl/resolve/main/config.json")
    model = Model.objects.get(name="dl")
    assert model.downloads == 2 and model.trending == 2


def test_trending_refresh_counts_the_last_week(api):
    from datetime import timedelta

    from django.utils import timezone

    from catalog.models import DownloadDay
    from catalog.services.downloads import trending_refresh

    create_model(api, "t")
    model = Model.objects.get(name="t")
    today = timezone.now().date()
    DownloadDay.objects.create(model=model, day=today, count=5)
    DownloadDay.objects.create(model=model, day=today - timedelta(days=3), count=2)
    DownloadDay.objects.create(model=model, day=today - timedelta(days=10), count=100)
    trending_refresh()
    assert Model.objects.get(pk=model.pk).trending == 7


def test_audit_log_records_writes_and_shows_to_admins(api, client, alice):
    create_model(api, "audited")
    upload(api, "alice/audited", [("a.txt", b"a")], message="one")
    api.patch("/api/models/alice/audited", {"license": "mit"}, format="json")
    api.put("/api/models/alice/audited/aliases/stable", {"version": "v1"}, format="json")
    actions = [e["action"] for e in api.get("/api/models/alice/audited/audit").json()]
    assert actions == ["alias.set", "model.update", "version.publish", "model.create"]
    client.force_login(alice)
    page = client.get("/alice/audited/settings").content.decode()
    assert "version.publish" in page and "alias.set" in page


def test_forms_refuse_posts_without_csrf_token(alice):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert (
        strict.post(
            "/new", {"name": "x", "task": "other", "source_domain": "other", "license": "mit"}
        ).status_code
        == 403
    )
    assert not Model.objects.filter(name="x").exists()
    session_api = APIClient(enforce_csrf_checks=True)
    session_api.force_login(alice)
    response = session_api.post("/api/models", {"name": "y"}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["error"]


def test_login_is_rate_limited(alice, settings):
    settings.HUB_LOGIN_USER_FAILURES = 3
    web = Client()
    codes = [
        web.post("/accounts/login/", {"username": "alice", "password": "wrong"}).status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    assert (
        "Too many log-in attempts"
        in web.post(
            "/accounts/login/", {"username": "alice", "password": "correct-horse-9"}
        ).content.decode()
    )


def test_uploads_are_rate_limited(api, settings):
    settings.HUB_UPLOAD_RATE = "2/3600"
    create_model(api, "busy")
    codes = [upload(api, "alice/busy", [(f"{n}.txt", b"%d" % n)]).status_code for n in range(3)]
    assert codes == [201, 201, 429]
    assert Version.objects.filter(model__name="busy").count() == 2


def test_token_management_command_and_revocation(alice):
    out = io.StringIO()
    call_command("token_create", "alice", "--name", "ci", "--scope", "read", stdout=out)
    raw = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/whoami-v2").json()["auth"]["accessToken"]["role"] == "read"
    assert client.post("/api/models", {"name": "z"}, format="json").status_code == 403
    token = alice.tokens.get(name="ci")
    assert token.key_hash != raw and raw.startswith("hub_")
    web = Client()
    web.force_login(alice)
    web.post(f"/settings/tokens/{token.pk}/revoke")
    assert client.get("/api/whoami-v2").status_code == 401
