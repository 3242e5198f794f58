"""Queries, latency and size of model info (`GET /api/models/{o}/{n}/revision/{rev}`, what
`huggingface_hub.model_info` asks) for each version of a 20-version model whose lineage
crosses 10 models, before and after a change.

    .venv/bin/python bench/model_info.py                       # this checkout vs HEAD
    .venv/bin/python bench/model_info.py --before HEAD~3 --requests 100
    .venv/bin/python bench/model_info.py --database-url sqlite  # a throw-away SQLite file

Each side runs in its own process on its own source tree (`--before` is a `git archive` of
that commit in a temp folder; the other is this checkout), migrates a fresh database
(PostgreSQL `hub_bench_modelinfo` by default, dropped and created again) and publishes the
same catalog with the real services: root <- fork-1 <- tuned-2 <- ... (--depth models; every
third one private) <- deep v1 <- v2 ... v{--versions}, and a one-version model. Requests go
through Django's test client in that process (middleware, DRF, JSON rendering; no HTTP
server), so the figures are the app's own cost. For each revision and for `main`: the number
of queries (one request), the median and 90th percentile of --requests timed requests
(DEBUG off), and the body's size, for an anonymous viewer and for the owner (bearer token).

Figures only, on a shared machine: compare the two columns, not the absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/hub_bench_modelinfo"
OWNER = "bench"


# --- the parent: run both sides, print the table ----------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="HEAD", help="commit to compare with (git archive)")
    parser.add_argument("--database-url", default=PG_DEFAULT, help="PostgreSQL URL or 'sqlite'")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per row")
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--depth", type=int, default=10, help="models in the chain above")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # a source tree: measure it
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(Path(args.worker), args)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-model-info-") as tmp:
        before = Path(tmp) / "before"
        before.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.before], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
        sides = {"before": run_side(before, args), "after": run_side(ROOT, args)}
    print_table(sides, args)


def run_side(tree: Path, args: argparse.Namespace) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        str(tree),
        *("--database-url", args.database_url, "--requests", str(args.requests)),
        *("--versions", str(args.versions), "--depth", str(args.depth)),
    ]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=tree)
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_table(sides: dict[str, dict], args: argparse.Namespace) -> None:
    print(
        f"model info, {args.versions}-version model, lineage {args.depth} models deep, "
        f"{args.requests} requests per row, database: {sides['after']['database']}"
    )
    header = (
        f"{'viewer':<9} {'revision':<9} {'lineage':>7} | {'queries':>15} | "
        f"{'p50 ms':>15} | {'p90 ms':>15} | {'bytes':>15}"
    )
    print(header)
    print("-" * len(header))
    for key, after in sides["after"]["rows"].items():
        before = sides["before"]["rows"][key]
        viewer, revision = key.split(" ")
        cells = [
            f"{before[name]:>6} -> {after[name]:>6}"
            if isinstance(after[name], int)
            else f"{before[name]:>6.2f} -> {after[name]:>6.2f}"
            for name in ("queries", "p50", "p90", "bytes")
        ]
        print(f"{viewer:<9} {revision:<9} {after['lineage']:>7} | " + " | ".join(cells))


# --- a worker: one source tree, one fresh database ----------------------------------------


def measure(tree: Path, args: argparse.Namespace) -> dict:
    data = Path(tempfile.mkdtemp(prefix="bench-model-info-data-"))
    url = args.database_url
    if url == "sqlite":
        url = f"sqlite:///{data / 'hub.sqlite3'}"
    else:
        database_recreate(url)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="hub.settings",
        HUB_DATA_DIR=str(data),
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="testserver",
        CELERY_BROKER_URL="memory://",
        LOG_LEVEL="ERROR",
    )
    sys.path.insert(0, str(tree))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    token = seed(data / "src", versions=args.versions, depth=args.depth)
    return {"database": url.split(":", 1)[0], "rows": timings(token, args)}


def database_recreate(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def seed(scratch: Path, *, versions: int, depth: int) -> str:
    """Publish the catalog with the services both sides have; returns the owner's token."""
    from django.contrib.auth import get_user_model

    from catalog.blobs import stage_local_file
    from catalog.models import Version
    from catalog.services.aliases import alias_set
    from catalog.services.forks import model_fork
    from catalog.services.models import model_create
    from catalog.services.namespaces import namespace_for_user
    from catalog.services.tokens import token_create
    from catalog.services.versions import OnHead, version_publish

    user = get_user_model().objects.create_user(OWNER, password="bench-only-password")
    own = namespace_for_user(user=user)
    scratch.mkdir(parents=True, exist_ok=True)
    counter = iter(range(10**9))
    card = "# {name}\n\nA model of the benchmark. " + "Some words about it. " * 40

    def publish(model, contents: dict[str, bytes], **kwargs):
        staged = []
        for path, body in contents.items():
            local = scratch / str(next(counter))
            local.write_bytes(body)
            staged.append(stage_local_file(path, local))
        return version_publish(model=model, files=staged, author=user, **kwargs)

    def files(name: str) -> dict[str, bytes]:
        readme = f"---\nlicense: mit\n---\n{card.format(name=name)}\n".encode()
        config = b'{"model_type": "bert", "architectures": ["BertModel"]}'
        return {"README.md": readme, "config.json": config, "weights.raw": os.urandom(4096)}

    head = publish(model_create(user=user, name="root"), files("root"))
    for step in range(1, depth):
        private = step % 3 == 0
        if step % 2:
            name = f"fork-{step}"
            model = model_fork(user=user, source=head, namespace=own, name=name, private=private)
            head = model.versions.get()
        else:
            model = model_create(user=user, name=f"tuned-{step}", private=private)
            head = publish(model, files(model.name), parent=head, origin=Version.Origin.FINETUNE)
    deep = model_create(user=user, name="deep")
    publish(deep, files("deep"), parent=head, origin=Version.Origin.FINETUNE)
    for number in range(2, versions + 1):
        publish(deep, {f"notes-{number}.txt": b"v%d" % number}, on_head=OnHead.ADD)
    alias_set(model=deep, name="stable", version=deep.versions.get(number=max(1, versions // 2)))
    publish(model_create(user=user, name="single"), files("single"))
    return token_create(user=user, name="bench", scope="read")[1]


def timings(token: str, args: argparse.Namespace) -> dict[str, dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    viewers = {"anonymous": {}, "owner": {"HTTP_AUTHORIZATION": f"Bearer {token}"}}
    paths = {"single": f"/api/models/{OWNER}/single", "main": f"/api/models/{OWNER}/deep"}
    paths |= {
        f"v{n}": f"/api/models/{OWNER}/deep/revision/v{n}" for n in range(1, args.versions + 1)
    }
    client = Client()
    rows = {}
    for viewer, headers in viewers.items():
        for label, path in paths.items():
            for _ in range(3):  # warm: caches, the token's last-used stamp, lazy fills
                response = client.get(path, **headers)
                assert response.status_code == 200, (path, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, **headers)
            count = len(queries)
            times = []
            for _ in range(args.requests):
                start = time.perf_counter()
                client.get(path, **headers)
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            rows[f"{viewer} {label}"] = {
                "queries": count,
                "p50": statistics.median(times),
                "p90": times[int(0.9 * (len(times) - 1))],
                "bytes": len(response.content),
                "lineage": len(response.json().get("lineage", [])),
            }
    return rows


if __name__ == "__main__":
    main()
