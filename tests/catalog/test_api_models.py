from __future__ import annotations

import hashlib

import pytest

from catalog.models import Blob, Model, Version
from tests.helpers import create_model, upload

pytestmark = pytest.mark.django_db


def test_create_model_returns_hub_shape(api):
    body = create_model(
        api,
        "bert-tiny",
        task="text-classification",
        source_domain="news",
        license="mit",
        library="pytorch",
        tags=["demo"],
        datasets=["bbc-news"],
    )
    assert body["id"] == "alice/bert-tiny"
    assert body["pipeline_tag"] == "text-classification"
    assert body["cardData"]["license"] == "mit"
    assert body["source_domain"] == "news"
    assert body["siblings"] == [] and body["sha"] is None
    assert "dataset:bbc-news" in body["tags"]


def test_create_existing_model_is_409(api):
    create_model(api, "twice")
    response = api.post("/api/models", {"name": "twice"}, format="json")
    assert response.status_code == 409
    assert "already exists" in response.json()["error"]


@pytest.mark.parametrize("name", ["bad name", "-lead", "trail-", "a--b", "a..b", "x/y", "é", ""])
def test_illegal_model_names_are_400(api, name):
    response = api.post("/api/models", {"name": name}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]


def test_unknown_vocabulary_values_are_400(api):
    response = api.post("/api/models", {"name": "ok", "task": "telepathy"}, format="json")
    assert response.status_code == 400
    assert "task" in response.json()["error"]


def test_create_needs_auth_and_write_scope(anon, alice):
    from rest_framework.test import APIClient

    from catalog.services.tokens import token_create

    assert anon.post("/api/models", {"name": "x"}, format="json").status_code == 401
    reader = APIClient()
    reader.credentials(
        HTTP_AUTHORIZATION=f"Bearer {token_create(user=alice, name='r', scope='read')[1]}"
    )
    response = reader.post("/api/models", {"name": "x"}, format="json")
    assert response.status_code == 403 and "read-only" in response.json()["error"]
    assert not Model.objects.filter(name="x").exists()
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Bearer hub_forged")
    assert forged.post("/api/models", {"name": "x"}, format="json").status_code == 401


def test_revoked_token_is_refused(alice):
    from rest_framework.test import APIClient

    from catalog.services.tokens import token_create, token_revoke

    token, raw = token_create(user=alice, name="gone")
    token_revoke(user=alice, token_id=token.pk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/whoami-v2").status_code == 401


def test_model_info_after_upload_lists_siblings_and_versions(api):
    create_model(api, "m")
    upload(
        api, "alice/m", [("config.json", b'{"a": 1}'), ("weights.raw", b"x" * 10)], message="first"
    )
    body = api.get("/api/models/alice/m").json()
    assert [s["rfilename"] for s in body["siblings"]] == ["config.json", "weights.raw"]
    weights = body["siblings"][1]  # small and text: the Hub keeps it in git, not LFS
    assert weights["size"] == 10 and "lfs" not in weights
    assert weights["blobId"] == hashlib.sha1(b"blob 10\x00" + b"x" * 10).hexdigest()
    assert len(body["sha"]) == 40
    assert "versions" not in body  # the history is its own endpoint
    assert [v["number"] for v in api.get("/api/models/alice/m/versions").json()] == [1]
    assert body["version"]["message"] == "first"


def test_list_models_filters_sorts_and_paginates_with_link_header(api, anon):
    for index in range(5):
        create_model(api, f"model-{index}", task="image-classification" if index % 2 else "other")
    first = anon.get("/api/models?limit=2&sort=created")
    assert first.status_code == 200
    names = [m["id"] for m in first.json()]
    assert names == ["alice/model-4", "alice/model-3"]
    link = first["Link"]
    assert 'rel="next"' in link
    next_url = link.split(";")[0].strip("<>")
    second = anon.get(next_url)
    assert [m["id"] for m in second.json()] == ["alice/model-2", "alice/model-1"]
    filtered = anon.get("/api/models?pipeline_tag=image-classification").json()
    assert {m["id"] for m in filtered} == {"alice/model-1", "alice/model-3"}
    assert anon.get("/api/models?author=nobody").json() == []
    assert anon.get("/api/models?limit=0").status_code == 400


def test_cursor_pages_do_not_shift_when_models_are_added(api, anon):
    for index in range(4):
        create_model(api, f"c-{index}")
    first = anon.get("/api/models?limit=2")
    create_model(api, "c-new")  # newer than everything: must not push c-1 onto page two twice
    next_url = first["Link"].split(";")[0].strip("<>")
    assert [m["id"] for m in anon.get(next_url).json()] == ["alice/c-1", "alice/c-0"]


def test_private_model_is_404_for_others_and_hidden_from_lists(api, anon, bob):
    create_model(api, "secret", private=True)
    upload(api, "alice/secret", [("a.txt", b"hello")])
    assert api.get("/api/models/alice/secret").status_code == 200
    response = anon.get("/api/models/alice/secret")
    assert response.status_code == 404 and response["X-Error-Code"] == "RepoNotFound"
    assert anon.get("/alice/secret/resolve/main/a.txt").status_code == 404
    assert "alice/secret" not in [m["id"] for m in anon.get("/api/models").json()]
    from rest_framework.test import APIClient

    other = APIClient()
    other.force_authenticate(bob)
    assert other.get("/api/models/alice/secret").status_code == 404
    assert upload(other, "alice/secret", [("b.txt", b"x")]).status_code == 404


def test_other_users_cannot_upload_to_my_public_model(api, bob):
    from rest_framework.test import APIClient

    create_model(api, "pub")
    other = APIClient()
    other.force_authenticate(bob)
    response = upload(other, "alice/pub", [("b.txt", b"x")])
    assert response.status_code == 403 and "cannot write to alice/pub" in response.json()["error"]
    assert not Version.objects.filter(model__name="pub").exists()
    assert Blob.objects.count() == 0


def test_patch_updates_metadata(api):
    create_model(api, "editable")
    response = api.patch(
        "/api/models/alice/editable", {"license": "apache-2.0", "tags": ["a", "b"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["cardData"]["license"] == "apache-2.0"
    assert response.json()["cardData"]["tags"] == ["a", "b"]


def test_unknown_model_and_revision_are_json_404(anon, api):
    response = anon.get("/api/models/nobody/nothing")
    assert response.status_code == 404 and "does not exist" in response.json()["error"]
    create_model(api, "empty")
    response = anon.get("/api/models/alice/empty/revision/v9")
    assert response.status_code == 404 and response["X-Error-Code"] == "RevisionNotFound"


def test_whoami(api):
    assert api.get("/api/whoami-v2").json()["name"] == "alice"
