"""Model info answers are cached (catalog/info_cache.py) and must never outlive what they
describe: each write below changes the answer on the very next request, for the right
viewers only. A repeated request costs one query (the state of the model)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from catalog.models import Namespace, Version
from catalog.services.aliases import alias_delete, alias_set
from catalog.services.downloads import download_record
from catalog.services.models import model_create, model_delete, model_update
from catalog.services.moves import model_move
from catalog.services.social import like_set

pytestmark = pytest.mark.django_db
HIDDEN = {"id": None, "version": None, "sha": None, "private": True}


@pytest.fixture
def chain(alice, publish):
    """alice/base v1 <- alice/child v1 (a fine-tune-like child)."""
    base = model_create(user=alice, name="base")
    base_v1 = publish(base, {"config.json": b'{"model_type": "bert"}'})
    child = model_create(user=alice, name="child", card="Tuned from alice/base.")
    publish(child, {"w.bin": b"1"}, parent=base_v1, origin=Version.Origin.FINETUNE)
    return base, child


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_repeated_request_costs_one_query(chain, django_assert_num_queries):
    client = APIClient()
    first = client.get("/api/models/alice/child").json()
    with django_assert_num_queries(1):
        again = client.get("/api/models/alice/child")
    assert again.json() == first


def test_publish_alias_like_and_download_show_at_once(chain, alice, publish):
    _, child = chain
    client = APIClient()
    before = client.get("/api/models/alice/child").json()
    v2 = publish(child, {"more.txt": b"2"})
    after = client.get("/api/models/alice/child").json()
    assert after["sha"] == v2.revision != before["sha"]
    assert {s["rfilename"] for s in after["siblings"]} == {"w.bin", "more.txt"}
    alias_set(model=child, name="stable", version=v2)
    assert client.get("/api/models/alice/child").json()["aliases"] == {"stable": 2}
    alias_set(model=child, name="stable", version=child.versions.get(number=1))
    assert client.get("/api/models/alice/child").json()["aliases"] == {"stable": 1}
    alias_delete(model=child, name="stable")
    assert client.get("/api/models/alice/child").json()["aliases"] == {}
    like_set(user=alice, model=child, liked=True)
    assert client.get("/api/models/alice/child").json()["likes"] == 1
    download_record(model=child, path="w.bin", client="test-client")
    assert client.get("/api/models/alice/child").json()["downloads"] == 1


def test_metadata_edits_show_at_once(chain, alice):
    _, child = chain
    client = APIClient()
    client.get("/api/models/alice/child")
    model_update(model=child, actor=alice, summary="A new summary", license="mit")
    body = client.get("/api/models/alice/child").json()
    assert body["summary"] == "A new summary" and body["license"] == "mit"


def test_an_ancestor_made_private_disappears_from_others_answers(chain, alice, bob):
    base, _ = chain
    anonymous, owner = APIClient(), as_user(alice)
    assert anonymous.get("/api/models/alice/child").json()["parent"]["id"] == "alice/base"
    owner.get("/api/models/alice/child")
    model_update(model=base, actor=alice, private=True)
    body = anonymous.get("/api/models/alice/child").json()
    assert body["parent"] == HIDDEN and body["card"] == "Tuned from a private model."
    assert "alice/base" not in as_user(bob).get("/api/models/alice/child").content.decode()
    assert owner.get("/api/models/alice/child").json()["parent"]["id"] == "alice/base"
    assert anonymous.get("/api/models/alice/base").status_code == 404


def test_a_private_model_is_never_served_from_its_owners_answer(alice, bob, publish):
    secret = model_create(user=alice, name="secret", private=True)
    publish(secret, {"a.txt": b"1"})
    assert as_user(alice).get("/api/models/alice/secret").status_code == 200
    assert APIClient().get("/api/models/alice/secret").status_code == 404
    assert as_user(bob).get("/api/models/alice/secret").status_code == 404
    model_update(model=secret, actor=alice, private=False)
    assert APIClient().get("/api/models/alice/secret").status_code == 200


def test_a_new_private_base_named_in_a_card_is_hidden_at_once(alice, publish):
    model = model_create(
        user=alice, name="open", card="Compare with alice/later.", tags=["base_model:alice/later"]
    )
    publish(model, {"a.txt": b"1"})
    client = APIClient()
    assert client.get("/api/models/alice/open").json()["card"] == "Compare with alice/later."
    model_create(user=alice, name="later", private=True)
    assert client.get("/api/models/alice/open").json()["card"] == "Compare with a private model."


def test_moves_and_deletes_show_at_once(chain, alice):
    base, child = chain
    client = APIClient()
    client.get("/api/models/alice/child")
    model_move(actor=alice, model=base, namespace=base.namespace, name="renamed")
    assert client.get("/api/models/alice/child").json()["parent"]["id"] == "alice/renamed"
    assert client.get("/api/models/alice/base").status_code == 307
    model_delete(actor=alice, model=child)
    assert client.get("/api/models/alice/child").status_code == 404


def test_membership_changes_what_a_viewer_sees(alice, make_user, publish):
    carol = make_user("carol")
    org = Namespace.objects.create(name="acme", kind=Namespace.Kind.ORG)
    org.members.create(user=alice, role="admin")
    secret = model_create(user=alice, name="secret", namespace=org, private=True)
    head = publish(secret, {"a.txt": b"1"})
    fork = model_create(user=alice, name="f")
    publish(fork, {"b.txt": b"2"}, parent=head, origin=Version.Origin.FINETUNE)
    assert as_user(carol).get(f"/api/models/{fork.full_name}").json()["parent"] == HIDDEN
    org.members.create(user=carol, role="read")
    carol = get_user_model().objects.get(pk=carol.pk)
    assert as_user(carol).get(f"/api/models/{fork.full_name}").json()["parent"]["id"] == (
        "acme/secret"
    )


def test_the_versions_list_is_cached_and_current(chain, publish, django_assert_num_queries):
    _, child = chain
    client = APIClient()
    assert [v["number"] for v in client.get("/api/models/alice/child/versions").json()] == [1]
    with django_assert_num_queries(1):
        client.get("/api/models/alice/child/versions")
    publish(child, {"more.txt": b"2"})
    assert [v["number"] for v in client.get("/api/models/alice/child/versions").json()] == [2, 1]
