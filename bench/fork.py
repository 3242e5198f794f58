"""Fork cost: time and bytes written to fork a 1 GiB, 20-file model (and a 20 MiB one, to
show the time does not depend on size). Run: .venv/bin/python bench/fork.py [--size-mib 1024]

Uses a throwaway data folder and SQLite database, the real services, local blob storage."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def setup_django(data_dir: Path) -> None:
    os.environ.update(
        {
            "HUB_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "hub.settings",
            "DATABASE_URL": f"sqlite:///{data_dir / 'bench.sqlite3'}",
            "DEBUG": "0",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def make_model(user, name: str, files: int, size: int, scratch: Path):
    from catalog.blobs import stage_local_file
    from catalog.services.models import model_create
    from catalog.services.versions import version_publish

    model = model_create(user=user, name=name)
    chunk = os.urandom(1024 * 1024)
    staged = []
    for index in range(files):
        path = scratch / f"{name}-{index}.bin.raw"
        with open(path, "wb") as handle:
            for offset in range(0, size, len(chunk)):
                handle.write(bytes([index]) + chunk[1 : min(len(chunk), size - offset)])
        staged.append(stage_local_file(f"shard-{index:02d}.raw", path))
    return version_publish(model=model, files=staged, author=user, message="bench")


def fork_once(user, version, target: str, data_dir: Path) -> tuple[float, int, int]:
    from django.db import connection

    from catalog.models import Namespace
    from catalog.services.forks import model_fork

    namespace = Namespace.objects.get(user=user)
    blobs = data_dir / "blobs"
    before_blobs, before_db = folder_bytes(blobs), db_bytes(data_dir)
    connection.queries_log.clear()
    started = time.perf_counter()
    model_fork(user=user, source=version, namespace=namespace, name=target)
    elapsed = time.perf_counter() - started
    return elapsed, folder_bytes(blobs) - before_blobs, db_bytes(data_dir) - before_db


def db_bytes(data_dir: Path) -> int:
    """The SQLite file plus its write-ahead log, where fresh writes land first."""
    return sum(p.stat().st_size for p in data_dir.glob("bench.sqlite3*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--files", type=int, default=20)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-fork-"))
    try:
        setup_django(data_dir)
        from django.contrib.auth import get_user_model

        from catalog.services.namespaces import namespace_for_user

        user = get_user_model().objects.create_user("bench")
        namespace_for_user(user=user)
        scratch = data_dir / "scratch"
        scratch.mkdir()
        print(
            f"{'model':>12} {'files':>6} {'fork ms':>9} {'blob bytes written':>19} {'db bytes':>9}"
        )
        for label, total_mib in (("small", 20), ("large", args.size_mib)):
            size = total_mib * 1024 * 1024 // args.files
            version = make_model(user, f"src-{label}", args.files, size, scratch)
            shutil.rmtree(scratch)
            scratch.mkdir()
            timings = [fork_once(user, version, f"fork-{label}-{n}", data_dir) for n in range(5)]
            best = min(timings)
            print(
                f"{total_mib:>9} MiB {args.files:>6} {best[0] * 1000:>9.1f} {best[1]:>19} "
                f"{best[2]:>9}"
            )
        print(
            "Forks reference the source's blobs: 0 blob bytes written; the time is a fixed "
            "number of queries (one row per file), not proportional to bytes."
        )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
