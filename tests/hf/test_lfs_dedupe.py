"""One commit never re-sends stored bytes (the real huggingface_hub client, bytes counted on
the wire by the recording proxy): the LFS batch answers "already there" for blobs the user may
read, a commit may reference them, a private blob's sha256 opens nothing, and LFS objects sent
but never committed leave staging once the user's uploads go quiet."""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from pathlib import Path

import httpx2
import numpy as np
import pytest
from huggingface_hub import CommitOperationAdd, HfApi, hf_hub_download
from safetensors.numpy import save as safetensors_bytes

from catalog.blobs import blob_local_path
from catalog.models import Blob, Version
from catalog.services.commits import HubCommit
from catalog.services.lfs import (
    lfs_blobs_readable,
    lfs_commit_temp_dir,
    lfs_stage,
    lfs_staging_sweep,
    lfs_user_dir,
)
from catalog.services.models import model_create
from catalog.services.tokens import token_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # huggingface_hub's own LFS PUT passes a file object as `data=`: httpx2 warns about it.
    pytest.mark.filterwarnings("ignore:Use 'content=:DeprecationWarning"),
]

RNG = np.random.default_rng(13)
WEIGHTS = safetensors_bytes({"w": RNG.standard_normal(1_310_720, dtype=np.float32)})  # 5 MiB
SECRET = safetensors_bytes({"s": RNG.standard_normal(20_000, dtype=np.float32)})
CONFIG = b'{"model_type": "bert", "hidden_size": 4}'


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def staged(isolated_storage) -> list[Path]:
    root = Path(isolated_storage["temp"]) / "lfs"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def sent(proxy, since: int = 0) -> int:
    """Request body bytes the client sent through the proxy since log entry `since`."""
    return sum(exchange.sent for exchange in proxy.log[since:])


def puts(proxy, since: int = 0) -> list:
    return [e for e in proxy.log[since:] if e.method == "PUT"]


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def client(url: str, user) -> HfApi:
    return HfApi(endpoint=url, token=token_create(user=user, name="t", scope="write")[1])


def test_second_upload_folder_sends_only_the_changed_file(
    hf, alice_token, proxy, tmp_path, isolated_storage
):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(WEIGHTS)
    (folder / "config.json").write_bytes(CONFIG)
    (folder / "notes.txt").write_text("first notes")
    hf.create_repo("alice/dedupe")
    wire = HfApi(endpoint=proxy.url, token=alice_token)
    wire.upload_folder(folder_path=folder, repo_id="alice/dedupe")
    first = sent(proxy)
    assert first > len(WEIGHTS) and len(puts(proxy)) == 1

    (folder / "notes.txt").write_text("second notes, one small change")
    mark = len(proxy.log)
    wire.upload_folder(folder_path=folder, repo_id="alice/dedupe")
    second = sent(proxy, mark)
    assert puts(proxy, mark) == []  # the batch said the weights are here already
    assert second < first / 100, (first, second)
    v2 = Version.objects.filter(model__name="dedupe").order_by("-number").first()
    assert v2.number == 2 and v2.files.get(path="model.safetensors").blob_id == sha(WEIGHTS)
    assert staged(isolated_storage) == []  # nothing was sent that the commit left out


TARGETS = (("alice/second", "model.safetensors"), ("alice/first", "copy/w.safetensors"))


def test_unchanged_file_to_another_repo_or_path_sends_no_byte(
    hf, alice_token, proxy, isolated_storage, hub_url
):
    hf.create_repo("alice/first")
    hf.upload_file(path_or_fileobj=WEIGHTS, path_in_repo="model.safetensors", repo_id="alice/first")
    stored = sorted(p for p in Path(isolated_storage["blobs"]).rglob("*") if p.is_file())
    wire = HfApi(endpoint=proxy.url, token=alice_token)
    wire.create_repo("alice/second")
    mark = len(proxy.log)
    for repo, path in TARGETS:
        wire.upload_file(path_or_fileobj=WEIGHTS, path_in_repo=path, repo_id=repo)
    assert puts(proxy, mark) == []
    assert sent(proxy, mark) < 10_000  # preupload, batch and commit JSON only
    for repo, path in TARGETS:
        local = hf_hub_download(repo, path, endpoint=hub_url, token=False)
        assert Path(local).read_bytes() == WEIGHTS
    # The new versions reference the stored blob: no second copy, nothing left staged.
    assert sorted(p for p in Path(isolated_storage["blobs"]).rglob("*") if p.is_file()) == stored
    assert Blob.objects.filter(sha256=sha(WEIGHTS)).count() == 1
    assert staged(isolated_storage) == []


def _batch(url: str, token: str, repo: str, objects: list[tuple[str, int]]) -> httpx2.Response:
    return httpx2.post(
        f"{url}/{repo}.git/info/lfs/objects/batch",
        json={
            "operation": "upload",
            "transfers": ["basic"],
            "objects": [{"oid": oid, "size": size} for oid, size in objects],
        },
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.git-lfs+json",
            "Content-Type": "application/vnd.git-lfs+json",
        },
    )


def _commit_lfs(url: str, token: str, repo: str, path: str, oid: str, size: int):
    lines = [
        {"key": "header", "value": {"summary": "reuse"}},
        {"key": "lfsFile", "value": {"path": path, "algo": "sha256", "oid": oid, "size": size}},
    ]
    return httpx2.post(
        f"{url}/api/models/{repo}/commit/main",
        content=b"".join(json.dumps(line).encode() + b"\n" for line in lines),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"},
    )


def test_a_private_blobs_sha256_opens_nothing(hf, hub_url, proxy, bob, isolated_storage):
    hf.create_repo("alice/secret", private=True)
    hf.upload_file(path_or_fileobj=SECRET, path_in_repo="s.safetensors", repo_id="alice/secret")
    bob_token = token_create(user=bob, name="t", scope="write")[1]
    bob_hf = HfApi(endpoint=hub_url, token=bob_token)
    bob_hf.create_repo("bob/mine")
    oid, size = sha(SECRET), len(SECRET)

    answer = _batch(hub_url, bob_token, "bob/mine", [(oid, size)])
    assert answer.status_code == 200 and "actions" in answer.json()["objects"][0]  # send it
    stolen = _commit_lfs(hub_url, bob_token, "bob/mine", "s.safetensors", oid, size)
    unknown = _commit_lfs(hub_url, bob_token, "bob/mine", "s.safetensors", "0" * 64, size)
    assert stolen.status_code == unknown.status_code == 400
    # The same answer as for bytes no one stores: no oracle for what private models hold.
    assert stolen.json()["error"] == unknown.json()["error"].replace("0" * 64, oid)
    assert "was not uploaded" in stolen.json()["error"]
    assert not Version.objects.filter(model__name="mine").exists()

    # With the bytes, bob may commit them as anyone may (they go over the wire).
    wire = HfApi(endpoint=proxy.url, token=bob_token)
    wire.upload_file(path_or_fileobj=SECRET, path_in_repo="s.safetensors", repo_id="bob/mine")
    assert [e.sent for e in puts(proxy)] == [size]

    # Once alice's model is public, its bytes are readable: nothing to send.
    hf.update_repo_settings("alice/secret", private=False)
    bob_hf.create_repo("bob/again")
    answer = _batch(hub_url, bob_token, "bob/again", [(oid, size)])
    assert "actions" not in answer.json()["objects"][0]
    reused = _commit_lfs(hub_url, bob_token, "bob/again", "s.safetensors", oid, size)
    assert reused.status_code == 200, reused.text
    wrong = _commit_lfs(hub_url, bob_token, "bob/again", "t.safetensors", oid, size + 1)
    assert wrong.status_code == 400 and "does not match" in wrong.json()["error"]


def test_batch_is_bounded(hf, hub_url, alice_token, settings):
    hf.create_repo("alice/many")
    settings.HUB_MAX_FILES_PER_VERSION = 3
    objects = [(f"{n:064x}", 1) for n in range(4)]
    answer = _batch(hub_url, alice_token, "alice/many", objects)
    assert answer.status_code == 400 and "At most 3 objects" in answer.json()["error"]


def test_readable_blobs_in_one_query(alice, bob, publish, django_assert_max_num_queries):
    files = {f"f{n}.bin": f"bytes {n}".encode() for n in range(30)}
    publish(model_create(user=alice, name="open"), files)
    hidden = {"h.bin": b"hidden bytes"}
    publish(model_create(user=alice, name="closed", private=True), hidden)
    oids = [sha(data) for data in files.values()] + [sha(b"hidden bytes"), "f" * 64]
    with django_assert_max_num_queries(3):  # the user's namespaces, memberships, the blobs
        readable = lfs_blobs_readable(user=bob, oids=oids)
    assert readable == {sha(data): len(data) for data in files.values()}
    assert sha(b"hidden bytes") in lfs_blobs_readable(user=alice, oids=oids)


def _stage(user, data: bytes) -> Path:
    return lfs_stage(user_id=user.pk, oid=sha(data), size=len(data), stream=io.BytesIO(data))


def test_leftovers_go_once_the_users_uploads_are_quiet(hf, alice, bob, isolated_storage, settings):
    settings.HUB_LFS_STAGING_SECONDS = 600
    hf.create_repo("alice/left")
    old = CommitOperationAdd(path_in_repo="old.bin", path_or_fileobj=b"sent, never committed")
    hf.preupload_lfs_files("alice/left", additions=[old])  # batch + PUT, no commit
    [leftover] = staged(isolated_storage)
    age(leftover, 3600)
    fresh = _stage(alice, b"a parallel upload of alice's, not committed yet")
    bobs = _stage(bob, b"bob's old leftover")
    age(bobs, 3600)

    hf.upload_file(path_or_fileobj=b"1", path_in_repo="a.txt", repo_id="alice/left")
    # A commit ended, but alice's folder is busy (the fresh object): nothing of hers goes,
    # and other users' folders are not this commit's business.
    assert staged(isolated_storage) == sorted([leftover, fresh, bobs])

    age(fresh, 3600)  # the parallel upload went quiet (or was abandoned)
    hf.upload_file(path_or_fileobj=b"2", path_in_repo="a.txt", repo_id="alice/left")
    assert staged(isolated_storage) == [bobs]
    assert lfs_staging_sweep() == 1  # the beat task's sweep takes bob's
    assert staged(isolated_storage) == []


def test_a_long_upload_keeps_what_it_sent_first(alice, isolated_storage, settings):
    settings.HUB_LFS_STAGING_SECONDS = 600
    first = _stage(alice, b"sent at the start of a long upload")
    age(first, 3600)
    part = lfs_user_dir(alice.pk) / ".part-still-writing"  # a PUT in progress
    part.write_bytes(b"...")
    assert lfs_staging_sweep() == 0
    age(part, 3600)  # the PUT stalled for the whole grace
    assert lfs_staging_sweep() == 2
    assert staged(isolated_storage) == []
    # A commit in flight keeps its temps whatever the grace; a killed one's go after a day.
    running, killed = lfs_commit_temp_dir() / ".inline-a", lfs_commit_temp_dir() / ".inline-b"
    running.write_bytes(b"a")
    killed.write_bytes(b"b")
    age(running, 3600)
    age(killed, 2 * 86400)
    assert lfs_staging_sweep() == 1 and staged(isolated_storage) == [running]


def test_a_sweep_during_a_commit_takes_nothing_it_uses(alice, isolated_storage):
    model = model_create(user=alice, name="slow")
    data = safetensors_bytes({"x": np.arange(1000, dtype=np.float32)})
    _stage(alice, data)
    with HubCommit(model=model, user=alice) as commit:
        commit.add({"key": "header", "value": {"summary": "slow"}})
        oid = sha(data)
        line = {"path": "x.safetensors", "algo": "sha256", "oid": oid, "size": len(data)}
        commit.add({"key": "lfsFile", "value": line})
        assert lfs_staging_sweep(max_age=0) == 1  # the staged name goes mid-commit ...
        version = commit.publish()  # ... the commit still has the bytes
    assert version.files.get().blob_id == sha(data)
    assert blob_local_path(sha(data)).read_bytes() == data
    assert staged(isolated_storage) == []  # and its temps are gone


@pytest.mark.s3
def test_a_commit_reuses_a_blob_stored_on_s3(alice, publish, s3_blobs, tmp_path, settings):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    data = safetensors_bytes({"x": np.arange(1000, dtype=np.float32)})
    publish(model_create(user=alice, name="on-s3"), {"x.safetensors": data})
    target = model_create(user=alice, name="reuse")
    with HubCommit(model=target, user=alice) as commit:
        line = {"path": "w/x.safetensors", "algo": "sha256", "oid": sha(data), "size": len(data)}
        commit.add({"key": "lfsFile", "value": line})
        version = commit.publish()
    assert version.files.get().blob_id == sha(data)
    assert len(s3_blobs.list_objects_v2(Bucket="hub-ops-blobs")["Contents"]) == 1  # no copy
    temps = tmp_path / "upload-tmp" / "lfs"
    assert not [p for p in temps.rglob("*") if p.is_file()]  # the scan's local copy is gone
