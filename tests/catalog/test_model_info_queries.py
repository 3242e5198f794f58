"""Model info costs a fixed number of queries, whatever the number of versions and the depth
of lineage: the ancestors come from one recursive query (catalog/lineage.py), no ancestor's
card is read, and files, aliases and authors come in one query each. The same count for a
model with one version and for one with 20 versions whose lineage crosses 10 models (forks of
forks and fine-tune-like children), for an anonymous viewer and for the owner, who also sees
the private ancestors. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from catalog.models import Model, Version
from catalog.services.aliases import alias_set
from catalog.services.forks import model_fork
from catalog.services.models import model_create
from catalog.services.namespaces import namespace_for_user
from catalog.services.versions import OnHead

pytestmark = pytest.mark.django_db

DEPTH = 10  # models in the chain above the deep model: root, fork-1, tuned-2 ... fork-9
PRIVATE_STEPS = (4, 7)  # tuned-4 and fork-7 are private
VERSIONS = 20
# Per request: the model, the version with its author, the ancestors, the base names in
# the versions' metadata, the files, the aliases, the check of names that may be hidden
# (2, when there are any) and of the old names of hidden models (when there are any); the
# owner adds the token and her namespaces (2); and the state that keys the answer cache
# (catalog/info_cache.py: these tests measure building the answer, so the cache starts empty
# for each request; a cached answer costs that one query). The same for any number of
# versions and any depth of lineage.
MAX_QUERIES = {"anonymous": 10, "owner": 13}
ANCESTOR_CARD = "The card of an ancestor, never read for model info. " + "x" * 20_000
PATHS = (
    "/api/models/alice/single",
    "/api/models/alice/deep",
    "/api/models/alice/deep/revision/v1",
    "/api/models/alice/deep/revision/v10",
    "/api/models/alice/deep/revision/stable",
)


def files(tag: str) -> dict[str, bytes]:
    return {
        "README.md": f"---\nlicense: mit\n---\n# {tag}\n".encode(),
        "config.json": b'{"model_type": "bert"}',
        f"weights-{tag}.raw": tag.encode() * 8,
    }


@pytest.fixture
def world(alice, publish) -> dict[str, Model]:
    """alice/root <- fork-1 <- tuned-2 <- fork-3 ... <- fork-9 <- alice/deep v1 <- v2 ... v20,
    and alice/single: one version, no parent."""
    own = namespace_for_user(user=alice)
    head = publish(model_create(user=alice, name="root"), files("root"))
    chain = ["root"]
    for step in range(1, DEPTH):
        private = step in PRIVATE_STEPS
        if step % 2:
            name = f"fork-{step}"
            model = model_fork(user=alice, source=head, namespace=own, name=name, private=private)
            head = model.versions.get()
        else:
            name = f"tuned-{step}"
            model = model_create(user=alice, name=name, private=private)
            head = publish(model, files(name), parent=head, origin=Version.Origin.FINETUNE)
        chain.append(name)
    Model.objects.filter(name__in=chain).update(card=ANCESTOR_CARD)
    deep = model_create(user=alice, name="deep")
    version = publish(deep, files("d1"), parent=head, origin=Version.Origin.FINETUNE)
    for number in range(2, VERSIONS + 1):
        version = publish(deep, {f"file-{number}.txt": b"v%d" % number}, on_head=OnHead.ADD)
    alias_set(model=deep, name="stable", version=deep.versions.get(number=10))
    alias_set(model=deep, name="latest", version=version)
    single = model_create(user=alice, name="single")
    publish(single, files("s1"))
    # Names for the hidden-name checks: private ones, so both models need every check.
    Model.objects.filter(pk=deep.pk).update(tags=["base_model:alice/fork-7"])
    Model.objects.filter(pk=single.pk).update(tags=["base_model:alice/tuned-4"])
    return {"deep": deep, "chain": chain}


def viewers(alice_token: str) -> dict[str, APIClient]:
    owner = APIClient()
    owner.credentials(HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    owner.get("/api/whoami-v2")  # the token's once-a-minute last-used stamp, out of the way
    return {"anonymous": APIClient(), "owner": owner}


def test_model_info_costs_the_same_queries_for_any_history(
    world, alice_token, django_assert_max_num_queries
):
    for viewer, client in viewers(alice_token).items():
        counts = {}
        for path in PATHS:
            cache.clear()
            with django_assert_max_num_queries(MAX_QUERIES[viewer]) as captured:
                response = client.get(path)
            assert response.status_code == 200, response.content
            counts[path] = len(captured)
            # Only the model's own card is read, never an ancestor's.
            reads = [q["sql"] for q in captured.captured_queries if '"card"' in q["sql"]]
            assert len(reads) == 1, (viewer, path, reads)
        assert len(set(counts.values())) == 1, (viewer, counts)


def test_versions_and_page_cost_the_same_for_any_history(
    world, alice_token, django_assert_max_num_queries
):
    for viewer, client in viewers(alice_token).items():
        counts = set()
        for name in ("single", "deep"):
            with django_assert_max_num_queries(MAX_QUERIES[viewer]) as captured:
                assert client.get(f"/api/models/alice/{name}/versions").status_code == 200
            counts.add(len(captured))
        assert len(counts) == 1
    page = Client()
    counts = set()
    for name in ("single", "deep"):
        with django_assert_max_num_queries(30) as captured:
            assert page.get(f"/alice/{name}").status_code == 200
        counts.add(len(captured))
    assert len(counts) == 1


def test_lineage_crosses_models_and_stops_at_a_private_one(world, alice_token):
    clients = viewers(alice_token)
    chain = world["chain"]  # root first
    owner = clients["owner"].get("/api/models/alice/deep/revision/v1").json()
    assert [ref["id"] for ref in owner["lineage"]] == [f"alice/{n}" for n in reversed(chain)]
    assert owner["parent"] == owner["lineage"][0]
    anonymous = clients["anonymous"].get("/api/models/alice/deep/revision/v1")
    lineage = anonymous.json()["lineage"]
    hidden = {"id": None, "version": None, "sha": None, "private": True}
    assert lineage == [*owner["lineage"][:2], hidden]  # fork-9, tuned-8, then fork-7: private
    text = anonymous.content.decode()
    assert "fork-7" not in text and "tuned-4" not in text
    latest = clients["owner"].get("/api/models/alice/deep").json()
    assert "base_model:alice/fork-7" in latest["tags"]
    assert [ref["version"] for ref in latest["lineage"]] == [*range(VERSIONS - 1, 0, -1), 1]
    assert latest["aliases"] == {"latest": VERSIONS, "stable": 10}
    assert latest["version"]["author"] == "alice" and latest["version"]["number"] == VERSIONS
    assert "versions" not in latest  # the history is GET .../versions
    history = clients["owner"].get("/api/models/alice/deep/versions").json()
    assert [v["number"] for v in history] == list(range(VERSIONS, 0, -1))
    assert history[-1]["parent"]["id"] == "alice/fork-9"


def test_a_private_base_named_only_by_an_older_version_stays_hidden(alice, bob, publish):
    """The names in every version's metadata count, not only the described one's."""
    model_create(user=alice, name="secret-base", private=True)
    adapter = model_create(user=alice, name="adapter", card="Adapter of alice/secret-base.")
    publish(adapter, {"a.txt": b"1"}, metadata={"format": {"peft_base": "alice/secret-base"}})
    publish(adapter, {"b.txt": b"2"}, on_head=OnHead.ADD)
    client = APIClient()
    client.force_authenticate(bob)
    body = client.get("/api/models/alice/adapter").json()
    assert body["card"] == "Adapter of a private model."
    client.force_authenticate(alice)
    assert client.get("/api/models/alice/adapter").json()["card"] == adapter.card
