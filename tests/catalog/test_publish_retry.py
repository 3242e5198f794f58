"""A publish whose head moved before it took the lock is prepared again on the new head: what
it applies to the model (the card) must come from that head, not from the first attempt.

The race is real: the blob store (a FileSystemStorage) lets another publisher commit while the
first one stores its bytes, after it prepared and before its transaction."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.storage import FileSystemStorage

from catalog.blobs import stage_local_file
from catalog.errors import InvalidInput
from catalog.models import Model
from catalog.services.models import model_create
from catalog.services.versions import OnHead, version_publish
from tests.catalog import fixtures_files as ff
from tests.helpers import blob_storage_use, staged_bytes


class InterleavingStorage(FileSystemStorage):
    """Runs `meanwhile` once, at the first save: another publish lands in between."""

    meanwhile: list[Callable[[], None]] = []

    def _save(self, name, content):
        if self.meanwhile:
            self.meanwhile.pop()()
        return super()._save(name, content)


@pytest.fixture
def interleaving_storage(settings, isolated_storage):
    InterleavingStorage.meanwhile = []
    blob_storage_use(settings, isolated_storage, InterleavingStorage)
    return InterleavingStorage.meanwhile


@pytest.mark.django_db(transaction=True)
def test_replace_retried_on_a_head_with_a_readme_clears_the_card(
    alice, tmp_path, interleaving_storage
):
    model = model_create(user=alice, name="m")
    version_publish(
        model=model, files=[staged_bytes(tmp_path, "notes.txt", b"v1", "v1")], author=alice
    )

    def card_added() -> None:  # prepared on v1 (no README.md), this lands first
        readme = staged_bytes(tmp_path, "README.md", b"# Added meanwhile\n", "readme")
        version_publish(model=model, files=[readme], author=alice, on_head=OnHead.ADD)

    interleaving_storage.append(card_added)
    version = version_publish(
        model=model,
        files=[staged_bytes(tmp_path, "weights.txt", b"replacing", "w")],
        author=alice,
        on_head=OnHead.REPLACE,
    )
    assert version.number == 3 and version.parent.number == 2
    assert sorted(version.files.values_list("path", flat=True)) == ["weights.txt"]
    # The README.md of v2 is gone from v3, so is the card it set.
    assert Model.objects.get(pk=model.pk).card == ""


@pytest.mark.django_db(transaction=True)
def test_add_retried_on_a_moved_head_keeps_its_own_card(alice, tmp_path, interleaving_storage):
    model = model_create(user=alice, name="m")
    version_publish(
        model=model, files=[staged_bytes(tmp_path, "README.md", b"# First\n", "r1")], author=alice
    )

    mine = staged_bytes(tmp_path, "README.md", b"# Mine\n", "r3")

    def card_replaced() -> None:
        readme = staged_bytes(tmp_path, "README.md", b"# Meanwhile\n", "r2")
        version_publish(model=model, files=[readme], author=alice, on_head=OnHead.ADD)
        # As the blob store's rename of an uploaded temp file does: the retry cannot read it.
        mine.local_path.unlink()

    interleaving_storage.append(card_replaced)
    version = version_publish(model=model, files=[mine], author=alice, on_head=OnHead.ADD)
    assert version.number == 3 and version.parent.number == 2
    assert Model.objects.get(pk=model.pk).card.strip() == "# Mine"


@pytest.mark.django_db(transaction=True)
def test_add_retried_on_a_head_without_its_onnx_external_data_is_refused(
    alice, tmp_path, interleaving_storage
):
    model = model_create(user=alice, name="m")
    data = staged_bytes(tmp_path, "weights.data", bytes(48), "data")
    version_publish(model=model, files=[data], author=alice)
    onnx = ff.onnx_model(tmp_path / "m.onnx", external_location="weights.data")

    def data_dropped() -> None:  # the scan saw weights.data kept from v1; v2 drops it
        notes = staged_bytes(tmp_path, "notes.txt", b"replaced", "n")
        version_publish(model=model, files=[notes], author=alice, on_head=OnHead.REPLACE)

    interleaving_storage.append(data_dropped)
    with pytest.raises(InvalidInput, match=r"weights\.data', which is not a file of this upload"):
        version_publish(
            model=model,
            files=[stage_local_file("m.onnx", onnx)],
            author=alice,
            on_head=OnHead.ADD,
        )
    assert model.versions.count() == 2  # no version that points at a missing file
