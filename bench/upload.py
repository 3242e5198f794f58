"""Upload throughput through gunicorn against a plain `cp` of the same file on the same disk.

Publishes nothing up front: migrates a throw-away database (SQLite, or PostgreSQL with
--postgres), makes a user, a write token and an empty model, and starts one gunicorn per
upload chunk size (docker/gunicorn.conf.py: gthread, as deployed; HUB_UPLOAD_CHUNK_SIZE set
per server). Then, in interleaved rounds (the order rotates each round), it times:

  - `cp` of the source file to a new file in the same data folder;
  - a multipart `POST /api/models/{owner}/{name}/versions` of the file (the REST upload:
    parse, hash, write, scan, publish), for each chunk size;
  - a Git-LFS `PUT` of the file to the signed URL the batch API gave (stream, hash, stage),
    for each chunk size.

The client sends the file body with sendfile(2), so it costs next to no CPU and the figures
are the server's. A `sync` and --settle idle seconds come before each timed step, outside the
timing, so no step pays for the previous one's write-back or profits from the pages it just
freed (a VM that returns free memory to its host makes fresh pages cost a fault each: steps
run back to back would get the previous step's pages cheap, in an order that depends on the
rotation). Nothing fsyncs: cp and the server both end with the bytes in the page cache of the
same file system.

Prints, per step: median and best wall time, MiB/s, the ratio of cp's median time to the
step's (throughput as a fraction of cp: 1.0 = as fast as cp), the server workers' CPU
(user + sys) and, for uploads, the time after the last byte was sent (scan + publish).

    .venv/bin/python bench/upload.py [--size-mib 1024] [--rounds 3]
        [--chunks 64K,256K,1M,2M,4M] [--postgres] [--dir /path/on/the/disk]

Figures only: nothing here fails on a slow result.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import download as dl  # the download bench's file, server and /proc helpers

ROOT = dl.ROOT
MIB = dl.MIB
OWNER, MODEL, FILE_PATH = "bench", "upload-bench", "weights.raw"
BOUNDARY = "hubbenchboundary7f3a9c"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "hub_bench_upload"
GOAL = 0.5  # multipart upload throughput >= 0.5x cp


def parse_size(text: str) -> int:
    units = {"K": 1024, "M": MIB}
    text = text.strip().upper().removesuffix("IB").removesuffix("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def size_label(size: int) -> str:
    return f"{size // MIB} MiB" if size % MIB == 0 else f"{size // 1024} KiB"


# --- setup --------------------------------------------------------------------------------


def app_env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = dl.app_env(data_dir)
    return env | {"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}


def prepare(env: dict[str, str], postgres: bool) -> str:
    """Fresh database, user, write token and an empty public model; returns the raw token."""
    if postgres:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_DB}"')
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from catalog.services.models import model_create
    from catalog.services.tokens import token_create

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_user(username=OWNER, password="bench-only-pw")
    model_create(user=user, name=MODEL)
    _, raw = token_create(user=user, name="bench")
    connections.close_all()
    return raw


def drop_postgres() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


@dataclass
class Server:
    chunk: int
    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def workers(self) -> list[int]:
        return dl.children(self.proc.pid)


def start_server(env: dict[str, str], chunk: int, workers: int, tmp: Path) -> Server:
    port = dl.free_port()
    log = tmp / f"gunicorn-{chunk}.log"
    env = env | {
        "HUB_UPLOAD_CHUNK_SIZE": str(chunk),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    conf = str(ROOT / "docker" / "gunicorn.conf.py")
    cmd = [gunicorn, "hub.wsgi", "-c", conf, "--access-logfile", "/dev/null"]
    cmd += ["--worker-tmp-dir", tempfile.gettempdir()]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    return Server(chunk, port, proc, log)


# --- the client ---------------------------------------------------------------------------


@dataclass
class Sent:
    status: int
    body: bytes
    seconds: float
    sent_at: float  # seconds from the start until the last body byte was handed to the kernel


def send_file(
    port: int, method: str, path: str, headers: dict[str, str], source: Path, prefix=b"", suffix=b""
) -> Sent:
    """One request whose body is prefix + the file (by sendfile) + suffix; reads the answer."""
    size = len(prefix) + source.stat().st_size + len(suffix)
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {size}"]
    head += [f"{key}: {value}" for key, value in headers.items()] + ["Connection: close"]
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.connect()
    try:
        conn.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + prefix)
        with source.open("rb") as handle:
            conn.sock.sendfile(handle)
        conn.sock.sendall(suffix)
        sent_at = time.perf_counter() - started
        response = http.client.HTTPResponse(conn.sock, method=method)
        response.begin()
        body = response.read()
        return Sent(response.status, body, time.perf_counter() - started, sent_at)
    finally:
        conn.close()


def multipart_parts(file_name: str, message: str) -> tuple[bytes, bytes]:
    prefix = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="message"\r\n\r\n'
        f"{message}\r\n"
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return prefix, f"\r\n--{BOUNDARY}--\r\n".encode()


def lfs_upload_path(port: int, token: str, oid: str, size: int) -> str:
    """Ask the batch API once for the signed PUT URL; returns its path and query."""
    body = json.dumps(
        {"operation": "upload", "transfers": ["basic"], "objects": [{"oid": oid, "size": size}]}
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.git-lfs+json",
        "Content-Type": "application/vnd.git-lfs+json",
    }
    conn.request("POST", f"/{OWNER}/{MODEL}.git/info/lfs/objects/batch", body, headers)
    response = conn.getresponse()
    answer = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"LFS batch: {response.status} {answer[:300]!r}")
    obj = json.loads(answer)["objects"][0]
    if "actions" not in obj:
        raise RuntimeError(f"LFS batch gave no upload action (already stored?): {obj}")
    href = urlsplit(obj["actions"]["upload"]["href"])
    return f"{href.path}?{href.query}"


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    cpu_user: float = 0.0
    cpu_sys: float = 0.0
    after_body: float | None = None


@dataclass
class Step:
    label: str
    run: Callable[[], Run]
    runs: list[Run] = field(default_factory=list)

    def median(self, attr: str = "seconds") -> float:
        values = [getattr(r, attr) for r in self.runs if getattr(r, attr) is not None]
        return statistics.median(values) if values else float("nan")


def cp_step(source: Path, target: Path) -> Callable[[], Run]:
    def run() -> Run:
        before_user, before_sys = _children_times()
        started = time.perf_counter()
        subprocess.run(["cp", str(source), str(target)], check=True)
        seconds = time.perf_counter() - started
        after_user, after_sys = _children_times()
        target.unlink()
        return Run(seconds, after_user - before_user, after_sys - before_sys)

    return run


def _children_times() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def upload_step(
    server: Server, send: Callable[[int], Sent], expect: int, after: Callable[[], None]
) -> Callable[[], Run]:
    def run() -> Run:
        workers = server.workers
        before = dl.counters(workers)
        sent = send(server.port)
        cpu = dl.counters(workers) - before
        if sent.status != expect:
            raise RuntimeError(f"port {server.port}: {sent.status} {sent.body[:300]!r}")
        after()
        return Run(sent.seconds, cpu.user_s, cpu.sys_s, sent.seconds - sent.sent_at)

    return run


def unstage(data_dir: Path, oid: str) -> Callable[[], None]:
    """Check the PUT staged the object, then delete it (untimed), so the next PUT does not
    pay for replacing a 1 GiB file the way cp does not."""

    def remove() -> None:
        staged = list((data_dir / "tmp" / "lfs").glob(f"*/{oid}"))
        if not staged:
            raise RuntimeError("the LFS object is not staged under its oid")
        for path in staged:
            path.unlink()

    return remove


def nothing() -> None:
    return None


def warm_up(servers: list[Server], tmp: Path, token: str) -> None:
    """One small multipart upload and LFS PUT per server, so no timed step pays for the
    worker's first imports (scanners, inspectors) or first database connection."""
    small = tmp / "warm-up.bin"
    small.write_bytes(os.urandom(256 * 1024))
    oid = dl.file_sha256(small)
    auth = {"Authorization": f"Bearer {token}"}
    form = {**auth, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    path = lfs_upload_path(servers[0].port, token, oid, small.stat().st_size)
    for server in servers:
        prefix, suffix = multipart_parts("warm-up.bin", "warm-up")
        sent = send_file(
            server.port,
            "POST",
            f"/api/models/{OWNER}/{MODEL}/versions",
            form,
            small,
            prefix,
            suffix,
        )
        put = send_file(
            server.port, "PUT", path, {"Content-Type": "application/octet-stream"}, small
        )
        if (sent.status, put.status) != (201, 200):
            raise RuntimeError(
                f"warm-up on {server.port}: {sent.status} {sent.body[:300]!r}, "
                f"{put.status} {put.body[:300]!r}"
            )


def blob_path(data_dir: Path, sha: str) -> Path:
    return data_dir / "blobs" / "sha256" / sha[:2] / sha[2:4] / sha


# --- main ---------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    chunks = [parse_size(text) for text in args.chunks.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="bench-upload-", dir=args.dir))
    servers: list[Server] = []
    try:
        data_dir = tmp / "data"
        source = tmp / "source.bin"
        size = args.size_mib * MIB
        dl.make_file(source, size)
        sha = dl.file_sha256(source)
        lfs_source = tmp / "lfs-source.bin"  # other bytes: the LFS batch must not find them
        dl.make_file(lfs_source, size)
        lfs_oid = dl.file_sha256(lfs_source)
        database = f"{PG_SERVER}/{PG_DB}" if args.postgres else f"sqlite:///{tmp / 'db.sqlite3'}"
        env = app_env(data_dir, database)
        token = prepare(env, args.postgres)
        for chunk in chunks:
            servers.append(start_server(env, chunk, args.workers, tmp))
        for server in servers:
            dl.wait_ready(server.proc, server.port, "/healthz", server.log)
        lfs_path = lfs_upload_path(servers[0].port, token, lfs_oid, size)
        warm_up(servers, tmp, token)

        auth = {"Authorization": f"Bearer {token}"}
        form = {**auth, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        upload_url = f"/api/models/{OWNER}/{MODEL}/versions"
        steps = [Step("cp", cp_step(source, tmp / "cp-target.bin"))]
        for server in servers:
            label = size_label(server.chunk)

            def multipart(port: int, label=label) -> Sent:
                prefix, suffix = multipart_parts(FILE_PATH, f"bench {label}")
                return send_file(port, "POST", upload_url, form, source, prefix, suffix)

            def lfs_put(port: int) -> Sent:
                headers = {"Content-Type": "application/octet-stream"}
                return send_file(port, "PUT", lfs_path, headers, lfs_source)

            steps.append(Step(f"multipart {label}", upload_step(server, multipart, 201, nothing)))
            put = upload_step(server, lfs_put, 200, unstage(data_dir, lfs_oid))
            steps.append(Step(f"LFS PUT   {label}", put))

        print(
            f"{args.size_mib} MiB file, {len(chunks)} gunicorn servers (gthread, "
            f"{args.workers} workers x 4 threads), {'PostgreSQL' if args.postgres else 'SQLite'},"
            f" data under {tmp}, {os.cpu_count()} cores; load average "
            f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}"
        )
        for round_no in range(args.rounds):
            shift = round_no % len(steps)
            for step in steps[shift:] + steps[:shift]:
                subprocess.run(["sync"], check=True)
                time.sleep(args.settle)
                step.runs.append(step.run())
            print(f"round {round_no + 1}/{args.rounds} done", flush=True)
        if not blob_path(data_dir, sha).exists():
            raise RuntimeError("the uploaded file is not in the blob store under its sha256")
        report(steps, size)
        print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    finally:
        for server in servers:
            dl.stop(server.proc, 2)
        shutil.rmtree(tmp, ignore_errors=True)
        if args.postgres:
            drop_postgres()


def report(steps: list[Step], size: int) -> None:
    cp = steps[0].median()
    print(
        f"\n{'step':<20}{'median s':>9}{'best s':>8}{'MiB/s':>8}{'x cp':>7}"
        f"{'server CPU s':>14}{'user/sys':>12}{'after body s':>14}"
    )
    for step in steps:
        median = step.median()
        user, system = step.median("cpu_user"), step.median("cpu_sys")
        after = step.median("after_body")
        print(
            f"{step.label:<20}{median:>9.2f}{min(r.seconds for r in step.runs):>8.2f}"
            f"{size / MIB / median:>8.0f}{cp / median:>7.2f}{user + system:>14.2f}"
            f"{f'{user:.2f}/{system:.2f}':>12}"
            f"{'' if after != after else f'{after:.2f}':>14}"
        )
    best = max(steps[1:], key=lambda s: cp / s.median() if s.label.startswith("multi") else 0)
    print(
        f"\nbest multipart: {best.label.split()[-2]} {best.label.split()[-1]} chunks, "
        f"{cp / best.median():.2f}x cp (goal >= {GOAL}x); ratios are of medians, "
        f"n = {len(steps[0].runs)} per step"
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunks", default="64K,256K,1M,2M,4M", help="upload chunk sizes")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per server")
    parser.add_argument("--postgres", action="store_true", help=f"PostgreSQL at {PG_SERVER}")
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds idle before each step (see above)"
    )
    parser.add_argument("--dir", default=None, help="where the data and cp's copy go")
    return parser.parse_args()


if __name__ == "__main__":
    main()
