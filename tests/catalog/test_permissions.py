"""Permission matrix: every endpoint and page, for anonymous, another user, an org reader,
writer and admin, and the owner. Private things are 404 (never 403) to those who can't see."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from catalog.models import Membership, Namespace
from catalog.services.orgs import org_create
from tests.helpers import upload

pytestmark = pytest.mark.django_db
ROLES = ("anonymous", "stranger", "reader", "writer", "admin")


@pytest.fixture
def people(make_user):
    owner = make_user("olga")
    org = org_create(user=owner, name="acme")
    users = {"admin": owner}
    for role, membership in (("reader", "read"), ("writer", "write")):
        users[role] = make_user(f"{role}-user")
        Membership.objects.create(namespace=org, user=users[role], role=membership)
    users["stranger"] = make_user("stranger")
    return users, org


@pytest.fixture
def private_model(people):
    users, _org = people
    api = APIClient()
    api.force_authenticate(users["admin"])
    assert (
        api.post(
            "/api/models", {"name": "secret", "namespace": "acme", "private": True}, format="json"
        ).status_code
        == 201
    )
    assert (
        upload(api, "acme/secret", [("config.json", b"{}"), ("w.raw", b"weights")]).status_code
        == 201
    )
    return "acme/secret"


def clients(users) -> dict[str, tuple[APIClient, Client]]:
    result = {}
    for role in ROLES:
        api, web = APIClient(), Client()
        if role != "anonymous":
            api.force_authenticate(users[role])
            web.force_login(users[role])
        result[role] = (api, web)
    return result


# (method, url, expected status per role: anonymous, stranger, reader, writer, admin)
MATRIX = [
    ("get", "/api/models/acme/secret", (404, 404, 200, 200, 200)),
    ("get", "/api/models/acme/secret/revision/v1", (404, 404, 200, 200, 200)),
    ("get", "/api/models/acme/secret/versions", (404, 404, 200, 200, 200)),
    ("patch", "/api/models/acme/secret", (401, 404, 403, 200, 200)),
    ("put", "/api/models/acme/secret/aliases/stable", (401, 404, 403, 200, 200)),
    ("get", "/api/models/acme/secret/audit", (404, 404, 403, 403, 200)),
    ("post", "/api/models/acme/secret/like", (401, 404, 200, 200, 200)),
    ("post", "/api/models/acme/secret/duplicate", (401, 404, 403, 200, 200)),
    ("delete", "/api/models/acme/secret", (401, 404, 403, 403, 204)),
]
PAGES = [
    ("/acme/secret/resolve/main/w.raw", (404, 404, 200, 200, 200)),
    ("/acme/secret", (404, 404, 200, 200, 200)),
    ("/acme/secret/tree/v1", (404, 404, 200, 200, 200)),
    ("/acme/secret/upload", (302, 404, 404, 200, 200)),
    ("/acme/secret/settings", (302, 404, 404, 404, 200)),
    ("/acme/secret/fork", (302, 404, 200, 200, 200)),
    ("/acme/secret/finetune", (302, 404, 200, 200, 200)),
]


@pytest.mark.parametrize(("method", "url", "expected"), MATRIX)
def test_api_matrix(people, private_model, method, url, expected):
    users, _ = people
    for role, status in zip(ROLES, expected, strict=True):
        api, _ = clients(users)[role]
        body = {"version": "v1"} if "aliases" in url else {"summary": "x"}
        if "duplicate" in url:
            body = {
                "repository": f"{users[role].username if role != 'anonymous' else 'x'}/copy-{role}"
            }
        if "duplicate" in url and role in ("reader", "writer"):
            # A private model's copies stay in its namespace, where readers may not create.
            body = {"repository": f"acme/copy-{role}"}
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == status, (role, method, url, response.content[:200])
        if status == 404 and method != "head":
            assert (
                "secret" not in response.json().get("error", "")
                or role == "anonymous"
                or "does not exist" in response.json()["error"]
            )


@pytest.mark.parametrize(("url", "expected"), PAGES)
def test_page_matrix(people, private_model, url, expected):
    users, _ = people
    for role, status in zip(ROLES, expected, strict=True):
        _, web = clients(users)[role]
        response = web.get(url)
        assert response.status_code == status, (role, url)
        if "resolve" in url:
            assert web.head(url).status_code == status, (role, "HEAD", url)


def test_private_models_absent_from_lists_search_facets_and_profiles(people, private_model):
    users, _ = people
    for role, sees in zip(ROLES, (False, False, True, True, True), strict=True):
        api, web = clients(users)[role]
        listed = [m["id"] for m in api.get("/api/models").json()]
        assert ("acme/secret" in listed) is sees, role
        assert (api.get("/api/search/facets").json()["total"] == 1) is sees, role
        assert ("secret" in web.get("/acme").content.decode()) is sees, role
        assert ("acme/secret" in web.get("/models?search=secret").content.decode()) is sees, role


def test_private_fork_and_derivative_lists(people, private_model):
    users, _ = people
    writer_api, _writer_web = clients(users)["writer"]
    outside = writer_api.post(
        "/api/models/acme/secret/duplicate",
        {"repository": "writer-user/my-copy", "private": True},
        format="json",
    )
    assert outside.status_code == 403
    assert "copies of it stay in acme" in outside.json()["error"]
    response = writer_api.post(
        "/api/models/acme/secret/duplicate", {"repository": "acme/my-copy"}, format="json"
    )
    assert response.status_code == 200
    assert APIClient().get("/api/models/acme/my-copy").status_code == 404  # private: unseen
    anon_web = Client()
    assert "my-copy" not in anon_web.get("/acme/secret").content.decode()


def test_visibility_change_needs_admin(people, private_model):
    users, _ = people
    writer_api, _ = clients(users)["writer"]
    response = writer_api.patch("/api/models/acme/secret", {"private": False}, format="json")
    assert response.status_code == 403 and "admins" in response.json()["error"]
    admin_api, _ = clients(users)["admin"]
    assert (
        admin_api.patch("/api/models/acme/secret", {"private": False}, format="json").status_code
        == 200
    )
    assert APIClient().get("/api/models/acme/secret").status_code == 200


def test_org_membership_management(people):
    users, _org = people
    admin_api, _ = clients(users)["admin"]
    writer_api, _ = clients(users)["writer"]
    assert (
        writer_api.put(
            "/api/organizations/acme/members/stranger", {"role": "read"}, format="json"
        ).status_code
        == 403
    )
    assert admin_api.put(
        "/api/organizations/acme/members/stranger", {"role": "write"}, format="json"
    ).json() == {"user": "stranger", "role": "write"}
    response = admin_api.delete("/api/organizations/acme/members/olga")
    assert response.status_code == 400 and "at least one admin" in response.json()["error"]
    assert Namespace.objects.get(name="acme").members.count() == 4
