"""Parallel publishers against PostgreSQL: version numbers stay unique and gapless."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import connection

from catalog.blobs import stage_local_file
from catalog.models import Version
from catalog.services.models import model_create
from catalog.services.versions import version_publish

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_publishes_get_gapless_unique_numbers(alice, tmp_path: Path):
    model = model_create(user=alice, name="busy")
    publishers, per_thread = 8, 4
    errors: list[BaseException] = []
    start = threading.Barrier(publishers)

    def publish(worker: int) -> None:
        try:
            start.wait()
            for round_ in range(per_thread):
                path = tmp_path / f"{worker}-{round_}.raw"
                path.write_bytes(f"worker {worker} round {round_}".encode())
                version_publish(
                    model=model,
                    files=[stage_local_file("w.raw", path)],
                    author=alice,
                    message=f"{worker}/{round_}",
                )
        except BaseException as exc:  # surfaced below, with the thread's traceback lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(publishers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Version.objects.filter(model=model).values_list("number", flat=True))
    assert numbers == list(range(1, publishers * per_thread + 1))
    revisions = Version.objects.filter(model=model).values_list("revision", flat=True)
    assert len(set(revisions)) == publishers * per_thread
