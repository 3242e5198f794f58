"""Publishing never moves bytes inside a transaction: version_publish refuses a caller's open
atomic(), and no storage call happens while its own transaction (the model's row lock) is open.
Storage is the real FileSystemStorage, wrapped to record where each call happens."""

from __future__ import annotations

import json
import threading

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction

from catalog.blobs import stage_local_file
from catalog.models import Blob, Model, Version
from catalog.services.models import model_create
from catalog.services.versions import OnHead, PublishInTransaction, version_publish
from tests import standard_models
from tests.helpers import blob_storage_use, staged_bytes

CONFIG = {"architectures": ["BertForSequenceClassification"], "model_type": "bert"}


class RecordingStorage(FileSystemStorage):
    """A blob store that notes each call and whether a transaction was open at the time."""

    calls: list[tuple[str, bool]] = []
    lock = threading.Lock()

    def _note(self, what: str) -> None:
        with self.lock:
            self.calls.append((what, connection.in_atomic_block))

    def _open(self, name, mode="rb"):
        self._note("open")
        return super()._open(name, mode)

    def _save(self, name, content):
        self._note("save")
        return super()._save(name, content)

    def exists(self, name):
        self._note("exists")
        return super().exists(name)

    def size(self, name):
        self._note("size")
        return super().size(name)


@pytest.fixture
def recording_storage(settings, isolated_storage):
    RecordingStorage.calls = []
    blob_storage_use(settings, isolated_storage, RecordingStorage)
    return RecordingStorage.calls


@pytest.mark.django_db
def test_publish_inside_a_callers_atomic_is_refused_before_any_write(
    alice, tmp_path, recording_storage, isolated_storage
):
    model = model_create(user=alice, name="m")
    staged = staged_bytes(tmp_path, "weights.bin", b"bytes nobody stored", "a")
    refused = pytest.raises(PublishInTransaction, match=r"must not run inside transaction\.")
    with refused, transaction.atomic():
        version_publish(model=model, files=[staged], author=alice)
    assert not Version.objects.filter(model=model).exists()
    assert not Blob.objects.filter(sha256=staged.sha256).exists()
    assert recording_storage == []  # refused before storage was touched
    assert not list(isolated_storage["blobs"].rglob("*"))
    # The test case's own wrapping transaction is not the caller's: the same publish runs.
    version = version_publish(model=model, files=[staged], author=alice)
    assert version.number == 1 and [what for what, _ in recording_storage].count("save") == 1


@pytest.mark.django_db(transaction=True)
def test_no_storage_call_happens_under_the_model_row_lock(alice, tmp_path, recording_storage):
    model = model_create(user=alice, name="m")
    folder = standard_models.bert_base(tmp_path / "bert")  # real files an adapter accepts
    files = [stage_local_file(p.name, p) for p in sorted(folder.iterdir())]
    version_publish(model=model, files=files, author=alice)
    recording_storage.clear()
    # On top of the head: its config.json is read back from storage to detect the format.
    version = version_publish(
        model=model,
        files=[staged_bytes(tmp_path, "notes.txt", b"more", "n")],
        author=alice,
        on_head=OnHead.ADD,
    )
    assert ("open", False) in recording_storage, recording_storage  # the inherited read
    assert ("save", False) in recording_storage, recording_storage  # the new blob
    assert [call for call in recording_storage if call[1]] == []
    assert version.metadata["format"]["model_type"] == "bert"
    assert Model.objects.get(pk=model.pk).finetunable is True  # from the parsed format


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_publishers_that_lose_the_race_read_storage_again_outside_the_lock(
    alice, tmp_path, recording_storage
):
    model = model_create(user=alice, name="busy")
    config = json.dumps(CONFIG).encode()
    version_publish(
        model=model, files=[staged_bytes(tmp_path, "config.json", config, "c")], author=alice
    )
    recording_storage.clear()
    publishers, errors = 6, []
    start = threading.Barrier(publishers)

    def publish(worker: int) -> None:
        try:
            start.wait()
            for round_ in range(3):
                staged = staged_bytes(
                    tmp_path, f"w{worker}.txt", f"{worker}/{round_}".encode(), f"{worker}-{round_}"
                )
                version_publish(model=model, files=[staged], author=alice, on_head=OnHead.ADD)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(publishers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    head = Version.objects.filter(model=model).order_by("-number").first()
    assert head.number == 1 + publishers * 3
    assert head.files.count() == 1 + publishers  # every publisher's file carried forward
    opens = [call for call in recording_storage if call[0] == "open"]
    assert len(opens) > publishers * 3  # lost races re-read the head's files from storage
    assert [call for call in recording_storage if call[1]] == []


@pytest.mark.django_db
def test_inspection_and_format_detection_read_config_json_under_one_limit(alice, tmp_path):
    """A 2 MiB config.json (a classifier with many labels) was summarised by inspection
    (16 MiB limit) but skipped by format detection (1 MiB): one reader, one limit now."""
    labels = {str(n): f"label number {n:06d}" for n in range(70_000)}
    config = {**CONFIG, "id2label": labels}
    data = json.dumps(config).encode()
    assert 2 * 1024**2 < len(data) < 16 * 1024**2
    model = model_create(user=alice, name="many-labels")
    version = version_publish(
        model=model, files=[staged_bytes(tmp_path, "config.json", data, "big")], author=alice
    )
    fmt = version.metadata["format"]
    assert fmt["model_type"] == "bert", fmt
    assert not [problem for problem in fmt["problems"] if "could not be read" in problem]
    meta = version.files.get(path="config.json").metadata
    assert meta["config"]["id2label_count"] == 70_000
