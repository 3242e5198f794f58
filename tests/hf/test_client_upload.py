"""Writes with the real huggingface_hub client (Xet disabled): create_repo, upload_file,
upload_folder (preupload, Git-LFS basic batch upload, NDJSON commit), duplicate_repo,
delete_repo, update_repo_settings; the scanners, size limits and LFS staging on this path."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import httpx2
import numpy as np
import pytest
from huggingface_hub import CommitOperationAdd, HfApi, hf_hub_download
from huggingface_hub.errors import BadRequestError, HfHubHTTPError, RepositoryNotFoundError
from safetensors.numpy import save as safetensors_bytes

from catalog.blobs import blob_exists
from catalog.models import Model, Version
from catalog.services.lfs import lfs_staging_root, lfs_staging_sweep
from catalog.services.tokens import token_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # huggingface_hub's own LFS PUT passes a file object as `data=`: httpx2 warns about it.
    pytest.mark.filterwarnings("ignore:Use 'content=:DeprecationWarning"),
]

WEIGHTS = safetensors_bytes({"w": np.ones(50_000, dtype=np.float32)})
CARD = b"""---
license: apache-2.0
pipeline_tag: text-classification
tags: [demo, tiny]
datasets: [ag_news]
language: en
source_domain: news
---
# Tiny

A tiny classifier.
"""


def versions(repo: str) -> list[Version]:
    owner, name = repo.split("/")
    return list(Version.objects.filter(model__namespace__name=owner, model__name=name))


def staged_files(isolated_storage) -> list[Path]:
    root = Path(isolated_storage["temp"]) / "lfs"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_create_repo_public_and_private(hf, anon_hf):
    url = hf.create_repo("alice/open")
    assert url.repo_id == "alice/open"
    assert Model.objects.get(name="open").private is False
    hf.create_repo("secret", private=True)  # no namespace: the token's user
    assert Model.objects.get(name="secret").private is True
    with pytest.raises(RepositoryNotFoundError):
        anon_hf.model_info("alice/secret")
    with pytest.raises(HfHubHTTPError) as exists:
        hf.create_repo("alice/open")
    assert exists.value.response.status_code == 409
    assert hf.create_repo("alice/open", exist_ok=True).repo_id == "alice/open"
    with pytest.raises(HfHubHTTPError) as anonymous:
        anon_hf.create_repo("alice/nope")
    assert anonymous.value.response.status_code == 401


def test_upload_file_and_folder_one_commit_one_version(
    hf, hub_url, alice_token, proxy, tmp_path, isolated_storage
):
    hf.create_repo("alice/tiny")
    info = hf.upload_file(path_or_fileobj=CARD, path_in_repo="README.md", repo_id="alice/tiny")
    [v1] = versions("alice/tiny")
    assert info.oid == v1.revision and v1.message == "Upload README.md with huggingface_hub"
    model = Model.objects.get(name="tiny")  # the card and its metadata reach the model
    assert model.card.startswith("# Tiny") and model.license == "apache-2.0"
    assert (model.task, model.source_domain, model.languages) == (
        "text-classification",
        "news",
        ["en"],
    )

    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "config.json").write_text('{"hidden_size": 4}')  # small text: inline in the commit
    (folder / "model.safetensors").write_bytes(WEIGHTS)  # binary: Git-LFS batch + PUT
    (folder / "sub" / "notes.txt").write_text("notes")
    through_proxy = HfApi(endpoint=proxy.url, token=alice_token)  # to see the wire
    commit = through_proxy.upload_folder(
        folder_path=folder, repo_id="alice/tiny", commit_message="weights"
    )
    oid = hashlib.sha256(WEIGHTS).hexdigest()
    assert [(e.method, e.path.split("?")[0], e.status) for e in proxy.log] == [
        ("POST", "/api/models/alice/tiny/preupload/main", 200),
        ("POST", "/alice/tiny.git/info/lfs/objects/batch", 200),  # only the binary file
        ("PUT", f"/api/lfs/objects/{oid}", 200),
        ("POST", "/api/models/alice/tiny/commit/main", 200),  # one commit ...
    ]
    v2 = versions("alice/tiny")[0]  # ... one version
    assert len(versions("alice/tiny")) == 2 and commit.oid == v2.revision
    assert v2.parent_id == v1.pk and v2.message == "weights"
    assert sorted(v2.files.values_list("path", flat=True)) == [
        "README.md",
        "config.json",
        "model.safetensors",
        "sub/notes.txt",
    ]
    assert blob_exists(oid)
    assert staged_files(isolated_storage) == []  # the LFS object moved into the blob store
    path = hf_hub_download("alice/tiny", "model.safetensors", endpoint=hub_url, token=False)
    assert Path(path).read_bytes() == WEIGHTS

    hf.upload_folder(folder_path=folder, repo_id="alice/tiny")  # nothing changed
    assert len(versions("alice/tiny")) == 2  # the client skipped it: preupload gave the oids

    hf.delete_file("sub/notes.txt", repo_id="alice/tiny")
    v3 = versions("alice/tiny")[0]
    assert v3.number == 3 and not v3.files.filter(path="sub/notes.txt").exists()
    assert v3.files.count() == 3


def test_commit_rules(hf, hub_url, make_user, anon_hf, alice):
    hf.create_repo("alice/rules")
    first = hf.upload_file(path_or_fileobj=b"one", path_in_repo="a.txt", repo_id="alice/rules")
    hf.upload_file(path_or_fileobj=b"two", path_in_repo="a.txt", repo_id="alice/rules")
    with pytest.raises(HfHubHTTPError) as stale:  # the head moved since `first`
        hf.upload_file(
            path_or_fileobj=b"3",
            path_in_repo="b.txt",
            repo_id="alice/rules",
            parent_commit=first.oid,
        )
    assert stale.value.response.status_code == 412
    with pytest.raises(BadRequestError, match="immutable"):
        hf.upload_file(
            path_or_fileobj=b"3", path_in_repo="b.txt", repo_id="alice/rules", revision="v1"
        )
    with pytest.raises(HfHubHTTPError) as anonymous:
        anon_hf.upload_file(path_or_fileobj=b"3", path_in_repo="b.txt", repo_id="alice/rules")
    assert anonymous.value.response.status_code == 401
    bob = HfApi(endpoint=hub_url, token=token_create(user=make_user("bob"), name="t")[1])
    with pytest.raises(HfHubHTTPError) as stranger:
        bob.upload_file(path_or_fileobj=b"3", path_in_repo="b.txt", repo_id="alice/rules")
    assert stranger.value.response.status_code == 403
    reader = HfApi(endpoint=hub_url, token=token_create(user=alice, name="r", scope="read")[1])
    with pytest.raises(HfHubHTTPError) as read_only:
        reader.upload_file(path_or_fileobj=b"3", path_in_repo="b.txt", repo_id="alice/rules")
    assert read_only.value.response.status_code == 403
    assert len(versions("alice/rules")) == 2


def test_malicious_pickle_is_refused_on_this_path(hf, tmp_path, isolated_storage):
    marker = tmp_path / "pwned"

    class RunsShell:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    exploit = pickle.dumps(RunsShell(), protocol=2)
    hf.create_repo("alice/evil")
    with pytest.raises(BadRequestError, match=r"pickle imports \w+\.system, which is not allowed"):
        hf.upload_file(path_or_fileobj=exploit, path_in_repo="model.pkl", repo_id="alice/evil")
    assert versions("alice/evil") == [] and not marker.exists()
    assert not blob_exists(hashlib.sha256(exploit).hexdigest())
    blobs = Path(isolated_storage["blobs"])
    assert not blobs.exists() or not any(p.is_file() for p in blobs.rglob("*"))


def test_size_limit_is_413(hf, hub_url, settings):
    hf.create_repo("alice/big")
    settings.HUB_MAX_FILE_SIZE = 100_000
    with pytest.raises(HfHubHTTPError) as too_big:
        hf.upload_file(path_or_fileobj=WEIGHTS, path_in_repo="w.safetensors", repo_id="alice/big")
    assert too_big.value.response.status_code == 413
    assert versions("alice/big") == []


def test_uploads_never_committed_do_not_leak(hf, hub_url, isolated_storage):
    hf.create_repo("alice/staged")
    add = CommitOperationAdd(path_in_repo="w.safetensors", path_or_fileobj=WEIGHTS)
    hf.preupload_lfs_files("alice/staged", additions=[add])  # batch + PUT, no commit
    oid = hashlib.sha256(WEIGHTS).hexdigest()
    [staged] = staged_files(isolated_storage)
    assert staged.name == oid and staged.read_bytes() == WEIGHTS
    assert not blob_exists(oid) and versions("alice/staged") == []
    assert lfs_staging_sweep(max_age=3600) == 0  # fresh: kept for the commit
    assert lfs_staging_sweep(max_age=0) == 1
    assert staged_files(isolated_storage) == [] and lfs_staging_root().exists()


def test_lfs_upload_url_is_checked(hf, hub_url, alice_token):
    hf.create_repo("alice/lfs")
    oid = hashlib.sha256(WEIGHTS).hexdigest()
    batch = httpx2.post(
        f"{hub_url}/alice/lfs.git/info/lfs/objects/batch",
        json={
            "operation": "upload",
            "transfers": ["basic"],
            "objects": [{"oid": oid, "size": len(WEIGHTS)}],
        },
        headers={
            "Authorization": f"Bearer {alice_token}",
            "Accept": "application/vnd.git-lfs+json",
            "Content-Type": "application/vnd.git-lfs+json",
        },
    )
    assert batch.status_code == 200, batch.text
    href = batch.json()["objects"][0]["actions"]["upload"]["href"]
    assert httpx2.put(href, content=WEIGHTS[:-1] + b"x").status_code == 400  # wrong sha256
    forged = href.split("?token=")[0] + "?token=forged"
    assert httpx2.put(forged, content=WEIGHTS).status_code == 401
    other = href.replace(oid, "0" * 64)
    assert httpx2.put(other, content=WEIGHTS).status_code == 401  # signed for another object
    assert httpx2.put(href, content=WEIGHTS).status_code == 200


def test_duplicate_and_delete_repo(hf, hub_url, make_user, make_model, publish):
    source = make_model("base")
    v1 = publish(source, {"config.json": b"{}"})
    bob = HfApi(endpoint=hub_url, token=token_create(user=make_user("bob"), name="t")[1])
    copy = bob.duplicate_repo("alice/base", "bob/copy")
    assert copy.repo_id == "bob/copy"
    [fork] = versions("bob/copy")
    assert fork.origin == "fork" and fork.parent_id == v1.pk
    with pytest.raises(HfHubHTTPError) as not_admin:
        hf.delete_repo("bob/copy")
    assert not_admin.value.response.status_code == 403
    bob.delete_repo("bob/copy")
    assert not Model.objects.filter(name="copy").exists()
    with pytest.raises(RepositoryNotFoundError):
        bob.delete_repo("bob/copy")
    bob.delete_repo("bob/copy", missing_ok=True)


def test_update_repo_settings_visibility(hf, anon_hf):
    hf.create_repo("alice/flip")
    hf.update_repo_settings("alice/flip", private=True)
    assert Model.objects.get(name="flip").private is True
    with pytest.raises(RepositoryNotFoundError):
        anon_hf.model_info("alice/flip")
    hf.update_repo_settings("alice/flip", visibility="public")
    assert anon_hf.model_info("alice/flip").private is False


def test_readme_metadata_is_checked_before_upload(hf, hub_url):
    hf.create_repo("alice/card")
    with pytest.raises(ValueError, match=r"Invalid metadata in README\.md"):
        hf.upload_file(
            path_or_fileobj=b"---\nlicense: [mit\n---\n",
            path_in_repo="README.md",
            repo_id="alice/card",
        )
    assert versions("alice/card") == []
    # The other endpoint a client process calls on its own (agent registry): an empty one.
    assert httpx2.get(f"{hub_url}/api/agent-harnesses").json() == {
        "standardEnvVars": [],
        "harnesses": {},
    }
