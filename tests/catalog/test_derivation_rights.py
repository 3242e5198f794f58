"""Forks and fine-tunes republish their source's bytes, so they need the rights publishing
those bytes would: a private model's derivatives stay private in its own namespace unless an
admin of that namespace makes them; rights are checked again when a queued job starts and when
it publishes; and the source's audit log names every derivation."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from catalog.errors import Forbidden
from catalog.finetune.jobs import finetune_submit
from catalog.finetune.publish import finetune_publish
from catalog.finetune.run import finetune_execute
from catalog.models import AuditEvent, Blob, Dataset, FineTuneJob, Model
from catalog.services.forks import model_fork
from catalog.services.models import model_create
from catalog.services.namespaces import namespace_for_user
from catalog.services.orgs import member_remove, member_set, org_create
from tests.standard_models import bert_classifier, files_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(alice, bob, make_user):
    org = org_create(user=alice, name="acme")
    member_set(actor=alice, org=org, username=bob.username, role="write")
    carol = make_user("carol")
    member_set(actor=alice, org=org, username=carol.username, role="read")
    return org


@pytest.fixture
def secret(alice, acme, publish, tmp_path: Path):
    """A private org model a text adapter accepts (tiny BERT classifier)."""
    model = model_create(user=alice, name="secret", namespace=acme, private=True)
    folder = bert_classifier(tmp_path / "bert")
    publish(model, {path: (folder / path).read_bytes() for path in files_in(folder)})
    return model


def latest(model: Model):
    return model.versions.order_by("-number").first()


def test_writer_forks_of_a_private_model_stay_private_in_its_namespace(bob, acme, secret):
    own = namespace_for_user(user=bob)
    with pytest.raises(Forbidden, match="copies of it stay in acme"):
        model_fork(user=bob, source=latest(secret), namespace=own, name="mine")
    with pytest.raises(Forbidden, match="must be private too"):
        model_fork(user=bob, source=latest(secret), namespace=acme, name="open", private=False)
    fork = model_fork(user=bob, source=latest(secret), namespace=acme, name="copy")
    assert fork.private and fork.namespace == acme
    assert Model.objects.filter(name__in=["mine", "open"]).count() == 0


def reader():
    return get_user_model().objects.get(username="carol")  # made by the `acme` fixture


def test_readers_cannot_fork_and_admins_decide(alice, acme, secret):
    with pytest.raises(Forbidden, match="cannot create models in acme"):
        model_fork(user=reader(), source=latest(secret), namespace=acme, name="copy")
    public = model_fork(
        user=alice,
        source=latest(secret),
        namespace=namespace_for_user(user=alice),
        name="released",
        private=False,
    )
    assert not public.private


def test_forks_are_in_the_source_audit_log(bob, acme, secret):
    model_fork(user=bob, source=latest(secret), namespace=acme, name="copy")
    event = AuditEvent.objects.get(model=secret, action="model.forked")
    assert event.actor == bob and event.details["derived"] == "acme/copy"


def make_dataset(user) -> Dataset:
    blob, _ = Blob.objects.get_or_create(sha256="d" * 64, defaults={"size": 10})
    return Dataset.objects.create(
        owner=user,
        name="reviews.csv",
        blob=blob,
        kind="text",
        format="csv",
        summary={"adapter": "text-classification", "rows": 10, "classes": ["a", "b"]},
    )


def submit(user, secret, **kwargs) -> FineTuneJob:
    return finetune_submit(
        user=user,
        base_version=latest(secret),
        dataset=make_dataset(user),
        adapter_key="text-classification",
        params={"strategy": "head-only", "epochs": 1},
        **kwargs,
    )


def test_finetunes_of_a_private_model_follow_the_fork_rules(bob, acme, secret):
    with pytest.raises(Forbidden, match="copies of it stay in acme"):
        submit(bob, secret, target_private=True)
    job = submit(bob, secret, publish_to_base=True)  # a new version of the private model
    assert job.target_model == secret


def test_reader_cannot_finetune_a_private_org_model(acme, secret):
    with pytest.raises(Forbidden):
        submit(reader(), secret, target_private=True)


def test_a_queued_job_fails_when_its_owner_loses_access(alice, make_user, acme, secret):
    dave = make_user("dave")
    member_set(actor=alice, org=acme, username=dave.username, role="admin")
    job = submit(dave, secret, target_name="leak", target_private=False)  # an admin may
    member_remove(actor=alice, org=acme, username=dave.username)

    finetune_execute(str(job.pk))  # the worker's entry point: refused before any training

    job.refresh_from_db()
    assert job.status == FineTuneJob.Status.FAILED
    assert "no longer have access to acme/secret" in job.error
    assert not Model.objects.filter(name="leak").exists()


def test_publish_rechecks_rights_after_training(alice, make_user, acme, secret):
    dave = make_user("dave")
    member_set(actor=alice, org=acme, username=dave.username, role="admin")
    job = submit(dave, secret, target_name="leak", target_private=False)
    member_set(actor=alice, org=acme, username=dave.username, role="write")  # demoted
    with pytest.raises(Forbidden, match="copies of it stay in acme"):
        finetune_publish(job_id=job.pk, staged=[], metrics={}, training={}, layout={})
    assert not Model.objects.filter(name="leak").exists()
