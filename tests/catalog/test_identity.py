"""Who a client is (limits, log-in back-off, download counts), which names nobody may take,
and which identifiers say nothing about others' private work (issue 12, item 7)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, RequestFactory
from django.urls import include, path
from django.views.generic import RedirectView
from rest_framework.test import APIClient

from catalog.models import Membership, Model, Namespace
from catalog.naming import STARTER_NAMESPACES, reserved_namespaces
from catalog.ratelimit import Backoff, client_address, client_id
from catalog.services.seeding import seed_catalog
from tests.helpers import create_model, upload

pytestmark = pytest.mark.django_db

# ROOT_URLCONF for the test that proves reserved names follow the URLconf.
urlpatterns = [
    path("pricing/", RedirectView.as_view(url="/")),
    path("", include("hub.urls")),
]

ANSWER = "203.0.113.9"  # the address the proxy saw


def request(**meta):
    return RequestFactory().get("/", **meta)


# --- one client identity -------------------------------------------------------------------


def test_forwarded_for_is_ignored_unless_behind_the_proxy(settings):
    settings.HUB_BEHIND_PROXY = False
    seen = {
        client_address(request(REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"))
        for n in range(5)
    }
    assert seen == {"198.51.100.1"}


def test_behind_the_proxy_only_its_hop_counts(settings):
    settings.HUB_BEHIND_PROXY = True
    rotated = {
        client_address(
            request(REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ANSWER}")
        )
        for n in range(5)
    }
    assert rotated == {ANSWER}  # the client's own left-most entries change nothing
    assert client_address(request(REMOTE_ADDR="10.1.1.1")) == "10.1.1.1"  # no header: the peer
    assert client_address(request(HTTP_X_FORWARDED_FOR="not-an-ip")) == "unknown"


def test_user_agent_is_no_part_of_the_identity():
    ids = {client_id(request(HTTP_USER_AGENT=f"agent {n}")) for n in range(5)}
    assert len(ids) == 1


def test_an_ipv6_client_is_its_64_block():
    first = client_address(request(REMOTE_ADDR="2001:db8:1:2::1"))
    assert (
        first
        == client_address(request(REMOTE_ADDR="2001:db8:1:2:ffff::9"))
        == ("2001:db8:1:2::/64")
    )
    assert client_address(request(REMOTE_ADDR="2001:db8:1:3::1")) != first
    assert client_address(request(REMOTE_ADDR="::ffff:198.51.100.4")) == "198.51.100.4"


# --- log-in back-off ------------------------------------------------------------------------


def login(client: Client, username: str, password: str = "wrong", url="/accounts/login/", **meta):
    return client.post(url, {"username": username, "password": password}, **meta)


def test_backoff_doubles_per_failure_up_to_the_cap():
    rule = Backoff(threshold=5, base=60, cap=3600)
    assert [rule.lock_seconds(n) for n in range(4, 12)] == [0, 60, 120, 240, 480, 960, 1920, 3600]
    assert rule.lock_seconds(10_000) == 3600


def test_one_account_locks_whatever_the_client_sends(alice, settings):
    settings.HUB_LOGIN_USER_FAILURES = 3
    web = Client()
    assert [login(web, "alice").status_code for _ in range(3)] == [200, 200, 200]
    # New headers, a new user agent, even the right password: still locked.
    locked = login(
        web,
        "alice",
        "correct-horse-9",
        HTTP_X_FORWARDED_FOR="192.0.2.77",
        HTTP_USER_AGENT="fresh",
    )
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(settings.HUB_LOGIN_LOCK_SECONDS)
    assert "Too many log-in attempts" in locked.content.decode()
    # Another client guessing the same account waits too; the username is case-folded.
    other = login(Client(), "ALICE", REMOTE_ADDR="198.51.100.20")
    assert other.status_code == 429


def test_lock_lifts_then_doubles(alice, settings):
    settings.HUB_LOGIN_USER_FAILURES = 2
    settings.HUB_LOGIN_LOCK_SECONDS = 1
    web = Client()
    login(web, "alice"), login(web, "alice")
    assert login(web, "alice")["Retry-After"] == "1"
    time.sleep(1.05)
    assert login(web, "alice").status_code == 200  # checked again, and failed: the 3rd
    assert login(web, "alice")["Retry-After"] == "2"


def test_a_success_starts_the_accounts_count_again(alice, settings):
    settings.HUB_LOGIN_USER_FAILURES = 2
    web = Client()
    assert login(web, "alice").status_code == 200
    assert login(web, "alice", "correct-horse-9").status_code == 302
    web.logout()
    assert [login(web, "alice").status_code for _ in range(3)] == [200, 200, 429]


def test_password_spraying_across_usernames_locks_the_client(make_user, settings):
    settings.HUB_LOGIN_CLIENT_FAILURES = 4
    for name in ("u1", "u2", "u3", "u4", "u5"):
        make_user(name)
    sprayer = Client(REMOTE_ADDR="198.51.100.66")
    codes = [
        login(sprayer, name, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}").status_code
        for n, name in enumerate(("u1", "u2", "u3", "u4", "u5"))
    ]
    assert codes == [200, 200, 200, 200, 429]
    # Someone else on another address, and the sprayed accounts themselves, are unaffected.
    elsewhere = Client(REMOTE_ADDR="198.51.100.67")
    assert login(elsewhere, "u5", "correct-horse-9").status_code == 302


def test_behind_the_proxy_the_spray_is_keyed_on_the_proxy_hop(make_user, settings):
    settings.HUB_BEHIND_PROXY = True
    settings.HUB_LOGIN_CLIENT_FAILURES = 2
    for name in ("u1", "u2", "u3"):
        make_user(name)
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    codes = [
        login(proxy, name, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ANSWER}").status_code
        for n, name in enumerate(("u1", "u2", "u3"))
    ]
    assert codes == [200, 200, 429]
    another_client = login(proxy, "u3", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert another_client.status_code == 200


def test_a_success_does_not_reset_the_clients_count(make_user, settings):
    settings.HUB_LOGIN_CLIENT_FAILURES = 3
    for name in ("u1", "u2", "mine"):
        make_user(name)
    web = Client()
    login(web, "u1"), login(web, "u2")
    assert login(web, "mine", "correct-horse-9").status_code == 302
    web.logout()
    assert login(web, "u1").status_code == 200  # the 3rd failure from this client
    assert login(web, "u2").status_code == 429


def test_admin_login_has_the_same_limits(make_user, settings):
    settings.HUB_LOGIN_USER_FAILURES = 2
    staff = make_user("root")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    web = Client()
    # One count for both forms: a failure on the site and one on the admin lock both.
    assert login(web, "root").status_code == 200
    assert login(web, "root", url="/admin/login/").status_code == 200
    locked = login(web, "root", "correct-horse-9", url="/admin/login/")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "Too many log-in attempts" in locked.content.decode()
    assert login(web, "root", "correct-horse-9").status_code == 429
    assert "_auth_user_id" not in web.session


def test_admin_login_still_works(make_user):
    staff = make_user("root")
    staff.is_staff = True
    staff.save()
    web = Client()
    assert login(web, "root", "correct-horse-9", url="/admin/login/").status_code == 302
    assert web.get("/admin/").status_code == 200


# --- downloads and uploads --------------------------------------------------------------------


def test_rotated_forwarded_for_does_not_inflate_downloads(api, anon, settings):
    create_model(api, "m")
    upload(api, "alice/m", [("config.json", b"{}")])
    for behind in (False, True):
        settings.HUB_BEHIND_PROXY = behind
        for n in range(4):
            forwarded = f"192.0.2.{n}, {ANSWER}" if behind else f"192.0.2.{n}"
            response = anon.get("/alice/m/resolve/main/config.json", HTTP_X_FORWARDED_FOR=forwarded)
            assert response.status_code == 200
    # Direct: 127.0.0.1 once; behind the proxy: its hop once.
    assert Model.objects.get(name="m").downloads == 2
    anon.get("/alice/m/resolve/main/config.json", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert Model.objects.get(name="m").downloads == 3  # another client, as the proxy saw it


def lfs_upload_urls(api: APIClient, repo: str, blobs: list[bytes]) -> list[str]:
    """Local URLs (path and signed query) the LFS batch API hands out for `blobs`."""
    objects = [{"oid": hashlib.sha256(b).hexdigest(), "size": len(b)} for b in blobs]
    response = api.post(
        f"/{repo}.git/info/lfs/objects/batch",
        {"operation": "upload", "transfers": ["basic"], "objects": objects},
        format="json",
    )
    assert response.status_code == 200, response.content
    hrefs = [o["actions"]["upload"]["href"] for o in json.loads(response.content)["objects"]]
    return [urlsplit(href).path + "?" + urlsplit(href).query for href in hrefs]


def test_lfs_puts_count_against_the_upload_rate(api, settings):
    settings.HUB_UPLOAD_RATE = "3/3600"
    create_model(api, "big")
    blobs = [b"object %d" % n for n in range(3)]
    urls = lfs_upload_urls(api, "alice/big", blobs)
    anonymous = Client()  # the PUT carries no credentials: the signed URL names the user
    codes = [
        anonymous.generic("PUT", url, data).status_code
        for url, data in zip(urls, blobs, strict=True)
    ]
    assert codes == [200, 200, 200]
    # The same user's commit is now over the limit, and so is a further PUT.
    refused = upload(api, "alice/big", [("a.txt", b"a")])
    assert refused.status_code == 429 and "Too many uploads" in refused.json()["error"]
    [late] = lfs_upload_urls(api, "alice/big", [b"late"])
    refused_put = anonymous.generic("PUT", late, b"late")
    assert refused_put.status_code == 429 and "Too many uploads" in refused_put.json()["error"]


# --- reserved names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["robots.txt", "favicon.ico", "google", "Sentence-Transformers", "hub-curator", "healthz"],
)
def test_reserved_names_cannot_be_signed_up(client, name):
    response = client.post("/accounts/signup/", {"username": name, "password": "pass-word-123"})
    assert response.status_code == 400
    assert "reserved" in response.content.decode()
    assert not get_user_model().objects.filter(username=name).exists()


def test_reserved_names_cannot_be_organizations(api):
    for name in ("torchvision", "favicon.ico", "admin", "api"):
        response = api.post("/api/organizations", {"name": name}, format="json")
        assert response.status_code == 400, name
        assert "reserved" in response.json()["error"]


def test_every_top_level_route_is_reserved(settings):
    # Literal first segments of the URLconf, read from it rather than from a list.
    assert {"admin", "api", "accounts", "settings", "models", "jobs", "new"} <= (
        reserved_namespaces()
    )
    assert "pricing" not in reserved_namespaces()
    settings.ROOT_URLCONF = "tests.catalog.test_identity"
    assert "pricing" in reserved_namespaces()
    assert "alice" not in reserved_namespaces()


def test_every_starter_owner_is_reserved():
    """The starters name their owner in their exporter; read it from the source, since
    importing them loads torch."""
    spec = importlib.util.find_spec("adapters.starters")
    folder = Path(next(iter(spec.submodule_search_locations)))
    owners = {
        owner
        for source in folder.glob("*.py")
        for owner in re.findall(r'\bowner="([^"]+)"', source.read_text(encoding="utf-8"))
    }
    assert owners and owners <= STARTER_NAMESPACES <= reserved_namespaces()


def test_seed_catalog_creates_a_reserved_starter_namespace(tmp_path: Path):
    pytest.importorskip("silero_vad")
    outcome = seed_catalog(cache_dir=tmp_path / "starters", only=["silero-vad"])
    assert outcome["silero-vad"].startswith("published snakers4/")
    assert "snakers4" in STARTER_NAMESPACES
    assert Namespace.objects.get(name="snakers4").kind == Namespace.Kind.ORG


def test_seed_catalog_refuses_a_namespace_someone_took_before_the_reservation(tmp_path: Path):
    pytest.importorskip("silero_vad")
    squatter = get_user_model().objects.create_user("snakers4", "", "pass-word-123")
    Namespace.objects.create(name="snakers4", kind=Namespace.Kind.USER, user=squatter)
    outcome = seed_catalog(cache_dir=tmp_path / "starters", only=["silero-vad"])
    assert outcome["silero-vad"].startswith("skipped: the namespace snakers4 belongs to someone")
    assert not Model.objects.filter(namespace__name="snakers4").exists()


# --- public ids and membership ----------------------------------------------------------------


def test_model_ids_are_random_not_sequential(api):
    ids = [create_model(api, f"m{n}")["_id"] for n in range(3)]
    detail = api.get("/api/models/alice/m0").json()
    assert detail["_id"] == ids[0]
    pks = {str(pk) for pk in Model.objects.values_list("pk", flat=True)}
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids) and len(set(ids)) == 3
    assert not pks & set(ids)
    created = api.post("/api/repos/create", {"name": "via-hf", "type": "model"}, format="json")
    assert created.json()["id"] == Model.objects.get(name="via-hf").public_id


@pytest.mark.django_db(transaction=True)
def test_migration_gives_existing_models_distinct_ids():
    before = [("catalog", "0005_blob_last_seen")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        namespace = old.get_model("catalog", "Namespace").objects.create(name="acme", kind="org")
        for n in range(3):
            old.get_model("catalog", "Model").objects.create(namespace=namespace, name=f"m{n}")
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    ids = list(Model.objects.values_list("public_id", flat=True))
    assert len(set(ids)) == 3 and all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)
    # SQLite rebuilt the table to make the column unique: full-text search still follows it.
    Model.objects.filter(name="m1").update(summary="zebrafish detector")
    assert [m["id"] for m in APIClient().get("/api/models?search=zebrafish").json()] == ["acme/m1"]


@pytest.fixture
def acme(make_user):
    owner, member = make_user("olga"), make_user("mike")
    org = Namespace.objects.create(name="acme", kind=Namespace.Kind.ORG)
    Membership.objects.create(namespace=org, user=owner, role="admin")
    Membership.objects.create(namespace=org, user=member, role="read")
    return {"owner": owner, "member": member}


def test_org_members_are_shown_only_to_members(acme, make_user):
    outsider, admin = make_user("eve"), make_user("root")
    admin.is_superuser = True
    admin.save()
    for user, status in ((acme["member"], 200), (admin, 200), (outsider, 403)):
        client = APIClient()
        client.force_login(user)
        response = client.get("/api/organizations/acme/members")
        assert response.status_code == status, user
        if status == 200:
            assert response.json() == [
                {"user": "mike", "role": "read"},
                {"user": "olga", "role": "admin"},
            ]
        else:
            assert "Only members of acme" in response.json()["error"]
        page = Client()
        page.force_login(user)
        html = page.get("/acme").content.decode()
        assert ("olga" in html) is (status == 200)
    assert APIClient().get("/api/organizations/acme/members").status_code == 401
    assert "olga" not in Client().get("/acme").content.decode()
