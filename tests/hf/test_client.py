"""Reads with the real huggingface_hub client over real HTTP: model_info, list_models, trees,
refs, hf_hub_download (headers, errors, resume), snapshot_download (and its cache), privacy."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from huggingface_hub import HfApi, constants, get_hf_file_metadata, hf_hub_download, hf_hub_url
from huggingface_hub import snapshot_download as hf_snapshot_download
from huggingface_hub.errors import (
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from safetensors.numpy import save as safetensors_bytes

from catalog.models import Model, Namespace
from catalog.services.tokens import token_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # huggingface_hub's own LFS PUT passes a file object as `data=`: httpx2 warns about it.
    pytest.mark.filterwarnings("ignore:Use 'content=:DeprecationWarning"),
]

CONFIG = b'{"model_type": "tiny", "hidden_size": 4}'
WEIGHTS = safetensors_bytes({"w": np.arange(60_000, dtype=np.float32)})  # ~240 kB


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def tiny(make_model, publish):
    """alice/tiny: v1 (config + weights), v2 (adds nested files)."""
    model = make_model("tiny", task="text-classification", license="mit", tags=["demo"])
    v1 = publish(model, {"config.json": CONFIG, "model.safetensors": WEIGHTS})
    v2 = publish(model, {"weights/extra.bin": b"\x01" * 300, "weights/deep/note.txt": b"n"})
    return model, v1, v2


def test_model_info_main_and_pinned_revisions(hf, tiny):
    _, v1, v2 = tiny
    info = hf.model_info("alice/tiny")
    assert info.id == "alice/tiny" and info.sha == v2.revision
    assert info.pipeline_tag == "text-classification"
    assert info.card_data.license == "mit"
    lfs = {s.rfilename: s.lfs.sha256 for s in info.siblings if s.lfs}  # weights only
    assert lfs == {"model.safetensors": sha(WEIGHTS), "weights/extra.bin": sha(b"\x01" * 300)}
    for revision in ("v1", v1.revision, "refs/tags/v1"):
        pinned = hf.model_info("alice/tiny", revision=revision)
        assert pinned.sha == v1.revision
        assert sorted(s.rfilename for s in pinned.siblings) == ["config.json", "model.safetensors"]
    assert hf.model_info("alice/tiny", revision="refs/heads/main").sha == v2.revision


def test_errors_reach_the_client_as_the_hub_sends_them(hf, hub_url, tiny):
    with pytest.raises(RepositoryNotFoundError):
        hf.model_info("alice/missing")
    with pytest.raises(RevisionNotFoundError):
        hf.model_info("alice/tiny", revision="v9")
    with pytest.raises(RevisionNotFoundError):
        hf.model_info("alice/tiny", revision="refs/pr/1")
    with pytest.raises(HfHubHTTPError) as bad_token:
        HfApi(endpoint=hub_url, token="hub_not-a-token").model_info("alice/tiny")
    assert bad_token.value.response.status_code == 401
    assert not isinstance(bad_token.value, RepositoryNotFoundError)


def test_private_models_stay_private(hub_url, anon_hf, make_model, make_user, publish, alice_token):
    secret = make_model("secret", private=True)
    publish(secret, {"config.json": CONFIG})
    bob_token = token_create(user=make_user("bob"), name="t")[1]
    bob = HfApi(endpoint=hub_url, token=bob_token)
    for client in (anon_hf, bob):
        with pytest.raises(RepositoryNotFoundError):
            client.model_info("alice/secret")
        with pytest.raises(RepositoryNotFoundError):
            client.list_repo_refs("alice/secret")
        with pytest.raises(RepositoryNotFoundError):
            client.list_repo_files("alice/secret")
        assert "alice/secret" not in [m.id for m in client.list_models(author="alice")]
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download("alice/secret", "config.json", endpoint=hub_url, token=bob_token)
    alice = HfApi(endpoint=hub_url, token=alice_token)
    assert alice.model_info("alice/secret").private is True
    assert "alice/secret" in [m.id for m in alice.list_models(author="alice")]
    path = hf_hub_download("alice/secret", "config.json", endpoint=hub_url, token=alice_token)
    assert Path(path).read_bytes() == CONFIG


def test_list_models_search_filter_sort_limit(anon_hf, make_model):
    for name, task, license_, downloads in (
        ("bert-news", "text-classification", "mit", 5),
        ("bert-legal", "fill-mask", "apache-2.0", 50),
        ("vision", "image-classification", "mit", 10),
    ):
        make_model(name, task=task, license=license_)
        Model.objects.filter(name=name).update(downloads=downloads)

    def ids(**kwargs) -> list[str]:
        return [m.id for m in anon_hf.list_models(author="alice", **kwargs)]

    assert sorted(ids(search="bert")) == ["alice/bert-legal", "alice/bert-news"]
    assert ids(filter="text-classification") == ["alice/bert-news"]
    assert sorted(ids(filter="license:mit")) == ["alice/bert-news", "alice/vision"]
    assert ids(sort="downloads") == ["alice/bert-legal", "alice/vision", "alice/bert-news"]
    assert ids(sort="created_at")[0] == "alice/vision"
    assert len(ids(sort="last_modified", limit=2)) == 2


def test_list_models_follows_link_pagination(anon_hf, make_user):
    bulk = make_user("bulk")
    namespace = Namespace.objects.get(name="bulk")
    Model.objects.bulk_create(
        Model(namespace=namespace, name=f"m{i:02d}", created_by=bulk) for i in range(55)
    )
    listed = [m.id for m in anon_hf.list_models(author="bulk")]  # server pages hold 50
    assert len(listed) == 55 and len(set(listed)) == 55


def test_list_repo_files_and_tree(anon_hf, tiny):
    _, v1, _ = tiny
    assert sorted(anon_hf.list_repo_files("alice/tiny")) == [
        "config.json",
        "model.safetensors",
        "weights/deep/note.txt",
        "weights/extra.bin",
    ]
    assert sorted(anon_hf.list_repo_files("alice/tiny", revision=v1.revision)) == [
        "config.json",
        "model.safetensors",
    ]
    top = {e.path: type(e).__name__ for e in anon_hf.list_repo_tree("alice/tiny")}
    assert top == {
        "config.json": "RepoFile",
        "model.safetensors": "RepoFile",
        "weights": "RepoFolder",
    }
    inside = {e.path: e for e in anon_hf.list_repo_tree("alice/tiny", path_in_repo="weights")}
    assert set(inside) == {"weights/deep", "weights/extra.bin"}
    assert inside["weights/extra.bin"].size == 300
    assert inside["weights/extra.bin"].lfs.sha256 == sha(b"\x01" * 300)
    everything = [e.path for e in anon_hf.list_repo_tree("alice/tiny", recursive=True)]
    assert "weights/deep" in everything and "weights/deep/note.txt" in everything
    with pytest.raises(RemoteEntryNotFoundError):
        list(anon_hf.list_repo_tree("alice/tiny", path_in_repo="nope"))
    with pytest.raises(RevisionNotFoundError):
        anon_hf.list_repo_files("alice/tiny", revision="v7")


def test_list_repo_refs_main_and_one_tag_per_version(anon_hf, tiny):
    _, v1, v2 = tiny
    refs = anon_hf.list_repo_refs("alice/tiny")
    assert [(b.name, b.ref, b.target_commit) for b in refs.branches] == [
        ("main", "refs/heads/main", v2.revision)
    ]
    assert [(t.name, t.ref, t.target_commit) for t in refs.tags] == [
        ("v1", "refs/tags/v1", v1.revision),
        ("v2", "refs/tags/v2", v2.revision),
    ]


def test_hf_hub_download_headers_and_errors(hub_url, tiny, hf_home):
    _, v1, v2 = tiny
    path = hf_hub_download("alice/tiny", "model.safetensors", endpoint=hub_url, token=False)
    assert Path(path).read_bytes() == WEIGHTS
    assert f"snapshots/{v2.revision}/" in path  # cached under the commit the hub announced
    url = hf_hub_url("alice/tiny", "model.safetensors", revision="v1", endpoint=hub_url)
    meta = get_hf_file_metadata(url, token=False)
    assert meta.etag == sha(WEIGHTS)  # X-Linked-Etag / ETag = sha256
    assert meta.size == len(WEIGHTS)  # X-Linked-Size
    assert meta.commit_hash == v1.revision  # X-Repo-Commit = the 40-hex revision
    pinned = hf_hub_download(
        "alice/tiny", "config.json", revision="refs/tags/v1", endpoint=hub_url, token=False
    )
    assert Path(pinned).read_bytes() == CONFIG
    with pytest.raises(RemoteEntryNotFoundError):
        hf_hub_download("alice/tiny", "missing.txt", endpoint=hub_url, token=False)
    assert (
        hf_home / "hub" / "models--alice--tiny" / ".no_exist" / v2.revision / "missing.txt"
    ).exists()
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download("alice/tiny", "config.json", revision="v5", endpoint=hub_url, token=False)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download("alice/none", "config.json", endpoint=hub_url, token=False)


def test_interrupted_download_resumes_with_range(make_model, publish, proxy, hf_home):
    # The client writes what it received in 10 MiB chunks and resumes after the last one.
    chunk = constants.DOWNLOAD_CHUNK_SIZE
    big = bytes(range(256)) * ((chunk + 1024 * 1024) // 256)
    publish(make_model("big"), {"big.bin": big})
    proxy.cut = ("/big.bin", chunk + 4096)  # the first GET dies a little after one chunk
    path = hf_hub_download("alice/big", "big.bin", endpoint=proxy.url, token=False)
    assert Path(path).read_bytes() == big
    gets = [e for e in proxy.requests(path_contains="/resolve/") if e.method == "GET"]
    assert [(e.range, e.status) for e in gets] == [(None, 200), (f"bytes={chunk}-", 206)]


def test_snapshot_download_pinned_and_main_then_from_cache(tiny, proxy, hf_home):
    _, v1, v2 = tiny
    folder = Path(hf_snapshot_download("alice/tiny", revision=v1.revision, endpoint=proxy.url))
    assert folder.name == v1.revision
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]
    assert (folder / "model.safetensors").read_bytes() == WEIGHTS
    before = len(proxy.log)
    assert (
        Path(hf_snapshot_download("alice/tiny", revision=v1.revision, endpoint=proxy.url)) == folder
    )
    assert len(proxy.log) == before  # a pinned snapshot in the cache: not one request

    main = Path(hf_snapshot_download("alice/tiny", endpoint=proxy.url))
    assert (
        main.name == v2.revision and (main / "weights" / "deep" / "note.txt").read_bytes() == b"n"
    )
    before = len(proxy.log)
    assert Path(hf_snapshot_download("alice/tiny", endpoint=proxy.url)) == main
    again = proxy.log[before:]
    # main is resolved once (model_info); no listing, no file is fetched again.
    assert [e.path for e in again] == ["/api/models/alice/tiny/revision/main"]
