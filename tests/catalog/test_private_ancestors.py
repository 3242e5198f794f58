"""A private ancestor is shown to those who may not see it as "a private model": no name,
revision or card text in the API, on pages, in derived cards, tags, config files, search
filters, facets and spelling fixes. Its owner still sees every link."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from rest_framework.test import APIClient

from adapters.classify import card
from adapters.evaluation import classification_report
from catalog.blobs import blob_open, stage_local_file
from catalog.finetune.publish import base_repo_for_files, finetune_publish
from catalog.models import Blob, Dataset, FineTuneJob, Model, Version
from catalog.search.params import search_query
from catalog.services.forks import model_fork
from catalog.services.models import model_create, model_update
from catalog.services.namespaces import namespace_for_user
from tests.catalog.test_search_engine import engine, osmem_server, plain_json_proxy  # noqa: F401

pytestmark = pytest.mark.django_db

SECRET = "quokkavault"  # a word found in no other name
BASE_CARD = "Internal notes: the zebraomega project."


@pytest.fixture
def base(alice, publish) -> Version:
    model = model_create(user=alice, name=SECRET, private=True, card=BASE_CARD)
    readme = f"---\nlicense: mit\n---\n{BASE_CARD}\n".encode()
    return publish(model, {"README.md": readme, "config.json": b'{"model_type": "bert"}'})


@pytest.fixture
def derived(alice, base, publish) -> dict[str, Model]:
    """Public derivatives of the private base: a fork, and an upload whose card names it
    (linked: its owner may see it). Both written as older hubs did, naming the base."""
    own = namespace_for_user(user=alice)
    fork = model_fork(user=alice, source=base, namespace=own, name="open-fork", private=False)
    model_update(model=fork, actor=alice, card="A fork anyone may use.")
    fork.versions.update(message=f"Forked from alice/{SECRET}@v{base.number}")
    tuned = model_create(user=alice, name="tuned", private=False)
    front = f"---\nbase_model: alice/{SECRET}\nbase_model_relation: finetune\n---\n"
    body = f"Fine-tuned from `alice/{SECRET}` (revision `{base.revision[:12]}`)."
    publish(tuned, {"README.md": (front + body).encode(), "config.json": b"{}"})
    Model.objects.filter(pk=tuned.pk).update(tags=["fine-tuned", f"base_model:alice/{SECRET}"])
    tuned.refresh_from_db()
    assert tuned.base_model == f"alice/{SECRET}" and SECRET in tuned.card
    return {"fork": fork, "tuned": tuned}


def as_user(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def leaks(text: str, base: Version) -> list[str]:
    return [s for s in (SECRET, base.revision, base.revision[:12], "zebraomega") if s in text]


@pytest.mark.parametrize("viewer", ["anonymous", "bob"])
def test_api_shows_a_private_parent_as_a_private_model(request, viewer, base, derived):
    client = as_user(None if viewer == "anonymous" else request.getfixturevalue("bob"))
    hidden = {"id": None, "version": None, "sha": None, "private": True}
    for name in ("open-fork", "tuned"):
        info = client.get(f"/api/models/alice/{name}")
        assert info.status_code == 200
        body = info.json()
        assert body["parent"] == hidden and body["lineage"] == [hidden]
        versions = client.get(f"/api/models/alice/{name}/versions")
        assert versions.json()[0]["parent"] == hidden
        pinned = client.get(f"/api/models/alice/{name}/revision/{body['sha']}")
        listed = client.get("/api/models", {"author": "alice"})
        for response in (info, versions, pinned, listed):
            assert leaks(response.content.decode(), base) == []
    metadata = client.get("/api/models/alice/tuned").json()["metadata"]
    assert metadata["base_model"] is None and metadata["base_model_relation"] == "finetune"


def test_the_owner_sees_the_private_parent(alice, base, derived):
    client = as_user(alice)
    body = client.get("/api/models/alice/tuned").json()
    assert body["parent"] == {"id": f"alice/{SECRET}", "version": 1, "sha": base.revision}
    assert f"base_model:alice/{SECRET}" in body["tags"] and SECRET in body["card"]
    fork = client.get("/api/models/alice/open-fork/versions").json()
    assert fork[0]["message"] == f"Forked from alice/{SECRET}@v1"


@pytest.mark.parametrize("viewer", ["anonymous", "bob"])
def test_pages_show_a_private_model(request, viewer, base, derived):
    client = Client()
    if viewer == "bob":
        client.force_login(request.getfixturevalue("bob"))
    for name in ("open-fork", "tuned"):
        page = client.get(f"/alice/{name}").content.decode()
        assert "a private model" in page
        assert leaks(page, base) == []
    assert client.get(f"/alice/{SECRET}").status_code == 404


def test_the_owner_page_names_the_base(alice, base, derived):
    client = Client()
    client.force_login(alice)
    page = client.get("/alice/open-fork").content.decode()
    assert f"alice/{SECRET}@v1" in page and "a private model" not in page


@pytest.mark.parametrize("viewer", ["anonymous", "bob"])
def test_base_model_filters_and_facets_hide_the_private_name(request, viewer, base, derived):
    client = as_user(None if viewer == "anonymous" else request.getfixturevalue("bob"))
    nowhere = client.get("/api/models", {"base_model": "alice/nothing-here"})
    for params in (
        {"base_model": f"alice/{SECRET}"},
        {"filter": f"base_model:alice/{SECRET}"},
        {"tag": f"base_model:alice/{SECRET}"},
    ):
        found = client.get("/api/models", params)
        assert found.status_code == 200 and found.json() == nowhere.json() == []
        assert found["X-Total-Count"] == "0"
    facets = client.get("/api/search/facets").json()["facets"]
    assert all(SECRET not in entry["value"] for entry in facets["base_model"])
    page = Client().get("/models").content.decode() if viewer == "anonymous" else None
    assert page is None or leaks(page, base) == []


def test_the_owner_filters_by_her_private_base(alice, base, derived):
    client = as_user(alice)
    found = client.get("/api/models", {"base_model": f"alice/{SECRET}"}).json()
    assert sorted(m["id"] for m in found) == ["alice/open-fork", "alice/tuned"]
    facets = client.get("/api/search/facets").json()["facets"]["base_model"]
    assert {"value": f"alice/{SECRET}", "count": 2} in facets


def test_spelling_fixes_come_only_from_names_the_user_may_see(alice, bob, base, publish):
    # A near public name: anyone mistyping the private word is sent there, exactly as if
    # the private model did not exist; a private word is never "known" to strangers.
    near = model_create(user=bob, name="quokkavaunt", private=False)
    publish(near, {"config.json": b"{}"})
    for client in (as_user(None), as_user(bob)):
        response = client.get("/api/models", {"search": SECRET})
        assert response.headers.get("X-Search-Corrected") == "quokkavaunt"
        assert [m["id"] for m in response.json()] == ["bob/quokkavaunt"]
        typo = client.get("/api/models", {"search": "quokkavaulr"})
        assert typo.headers.get("X-Search-Corrected") == "quokkavaunt"
        facets = client.get("/api/search/facets", {"search": "quokkavaulr"}).json()
        assert facets["corrected_search"] == "quokkavaunt" and SECRET not in json.dumps(facets)
    mine = as_user(alice).get("/api/models", {"search": SECRET})
    assert [m["id"] for m in mine.json()] == [f"alice/{SECRET}"]
    assert "X-Search-Corrected" not in mine.headers


def fine_tune_output(tmp_path: Path, job: FineTuneJob) -> list:
    """What an adapter writes for `job` (as adapters.classify.publish does), plus files it
    copies from the base, which older transformers saved naming where they came from."""
    repo = base_repo_for_files(job)
    info = {
        "base_id": repo["id"],
        "base_revision": repo["revision"],
        "license": repo["license"],
        "name": repo["target"],
        "relation": "adapter",
        "library": "peft",
        "task": "text-classification",
        "dataset": job.dataset.name,
        "strategy": "lora",
        "metrics": {
            "estimate": classification_report(
                [0, 1] * 5, [0, 1] * 5, ["a", "b"], procedure={"kind": "cv", "folds": 2}
            ),
            "test_set": None,
        },
        "labels": ["a", "b"],
        "storage": "A LoRA adapter.",
    }
    named = f"alice/{SECRET}"
    files = {
        "README.md": card.readme(info),
        "adapter_config.json": json.dumps(
            {"base_model_name_or_path": repo["id"], "revision": repo["revision"], "r": 8}
        ),
        "config.json": json.dumps({"_name_or_path": named, "model_type": "bert"}),
        "tokenizer_config.json": json.dumps({"name_or_path": named, "do_lower_case": True}),
    }
    out = tmp_path / "out"
    out.mkdir()
    for name, text in files.items():
        (out / name).write_text(text)
    return [stage_local_file(name, out / name) for name in files]


def finetune_job(owner, base: Version, name: str) -> FineTuneJob:
    blob = Blob.objects.create(sha256="d" * 64, size=10)
    dataset = Dataset.objects.create(
        owner=owner, name="reviews.csv", blob=blob, kind="text", format="csv", summary={}
    )
    return FineTuneJob.objects.create(
        owner=owner,
        base_version=base,
        dataset=dataset,
        adapter="text-classification",
        params={"strategy": "lora"},
        target_name=name,
        target_private=False,
    )


def publish_job(job: FineTuneJob, tmp_path: Path) -> Version:
    layout = {"relation": "adapter", "library": "peft", "pipeline_tag": "text-classification"}
    staged = fine_tune_output(tmp_path, job)
    return finetune_publish(
        job_id=job.pk, staged=staged, metrics={"accuracy": 0.9}, training={}, layout=layout
    )


def test_a_fine_tune_of_a_private_base_names_it_nowhere(alice, base, tmp_path):
    version = publish_job(finetune_job(alice, base, "public-tune"), tmp_path)
    model = version.model
    assert not model.private and version.parent == base  # the hub's own link stays
    texts = [version.message, model.card, model.summary, json.dumps(model.tags)]
    for row in version.files.all():
        with blob_open(row.blob_id) as handle:
            texts.append(handle.read().decode())
    assert [leaks(text, base) for text in texts] == [[] for _ in texts]
    readme = next(t for t in texts[4:] if t.startswith("---"))
    assert "base_model:" not in readme.split("---")[1] and "a private model" in readme
    assert "base_model_relation: adapter" in readme
    page = Client().get(f"/alice/{model.name}").content.decode()
    assert "a private model" in page and leaks(page, base) == []


def test_a_fine_tune_of_a_public_base_names_it(alice, base, tmp_path):
    Model.objects.filter(pk=base.model_id).update(private=False)
    base.refresh_from_db()
    version = publish_job(finetune_job(alice, base, "open-tune"), tmp_path)
    with blob_open(version.files.get(path="README.md").blob_id) as handle:
        readme = handle.read().decode()
    assert f"base_model: alice/{SECRET}" in readme and base.revision[:12] in readme
    adapter = version.files.get(path="adapter_config.json")
    with blob_open(adapter.blob_id) as handle:
        assert json.load(handle)["base_model_name_or_path"] == f"alice/{SECRET}"


def test_a_new_version_of_the_private_base_itself_names_it(alice, base, tmp_path):
    job = finetune_job(alice, base, "")
    FineTuneJob.objects.filter(pk=job.pk).update(target_model=base.model)
    version = publish_job(FineTuneJob.objects.get(pk=job.pk), tmp_path)
    assert version.model == base.model and version.number == 2
    with blob_open(version.files.get(path="README.md").blob_id) as handle:
        assert f"base_model: alice/{SECRET}" in handle.read().decode()


@pytest.mark.search_engine
def test_the_search_engine_hides_private_bases_too(request, alice, bob, base, derived):
    backend = request.getfixturevalue("engine")
    backend.rebuild()
    for user in (AnonymousUser(), bob):
        for params in ({"base_model": f"alice/{SECRET}"}, {"tag": f"base_model:alice/{SECRET}"}):
            assert backend.search(search_query(params, user)).total == 0
        facets = backend.search(search_query({}, user)).facets["base_model"]
        assert all(SECRET not in value for value, _ in facets)
    mine = backend.search(search_query({"base_model": f"alice/{SECRET}"}, alice))
    assert mine.total == 2 and (f"alice/{SECRET}", 2) in mine.facets["base_model"]
