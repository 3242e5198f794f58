"""The exact JSON of the Hub-protocol answers the client parses (keys present or left out,
dates as ...Z), and the messages their request serializers give for bodies they refuse."""

from __future__ import annotations

import re

import numpy as np
import pytest
from django.test import Client
from safetensors.numpy import save as safetensors_bytes

from catalog.services.models import model_create
from catalog.services.social import like_set

pytestmark = pytest.mark.django_db

FILE_KEYS = {"type", "path", "size", "oid"}
WEIGHTS = safetensors_bytes({"w": np.zeros(16, dtype=np.float32)})
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@pytest.fixture
def demo(alice, publish):
    model = model_create(user=alice, name="demo")
    v1 = publish(model, {"config.json": b"{}", "w.safetensors": WEIGHTS}, message="First")
    v2 = publish(model, {"docs/a.md": b"# a\n"}, message="Docs\n\nmore <b>")
    return model, v1, v2


@pytest.fixture
def http(alice_token) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {alice_token}")


def test_tree_entries_leave_out_what_does_not_apply(demo):
    tree = {e["path"]: e for e in Client().get("/api/models/alice/demo/tree/main").json()}
    assert list(tree) == ["config.json", "docs", "w.safetensors"]
    assert set(tree["config.json"]) == FILE_KEYS and tree["config.json"]["type"] == "file"
    assert tree["docs"] == {**tree["docs"], "type": "directory", "size": 0}
    assert set(tree["docs"]) == FILE_KEYS
    lfs = tree["w.safetensors"]["lfs"]
    assert set(lfs) == {"oid", "size", "pointerSize"} and lfs["size"] == len(WEIGHTS)


def test_expanded_entries_name_their_last_commit(demo):
    _, v1, v2 = demo
    url = "/api/models/alice/demo/tree/main?expand=true&recursive=true"
    tree = {e["path"]: e for e in Client().get(url).json()}
    assert set(tree) == {"config.json", "docs", "docs/a.md", "w.safetensors"}
    config = tree["config.json"]
    assert set(config) == FILE_KEYS | {"lastCommit", "securityFileStatus"}
    assert set(config["lastCommit"]) == {"id", "title", "date"}
    assert config["lastCommit"]["id"] == v1.revision and config["lastCommit"]["title"] == "First"
    assert ISO_Z.match(config["lastCommit"]["date"])
    assert set(config["securityFileStatus"]) == {"status", "avScan", "pickleImportScan"}
    assert set(tree["docs"]) == FILE_KEYS | {"lastCommit"}  # no scan for a folder
    assert tree["docs"]["lastCommit"]["id"] == v2.revision
    form = "paths=docs&paths=nope&expand=True"  # as the client sends it
    paths = Client().post(
        "/api/models/alice/demo/paths-info/main", form, "application/x-www-form-urlencoded"
    )
    assert paths.json() == [tree["docs"]]


def test_commits_refs_and_likers(demo, alice):
    model, v1, v2 = demo
    commits = Client().get("/api/models/alice/demo/commits/main").json()
    assert [set(c) for c in commits] == [{"id", "title", "message", "authors", "date"}] * 2
    assert commits[0]["title"] == "Docs" and commits[0]["message"] == "more <b>"
    assert commits[0]["authors"] == [{"user": "alice", "avatar": None}]
    assert ISO_Z.match(commits[0]["date"])
    formatted = Client().get("/api/models/alice/demo/commits/main?expand[]=formatted").json()
    assert formatted[0]["formatted"] == {"title": "Docs", "message": "more &lt;b&gt;"}
    refs = Client().get("/api/models/alice/demo/refs").json()
    assert refs == {
        "branches": [{"name": "main", "ref": "refs/heads/main", "targetCommit": v2.revision}],
        "converts": [],
        "tags": [
            {"name": "v1", "ref": "refs/tags/v1", "targetCommit": v1.revision},
            {"name": "v2", "ref": "refs/tags/v2", "targetCommit": v2.revision},
        ],
        "pullRequests": [],
    }
    like_set(user=alice, model=model, liked=True)
    likers = Client().get("/api/models/alice/demo/likers").json()
    assert likers == [{"user": "alice", "fullname": "alice", "avatarUrl": "", "type": "user"}]
    likes = Client().get("/api/users/alice/likes").json()
    assert likes[0]["repo"] == {"name": "alice/demo", "type": "model"}
    assert ISO_Z.match(likes[0]["createdAt"])


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "fragment"),
    [
        ("post", "/api/repos/create", {"name": "x", "type": "dataset"}, 400, "type must be"),
        ("post", "/api/repos/create", {"name": "x", "visibility": "no"}, 400, "visibility must"),
        ("put", "/api/models/alice/demo/settings", {"gated": "auto"}, 400, "Gated access"),
        ("put", "/api/models/alice/demo/settings", {"gated": True}, 400, "Gated access"),
        ("post", "/api/repos/move", {"fromRepo": "a", "toRepo": "b/c"}, 400, "namespace/name"),
        ("post", "/api/models/alice/demo/tag/main", {"message": "m"}, 400, 'Send {"tag"'),
        ("post", "/api/models/alice/demo/paths-info/main", {"paths": ["a"] * 1001}, 400, "1000"),
        ("post", "/api/models/alice/demo/preupload/main", {"files": "x"}, 400, "files"),
    ],
)
def test_refused_bodies_say_why(demo, http, method, path, body, status, fragment):
    response = getattr(http, method)(path, body, content_type="application/json")
    assert response.status_code == status, response.content
    assert fragment in response.json()["error"]


@pytest.mark.parametrize(
    ("batch", "status", "fragment"),
    [
        ({"operation": "download", "objects": []}, 400, "Only uploads"),
        ({"operation": "upload", "transfers": ["ssh"], "objects": []}, 400, "basic"),
        ({"operation": "upload", "objects": {"oid": 1}}, 400, "objects must be a list"),
        ({"operation": "upload", "objects": [{"oid": "x", "size": 1}]}, 400, "sha256 object id"),
        ({"operation": "upload", "objects": [{"oid": "a" * 64, "size": -1}]}, 400, "size"),
        ({"operation": "upload", "objects": [{"oid": "a" * 64, "size": 10**15}]}, 413, "limit"),
    ],
)
def test_lfs_batch_refusals(demo, http, batch, status, fragment):
    response = http.post(
        "/alice/demo.git/info/lfs/objects/batch", batch, "application/vnd.git-lfs+json"
    )
    assert response.status_code == status, response.content
    assert fragment in response.json()["error"]


def test_lfs_batch_answer(demo, http):
    batch = {"operation": "upload", "objects": [{"oid": "b" * 64, "size": 3}]}
    answer = http.post(
        "/alice/demo.git/info/lfs/objects/batch", batch, "application/vnd.git-lfs+json"
    ).json()
    assert set(answer) == {"transfer", "objects", "hash_algo"}
    (item,) = answer["objects"]
    assert set(item) == {"oid", "size", "authenticated", "actions"}
    assert set(item["actions"]["upload"]) == {"href", "expires_in"}
