"""Garbage collection of stored bytes (`manage.py blobs_gc`, the `blobs_gc` beat task) on the
local blob store: what it deletes, what it must keep."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Blob, Model, blob_storage_name
from catalog.services.blob_gc import blobs_collect
from catalog.tasks import blobs_gc
from tests.helpers import create_model, upload

pytestmark = pytest.mark.django_db


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored(storage_dir, data: bytes):
    return storage_dir / blob_storage_name(sha(data))


def age_blobs(days: float = 2) -> None:
    Blob.objects.update(last_seen_at=timezone.now() - timedelta(days=days))


def publish(api, name: str, files: list[tuple[str, bytes]]) -> None:
    create_model(api, name)
    assert upload(api, f"alice/{name}", files).status_code == 201


def test_bytes_of_a_deleted_model_go_once_unused_for_the_grace_period(api, isolated_storage):
    kept, dropped = b"kept weights" * 100, b"dropped weights" * 100
    publish(api, "stays", [("w.raw", kept)])
    publish(api, "goes", [("w.raw", kept), ("extra.raw", dropped)])
    assert api.delete("/api/models/alice/goes").status_code == 204
    blobs = isolated_storage["blobs"]

    assert blobs_collect(grace_seconds=3600).blobs == []  # too recent: kept
    age_blobs()
    collected = blobs_collect(grace_seconds=3600)
    assert collected.blobs == [sha(dropped)] and collected.bytes_freed == len(dropped)
    assert not stored(blobs, dropped).exists() and stored(blobs, kept).exists()
    assert set(Blob.objects.values_list("sha256", flat=True)) == {sha(kept)}


def test_forks_keep_the_bytes_of_a_deleted_original(api, isolated_storage):
    data = b"shared bytes" * 100
    publish(api, "original", [("w.raw", data)])
    response = api.post(
        "/api/models/alice/original/duplicate", {"repository": "alice/copy"}, format="json"
    )
    assert response.status_code == 200, response.content  # the Hub's duplicate answers 200
    assert Model.objects.filter(name="copy").exists()
    assert api.delete("/api/models/alice/original").status_code == 204
    age_blobs()
    assert blobs_collect(grace_seconds=0).blobs == []
    assert stored(isolated_storage["blobs"], data).exists()


def test_reuse_within_the_grace_period_spares_and_rewrites(api, isolated_storage):
    data = b"comes back" * 100
    publish(api, "first", [("w.raw", data)])
    api.delete("/api/models/alice/first")
    age_blobs()
    publish(api, "second", [("w.raw", data)])  # reuses the stored bytes: touches the blob
    assert blobs_collect(grace_seconds=3600).blobs == []

    api.delete("/api/models/alice/second")
    age_blobs()
    assert blobs_collect(grace_seconds=3600).blobs == [sha(data)]
    publish(api, "third", [("w.raw", data)])  # gone: written again
    assert stored(isolated_storage["blobs"], data).read_bytes() == data


def test_orphaned_objects_go_only_when_old(isolated_storage):
    blobs = isolated_storage["blobs"]
    data = b"left by a failed publish"
    path = stored(blobs, data)
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    assert blobs_collect(grace_seconds=3600).orphans == []  # may be a publish in flight
    old = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(path, (old, old))
    assert blobs_collect(grace_seconds=3600, dry_run=True).orphans == [blob_storage_name(sha(data))]
    assert path.exists()  # dry run
    assert blobs_gc() == 1 and not path.exists()  # the beat task, default grace (1 day)


def test_datasets_keep_their_bytes(api, isolated_storage, alice):
    from catalog.blobs import stage_local_file
    from catalog.services.datasets import dataset_create

    csv = isolated_storage["temp"] / "data.csv"
    csv.write_text("text,label\n" + "".join(f"row {i},{i % 2}\n" for i in range(40)))
    dataset_create(
        owner=alice, staged=stage_local_file("data.csv", csv), adapter_key="text-classification"
    )
    age_blobs()
    assert blobs_collect(grace_seconds=0).blobs == []


def test_command_reports_what_it_deleted(api, isolated_storage):
    publish(api, "temp", [("w.raw", b"x" * 1000)])
    api.delete("/api/models/alice/temp")
    age_blobs()
    out = io.StringIO()
    call_command("blobs_gc", "--dry-run", stdout=out)
    assert "Would delete 1 unreferenced blob(s)" in out.getvalue()
    call_command("blobs_gc", stdout=out)
    assert "Deleted 1 unreferenced blob(s) and 0 orphaned object(s): 1,000 bytes." in out.getvalue()
    assert not Blob.objects.exists()


def test_an_empty_store_is_fine(isolated_storage):
    assert blobs_collect(grace_seconds=0).blobs == []
