"""Repository-level Hub calls with the real `huggingface_hub` client over real HTTP: card
checks (validate-yaml as text), commits, paths-info, tags, move_repo, likers and likes,
empty files, short shas, files_metadata (git blob ids), auth_check, and the calls this hub
refuses with a reason. Each bad input of issue 13 has its own test."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx2 as httpx
import numpy as np
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from huggingface_hub import HfApi, ModelCard, hf_hub_download, metadata_update
from huggingface_hub.errors import (
    BadRequestError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from safetensors.numpy import save as safetensors_bytes

from catalog.api.hf import paging
from catalog.models import AuditEvent, Like, Model, Version, VersionFile
from catalog.services.forks import model_fork
from catalog.services.orgs import org_create
from catalog.services.social import like_set
from catalog.services.tokens import token_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Use 'content=:DeprecationWarning"),
]

CONFIG = b'{"model_type": "tiny", "hidden_size": 4}'
WEIGHTS = safetensors_bytes({"w": np.arange(1_000, dtype=np.float32)})
README = b"---\nlicense: mit\n---\n# Tiny\n"


def git_oid(data: bytes) -> str:
    """What `git hash-object` prints for these bytes."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def pointer_oid(data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {len(data)}\n"
    return git_oid(pointer.encode())


@pytest.fixture
def tiny(make_model, publish):
    """alice/tiny: v1 (card, config, weights), v2 (a note in a folder), v3 (new config)."""
    model = make_model("tiny")
    v1 = publish(
        model,
        {"README.md": README, "config.json": CONFIG, "model.safetensors": WEIGHTS},
        message="First weights\n\nTrained for one epoch.",
    )
    v2 = publish(model, {"docs/note.txt": b"a note"}, message="Add a note")
    v3 = publish(model, {"config.json": CONFIG + b"\n"}, message="Tweak config")
    return model, [v1, v2, v3]


def bob_client(hub_url: str, bob) -> HfApi:
    return HfApi(endpoint=hub_url, token=token_create(user=bob, name="t")[1])


# validate-yaml: ModelCard.push_to_hub and metadata_update, end to end


def test_model_card_push_and_metadata_update(hf, alice_token, tiny):
    card = ModelCard("---\nlicense: apache-2.0\ntags: [demo]\n---\n# Tiny, described\n")
    card.push_to_hub("alice/tiny", token=alice_token)
    model = Model.objects.get(name="tiny")
    assert model.license == "apache-2.0" and "# Tiny, described" in model.card
    metadata_update("alice/tiny", {"tags": ["demo", "updated"]}, token=alice_token, overwrite=True)
    model.refresh_from_db()
    assert "updated" in model.tags and model.versions.count() == 5
    with pytest.raises(ValueError, match="number is too long"):  # the server's text
        ModelCard("---\nlicense: mit\nsize: " + "1" * 100 + "\n---\n# Big\n").validate()


def test_validate_yaml_answers_text_or_json_as_asked(hub_url):
    body = {"content": "---\n- a\n---\n", "repoType": "model"}
    as_text = httpx.post(
        f"{hub_url}/api/validate-yaml", json=body, headers={"Accept": "text/plain"}
    )
    assert as_text.status_code == 400 and as_text.headers["content-type"].startswith("text/plain")
    assert "mapping" in as_text.text and not as_text.text.startswith("{")
    as_json = httpx.post(f"{hub_url}/api/validate-yaml", json=body)
    assert as_json.status_code == 400 and "mapping" in as_json.json()["errors"][0]["message"]
    good = httpx.post(
        f"{hub_url}/api/validate-yaml",
        json={"content": "---\nlicense: mit\n---\n"},
        headers={"Accept": "text/plain"},
    )
    assert good.status_code == 200 and good.text == ""


# list_repo_commits


def test_list_repo_commits_one_per_version_newest_first(hf, tiny, monkeypatch):
    _, (v1, v2, v3) = tiny
    monkeypatch.setattr(paging, "PAGE_DEFAULT", 2)  # three versions: two pages, via Link
    commits = hf.list_repo_commits("alice/tiny")
    assert [c.commit_id for c in commits] == [v3.revision, v2.revision, v1.revision]
    first = commits[-1]
    assert (first.title, first.message) == ("First weights", "Trained for one epoch.")
    assert first.authors == ["alice"] and first.created_at == v1.created_at
    assert [c.commit_id for c in hf.list_repo_commits("alice/tiny", revision="v2")] == [
        v2.revision,
        v1.revision,
    ]
    short = hf.list_repo_commits("alice/tiny", revision=v2.revision[:7], formatted=True)
    assert short[0].formatted_title == "Add a note"
    with pytest.raises(RevisionNotFoundError):
        hf.list_repo_commits("alice/tiny", revision="v9")


def test_commits_of_a_new_repository_are_empty(hf):
    hf.create_repo("alice/empty")
    assert hf.list_repo_commits("alice/empty") == []


# get_paths_info


def test_paths_info_files_and_folders_like_the_tree(hf, anon_hf, tiny):
    infos = anon_hf.get_paths_info(
        "alice/tiny", ["config.json", "docs", "model.safetensors", "missing.txt"]
    )
    by_path = {info.path: info for info in infos}
    assert list(by_path) == ["config.json", "docs", "model.safetensors"]  # missing: left out
    assert by_path["config.json"].blob_id == git_oid(CONFIG + b"\n")
    assert by_path["config.json"].lfs is None and by_path["config.json"].size == len(CONFIG) + 1
    weights = by_path["model.safetensors"]
    assert weights.lfs.sha256 == hashlib.sha256(WEIGHTS).hexdigest()
    assert weights.blob_id == pointer_oid(WEIGHTS)
    assert type(by_path["docs"]).__name__ == "RepoFolder"
    tree = {entry.path: entry for entry in anon_hf.list_repo_tree("alice/tiny")}
    assert tree["config.json"].blob_id == by_path["config.json"].blob_id
    assert tree["docs"].tree_id == by_path["docs"].tree_id


def test_paths_info_expand_names_the_last_commit_of_each_path(hf, tiny):
    _, (v1, v2, v3) = tiny
    infos = hf.get_paths_info(
        "alice/tiny", ["config.json", "model.safetensors", "docs"], expand=True
    )
    last = {info.path: info.last_commit.oid for info in infos}
    assert last == {
        "config.json": v3.revision,
        "model.safetensors": v1.revision,
        "docs": v2.revision,
    }
    weights = next(info for info in infos if info.path == "model.safetensors")
    assert weights.security.status == "safe" and weights.last_commit.title == "First weights"
    pinned = hf.get_paths_info("alice/tiny", ["config.json"], revision="v2", expand=True)
    assert pinned[0].last_commit.oid == v1.revision and pinned[0].blob_id == git_oid(CONFIG)
    tree = {e.path: e for e in hf.list_repo_tree("alice/tiny", expand=True)}
    assert tree["config.json"].last_commit.oid == v3.revision


def test_paths_info_past_the_documented_limit_is_400(hf, tiny, hub_url, alice_token):
    paths = [f"file-{index}.txt" for index in range(10_000)]
    with pytest.raises(BadRequestError, match="at most 1000 paths"):
        hf.get_paths_info("alice/tiny", paths)
    as_json = httpx.post(
        f"{hub_url}/api/models/alice/tiny/paths-info/main",
        json={"paths": paths},
        headers={"Authorization": f"Bearer {alice_token}"},
    )
    assert as_json.status_code == 400 and "at most 1000 paths" in as_json.json()["error"]
    assert len(hf.get_paths_info("alice/tiny", ["config.json"] * 1000)) == 1  # at the limit


# create_tag / delete_tag


def test_tags_are_aliases(hf, anon_hf, tiny):
    _, (v1, _, v3) = tiny
    hf.create_tag("alice/tiny", tag="stable", revision=v1.revision[:8], tag_message="good one")
    refs = {ref.name: ref.target_commit for ref in anon_hf.list_repo_refs("alice/tiny").tags}
    assert refs["stable"] == v1.revision and refs["v3"] == v3.revision
    assert anon_hf.model_info("alice/tiny", revision="stable").sha == v1.revision
    with pytest.raises(HfHubHTTPError) as again:
        hf.create_tag("alice/tiny", tag="stable")
    assert again.value.response.status_code == 409
    hf.create_tag("alice/tiny", tag="stable", exist_ok=True)  # the client's own 409 handling
    event = AuditEvent.objects.filter(action="alias.set").latest("created_at")
    assert event.details["message"] == "good one"
    hf.delete_tag("alice/tiny", tag="stable")
    assert "stable" not in {ref.name for ref in anon_hf.list_repo_refs("alice/tiny").tags}
    with pytest.raises(HfHubHTTPError) as gone:
        hf.delete_tag("alice/tiny", tag="stable")
    assert gone.value.response.status_code == 404


@pytest.mark.parametrize("name", ["main", "v2", "v10", "bad/name", "-dash"])
def test_a_tag_colliding_with_main_or_a_version_is_400(hf, tiny, name):
    with pytest.raises(BadRequestError, match=r"reserved|not allowed"):
        hf.create_tag("alice/tiny", tag=name)


def test_version_tags_cannot_be_deleted_and_others_cannot_tag(hf, tiny, hub_url, bob):
    with pytest.raises(BadRequestError, match="cannot be deleted"):
        hf.delete_tag("alice/tiny", tag="v1")
    with pytest.raises(HfHubHTTPError) as refused:
        bob_client(hub_url, bob).create_tag("alice/tiny", tag="mine")
    assert refused.value.response.status_code == 403


# move_repo


def test_move_keeps_versions_lineage_and_redirects_old_urls(hf, anon_hf, hub_url, tiny, alice, bob):
    model, (_, _, v3) = tiny
    fork = model_fork(user=bob, source=v3, namespace=bob.namespace, name="tiny-fork")
    hf.move_repo("alice/tiny", "alice/renamed")
    model.refresh_from_db()
    assert model.full_name == "alice/renamed" and model.versions.count() == 3
    info = anon_hf.model_info("alice/renamed")
    assert info.sha == v3.revision
    old = anon_hf.model_info("alice/tiny")  # 307 to the new name, followed by the client
    assert old.id == "alice/renamed" and old.sha == v3.revision
    old_file = hf_hub_download("alice/tiny", "config.json", revision="v1", endpoint=hub_url)
    assert Path(old_file).read_bytes() == CONFIG
    body = httpx.get(f"{hub_url}/api/models/{fork.full_name}").json()
    assert body["parent"] == {"id": "alice/renamed", "version": 3, "sha": v3.revision}
    event = AuditEvent.objects.get(action="model.move")
    assert event.details == {"from": "alice/tiny", "to": "alice/renamed"} and event.actor == alice
    # The old name is free again: a new model there ends the redirect.
    hf.create_repo("alice/tiny")
    assert anon_hf.model_info("alice/tiny").sha is None
    hf.delete_repo("alice/tiny")  # and deleting that model does not bring the redirect back
    assert httpx.get(f"{hub_url}/api/models/alice/tiny").status_code == 404


def test_move_to_an_organization_keeps_a_private_model_private(
    hf, anon_hf, hub_url, alice, bob, make_model, publish
):
    secret = make_model("secret", private=True)
    publish(secret, {"config.json": CONFIG})
    org_create(user=alice, name="lab")
    hf.move_repo("alice/secret", "lab/secret")
    assert Model.objects.get(pk=secret.pk).private
    assert hf.model_info("alice/secret").id == "lab/secret"  # alice may see it: redirected
    for name in ("alice/secret", "lab/secret"):
        with pytest.raises(RepositoryNotFoundError):
            anon_hf.model_info(name)  # no redirect, no new name, for those who may not see it
    with pytest.raises(RepositoryNotFoundError):  # bob may not even know it is there to move
        bob_client(hub_url, bob).move_repo("lab/secret", "bob/secret")


def test_move_to_a_name_that_exists_is_409(hf, tiny, make_model):
    make_model("taken")
    with pytest.raises(HfHubHTTPError) as taken:
        hf.move_repo("alice/tiny", "alice/TAKEN")
    assert taken.value.response.status_code == 409
    assert Model.objects.filter(namespace__name="alice", name="tiny").exists()


def test_move_across_namespaces_without_write_access_is_refused(hf, hub_url, tiny, bob):
    with pytest.raises(HfHubHTTPError) as no_write:
        hf.move_repo("alice/tiny", "bob/tiny")
    assert no_write.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as no_namespace:
        hf.move_repo("alice/tiny", "nobody/tiny")
    assert no_namespace.value.response.status_code == 404
    with pytest.raises(HfHubHTTPError) as not_admin:  # bob sees it, but it is not his
        bob_client(hub_url, bob).move_repo("alice/tiny", "bob/tiny")
    assert not_admin.value.response.status_code == 403
    with pytest.raises(BadRequestError, match="not allowed"):
        hf.move_repo("alice/tiny", "alice/bad..name")
    assert Model.objects.get(name="tiny").namespace.name == "alice"


# list_repo_likers / list_liked_repos


def test_likers_and_liked_repos_hide_private_models(
    hf, anon_hf, hub_url, tiny, make_model, alice, bob, monkeypatch
):
    model, _ = tiny
    secret = make_model("secret", private=True)
    like_set(user=alice, model=model, liked=True)
    like_set(user=alice, model=secret, liked=True)
    like_set(user=bob, model=model, liked=True)
    monkeypatch.setattr(paging, "PAGE_DEFAULT", 1)  # one per page: the client follows Link
    likers = sorted(user.username for user in anon_hf.list_repo_likers("alice/tiny"))
    assert likers == ["alice", "bob"]
    assert sorted(hf.list_liked_repos("alice").models) == ["alice/secret", "alice/tiny"]
    assert anon_hf.list_liked_repos("alice").models == ["alice/tiny"]
    assert bob_client(hub_url, bob).list_liked_repos("alice").models == ["alice/tiny"]
    with pytest.raises(RepositoryNotFoundError):
        list(anon_hf.list_repo_likers("alice/secret"))
    assert Like.objects.count() == 3


# empty files


def test_empty_files_upload_download_and_range(hf, hub_url, tiny, alice_token):
    hf.upload_file(path_or_fileobj=b"", path_in_repo="empty.txt", repo_id="alice/tiny")
    local = hf_hub_download("alice/tiny", "empty.txt", endpoint=hub_url, token=alice_token)
    assert Path(local).read_bytes() == b""
    # A weight-like name goes through LFS (batch, PUT, commit by sha256), even when empty.
    hf.upload_file(path_or_fileobj=b"", path_in_repo="empty.bin", repo_id="alice/tiny")
    local = hf_hub_download("alice/tiny", "empty.bin", endpoint=hub_url)
    assert Path(local).read_bytes() == b""
    info = hf.model_info("alice/tiny", files_metadata=True)
    empty = next(s for s in info.siblings if s.rfilename == "empty.txt")
    assert empty.size == 0 and empty.lfs is None and empty.blob_id == git_oid(b"")
    url = f"{hub_url}/alice/tiny/resolve/main/empty.txt"
    ranged = httpx.get(url, headers={"Range": "bytes=0-"})
    assert ranged.status_code == 200 and ranged.content == b""  # a range of nothing: all of it
    assert httpx.head(url).headers["x-linked-size"] == "0"


@pytest.mark.s3
def test_empty_file_on_s3(hf, hub_url, tiny, s3_blobs):
    hf.upload_file(path_or_fileobj=b"", path_in_repo="empty.txt", repo_id="alice/tiny")
    answer = httpx.get(f"{hub_url}/alice/tiny/resolve/main/empty.txt")
    assert answer.status_code == 302
    assert httpx.get(answer.headers["location"]).content == b""


# short shas


def test_short_shas_wherever_a_revision_or_parent_is_taken(hf, hub_url, tiny):
    _, (v1, v2, v3) = tiny
    assert hf.model_info("alice/tiny", revision=v1.revision[:7]).sha == v1.revision
    local = hf_hub_download("alice/tiny", "config.json", revision=v1.revision[:7], endpoint=hub_url)
    assert Path(local).read_bytes() == CONFIG
    files = hf.list_repo_files("alice/tiny", revision=v2.revision[:10].upper())
    assert "docs/note.txt" in files
    commit = hf.upload_file(
        path_or_fileobj=b"more",
        path_in_repo="more.txt",
        repo_id="alice/tiny",
        parent_commit=v3.revision[:7],
    )
    assert commit.oid == Version.objects.get(number=4).revision
    with pytest.raises(HfHubHTTPError) as stale:
        hf.upload_file(
            path_or_fileobj=b"x",
            path_in_repo="x.txt",
            repo_id="alice/tiny",
            parent_commit=v3.revision[:7],
        )
    assert stale.value.response.status_code == 412


def test_an_ambiguous_short_sha_is_a_revision_not_found_that_says_so(hf, tiny):
    _, (v1, v2, _) = tiny
    Version.objects.filter(pk=v1.pk).update(revision="abcdef1" + "0" * 33)
    Version.objects.filter(pk=v2.pk).update(revision="abcdef1" + "1" * 33)
    with pytest.raises(RevisionNotFoundError, match="ambiguous"):
        hf.model_info("alice/tiny", revision="abcdef1")
    assert hf.model_info("alice/tiny", revision="abcdef10").sha == "abcdef1" + "0" * 33
    with pytest.raises(RevisionNotFoundError, match="ambiguous"):
        hf.list_repo_commits("alice/tiny", revision="abcdef1")
    with pytest.raises(RevisionNotFoundError):
        hf.model_info("alice/tiny", revision="abc123")  # 6 digits: not a short sha


# files_metadata


def test_files_metadata_reports_git_blob_ids_and_lfs_as_the_hub_does(hf, tiny):
    info = hf.model_info("alice/tiny", files_metadata=True)
    siblings = {s.rfilename: s for s in info.siblings}
    for path, data in (("README.md", README), ("config.json", CONFIG + b"\n")):
        assert siblings[path].lfs is None and siblings[path].blob_id == git_oid(data)
    weights = siblings["model.safetensors"]
    assert weights.lfs.sha256 == hashlib.sha256(WEIGHTS).hexdigest()
    assert weights.blob_id == pointer_oid(WEIGHTS) and weights.lfs.size == len(WEIGHTS)


def test_git_metadata_of_older_rows_is_computed_once(hf, tiny):
    _, (v1, _, _) = tiny
    rows = VersionFile.objects.filter(version=v1)
    for row in rows:  # as rows published before the hub recorded it
        row.metadata = {k: v for k, v in row.metadata.items() if k not in ("git_oid", "lfs")}
        row.save(update_fields=["metadata"])
    info = hf.model_info("alice/tiny", revision="v1", files_metadata=True)
    assert {s.rfilename: s.blob_id for s in info.siblings}["config.json"] == git_oid(CONFIG)
    saved = {row.path: row.metadata for row in rows.all()}
    assert saved["config.json"]["git_oid"] == git_oid(CONFIG) and not saved["config.json"]["lfs"]
    assert saved["model.safetensors"]["lfs"] is True


# auth_check and refused calls


def test_auth_check(hf, hub_url, anon_hf, tiny, bob):
    hf.auth_check("alice/tiny", write=True)
    anon_hf.auth_check("alice/tiny")
    with pytest.raises(HfHubHTTPError) as refused:
        bob_client(hub_url, bob).auth_check("alice/tiny", write=True)
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize(
    "call, reason",
    [
        (lambda api: api.create_branch("alice/tiny", branch="dev"), "Branches"),
        (lambda api: api.delete_branch("alice/tiny", branch="dev"), "Branches"),
        (lambda api: api.super_squash_history("alice/tiny"), "squashed"),
        (lambda api: list(api.get_repo_discussions("alice/tiny")), "Discussions"),
        (lambda api: api.create_discussion("alice/tiny", title="hi"), "Discussions"),
        (lambda api: list(api.list_lfs_files("alice/tiny")), "content-addressed"),
        (lambda api: list(api.list_pending_access_requests("alice/tiny")), "Gated"),
    ],
)
def test_unsupported_calls_are_refused_with_a_reason(hf, tiny, call, reason):
    with pytest.raises(BadRequestError, match=reason):
        call(hf)


def test_commit_messages_hide_private_ancestors_even_after_a_move(
    hf, anon_hf, alice, make_model, publish
):
    secret = make_model("secret", private=True)
    base = publish(secret, {"config.json": CONFIG})
    public = model_fork(
        user=alice, source=base, namespace=alice.namespace, name="pub", private=False
    )
    publish(public, {"notes.txt": b"n"}, message="Tuned from alice/secret\n\nSee alice/secret.")
    hf.move_repo("alice/secret", "alice/hidden")
    commits = anon_hf.list_repo_commits("alice/pub")
    text = " ".join(f"{c.title} {c.message}" for c in commits)
    assert "alice/secret" not in text and "alice/hidden" not in text
    assert "a private model" in text
    assert "alice/secret" in hf.list_repo_commits("alice/pub")[0].title  # alice may see it


def test_history_reads_cost_the_same_queries_however_long_the_history(make_model, publish):
    """Commits, paths-info with expand and the expanded tree: grouped queries, no walk."""
    client = Client()
    counts = {}
    for versions in (3, 12):
        model = make_model(f"h{versions}")
        for number in range(versions):
            config = b'{"n": %d}' % number
            publish(model, {"config.json": config, f"f{number}.txt": b"x"})
        base = f"/api/models/alice/h{versions}"
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{base}/commits/main").status_code == 200
            body = {"paths": ["config.json", "f0.txt"], "expand": True}
            answer = client.post(f"{base}/paths-info/main", body, content_type="application/json")
            assert answer.json()[1]["lastCommit"]["title"] == "v1"
            assert client.get(f"{base}/tree/main?expand=true").status_code == 200
        counts[versions] = len(queries)
    assert counts[12] == counts[3], counts
