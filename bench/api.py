"""The hub against an MLflow 3 registry server under the same load, on the same machine.

Both on PostgreSQL (one database each on the server at 127.0.0.1:5432), each with the same
number of worker processes: the hub as deployed (gunicorn gthread, docker/gunicorn.conf.py,
Redis as its cache), MLflow as `mlflow server` runs it (uvicorn). Both hold the same catalog:
--models models (words in their names for search), one "deep" model with --versions versions
whose lineage crosses --depth models (forks of forks and fine-tunes on the hub; MLflow has no
lineage), and one model with a --download-mib file. MLflow is installed in its own virtual
environment (--mlflow-venv; `python -m venv /tmp/mlflow-venv &&
/tmp/mlflow-venv/bin/pip install mlflow 'psycopg[binary]'`) and seeded with its own client.

Then, per endpoint, each server takes --clients concurrent keep-alive clients for --seconds
(after a 1 s warm-up, and once the machine is idle again: a slow server goes on with the
requests the last clients left queued), in --rounds interleaved rounds (the order alternates
each round):
  info       GET /api/models/{o}/{n}             | registered-models/get?name=
  search     GET /api/models?search=vision       | registered-models/search?filter=name ILIKE
  list       GET /api/models?limit=20            | registered-models/search?max_results=20
  versions   GET /api/models/{o}/{n}/versions    | model-versions/search?filter=name=
  download   GET /{o}/{n}/resolve/main/{file}    | model-versions/get-artifact, and nginx
             (sendfile) over the hub's blob folder as the reference
Prints requests/s (MiB/s for downloads), p50 and p99 per server, the medians over the rounds
and the ratios of the medians, the answer sizes, and the load average before each round.
The load comes from wrk (Debian: `apt-get install wrk`) or, without it, an asyncio client in
this process; either shares the cores with the servers, so figures are lower bounds.

    .venv/bin/python bench/api.py [--models 1000] [--clients 20] [--seconds 5] [--rounds 3]

Figures only: nothing here fails on a slow result.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import download as dl  # the download bench's file, nginx, process and /proc helpers

ROOT = dl.ROOT
MIB = dl.MIB
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
HUB_DB, MLFLOW_DB = "hub_bench_api", "mlflow_bench_api"
OWNER, DEEP, BIG, BIG_FILE = "bench", "deep", "download-bench", "weights.raw"
WORDS = ["vision", "text", "speech", "news", "medical", "retail", "satellite", "legal", "music"]
TASKS = ["image-classification", "text-classification", "audio-classification"]
CARD = "Trained on **{word}** data.\n\n" + "Some text about the model. " * 40
GOALS = {"info": "hub >= 2x MLflow req/s, p99 <= 100 ms", "search": "hub ahead of MLflow"}


# --- the catalog, the same on both sides --------------------------------------------------


def filler_names(models: int) -> list[tuple[str, str]]:
    """(name, word) of the plain one-version models: all but the deep chain and the big one."""
    count = max(models - 12, 0)
    return [(f"{WORDS[i % len(WORDS)]}-model-{i}", WORDS[i % len(WORDS)]) for i in range(count)]


def deep_files(tag: str) -> dict[str, bytes]:
    return {
        "README.md": f"---\nlicense: mit\ntags: [bench]\n---\n# {tag}\n".encode(),
        "config.json": b'{"model_type": "bert"}',
        f"weights-{tag}.raw": os.urandom(4096),
    }


# --- the hub ------------------------------------------------------------------------------


def hub_env(tmp: Path, redis_url: str) -> dict[str, str]:
    env = dl.app_env(tmp / "data")
    return env | {
        "DATABASE_URL": f"{PG_SERVER}/{HUB_DB}",
        "DATABASE_CONN_MAX_AGE": "60",  # as docker/compose.yml
        "CACHE_URL": redis_url,
        "CELERY_BROKER_URL": "filesystem://",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }


def hub_seed(env: dict[str, str], args: argparse.Namespace, scratch: Path) -> str:
    """Migrate and publish the catalog with the real services; returns the big file's sha."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from catalog.blobs import stage_local_file
    from catalog.models import Version
    from catalog.services.aliases import alias_set
    from catalog.services.forks import model_fork
    from catalog.services.models import model_create
    from catalog.services.namespaces import namespace_for_user
    from catalog.services.versions import OnHead, version_publish

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_user(username=OWNER, password="bench-only-pw")
    own = namespace_for_user(user=user)
    scratch.mkdir(parents=True, exist_ok=True)
    counter = iter(range(10**9))

    def publish(model, contents: dict[str, bytes], **kwargs):
        staged = []
        for path, data in contents.items():
            local = scratch / str(next(counter))
            local.write_bytes(data)
            staged.append(stage_local_file(path, local))
        return version_publish(model=model, files=staged, author=user, **kwargs)

    # The chain: root <- fork <- fine-tune <- fork ... (--depth models) <- deep v1 ... vN.
    head = publish(
        model_create(user=user, name="root", card=CARD.format(word="root")), deep_files("root")
    )
    for step in range(1, args.depth):
        if step % 2:
            model = model_fork(user=user, source=head, namespace=own, name=f"fork-{step}")
            head = model.versions.get()
        else:
            model = model_create(user=user, name=f"tuned-{step}", card=CARD.format(word="tuned"))
            head = publish(
                model, deep_files(f"t{step}"), parent=head, origin=Version.Origin.FINETUNE
            )
    deep = model_create(user=user, name=DEEP, card=CARD.format(word="deep"), tags=["bench"])
    version = publish(deep, deep_files("d1"), parent=head, origin=Version.Origin.FINETUNE)
    for number in range(2, args.versions + 1):
        version = publish(deep, {f"file-{number}.txt": b"v%d" % number}, on_head=OnHead.ADD)
    alias_set(model=deep, name="stable", version=deep.versions.get(number=args.versions // 2))
    alias_set(model=deep, name="candidate", version=version)

    for index, (name, word) in enumerate(filler_names(args.models)):
        model = model_create(
            user=user,
            name=name,
            task=TASKS[index % len(TASKS)],
            summary=f"A {word} model number {index}",
            card=CARD.format(word=word),
            tags=[word, "bench"],
        )
        publish(model, {"config.json": b'{"model_type": "bert", "i": %d}' % index})

    big = model_create(user=user, name=BIG, card="A large file to download.")
    source = scratch / "big.raw"
    dl.make_file(source, args.download_mib * MIB)
    staged = stage_local_file(BIG_FILE, source)
    version_publish(model=big, files=[staged], author=user)
    connections.close_all()
    return staged.sha256


def start_hub(env: dict[str, str], port: int, args: argparse.Namespace, log: Path):
    env = env | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    conf = str(ROOT / "docker" / "gunicorn.conf.py")
    cmd = [gunicorn, "hub.wsgi", "-c", conf, "--access-logfile", "/dev/null"]
    cmd += ["--worker-tmp-dir", tempfile.gettempdir()]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


# --- MLflow -------------------------------------------------------------------------------

# Runs in MLflow's own environment: one run holds the artifacts, each registered model
# version points at a folder of it (the way a logged model is registered).
MLFLOW_SEED = r"""
import json, sys
from concurrent.futures import ThreadPoolExecutor
from mlflow import MlflowClient

uri, spec = sys.argv[1], json.load(open(sys.argv[2]))
client = MlflowClient(tracking_uri=uri, registry_uri=uri)
run = client.create_run(client.create_experiment("bench"))
rid = run.info.run_id
for folder, local in spec["artifacts"].items():
    client.log_artifacts(rid, local, artifact_path=folder)
client.set_terminated(rid)
base = run.info.artifact_uri

def register(model):
    client.create_registered_model(model["name"], tags=model["tags"], description=model["card"])
    for number in range(1, model["versions"] + 1):
        client.create_model_version(
            model["name"], source=f"{base}/{model['folder']}", run_id=rid,
            description=f"v{number}", await_creation_for=0)

with ThreadPoolExecutor(8) as pool:
    list(pool.map(register, spec["models"]))
for alias, version in spec["aliases"].items():
    client.set_registered_model_alias(spec["deep"], alias, str(version))
"""


def mlflow_seed(python: Path, url: str, args: argparse.Namespace, scratch: Path, big: Path):
    deep_dir, small_dir, big_dir = scratch / "ml-deep", scratch / "ml-small", scratch / "ml-big"
    for folder, contents in ((deep_dir, deep_files("d1")), (small_dir, {"config.json": b"{}"})):
        folder.mkdir(parents=True, exist_ok=True)
        for path, data in contents.items():
            (folder / path).write_bytes(data)
    big_dir.mkdir(parents=True, exist_ok=True)
    os.link(big, big_dir / BIG_FILE)
    models = [
        {
            "name": DEEP,
            "tags": {"tag": "bench"},
            "card": CARD.format(word="deep"),
            "versions": args.versions,
            "folder": "deep",
        },
        {
            "name": BIG,
            "tags": {},
            "card": "A large file to download.",
            "versions": 1,
            "folder": "big",
        },
    ]
    models += [
        {"name": name, "tags": {"tag": word, "task": TASKS[i % len(TASKS)]},
         "card": CARD.format(word=word), "versions": 1, "folder": "small"}
        for i, (name, word) in enumerate(filler_names(args.models))
    ]  # fmt: skip
    spec = {
        "artifacts": {"deep": str(deep_dir), "small": str(small_dir), "big": str(big_dir)},
        "models": models,
        "deep": DEEP,
        "aliases": {"stable": args.versions // 2, "candidate": args.versions},
    }
    (scratch / "mlflow-seed.json").write_text(json.dumps(spec))
    (scratch / "mlflow_seed.py").write_text(MLFLOW_SEED)
    cmd = [str(python), str(scratch / "mlflow_seed.py"), url, str(scratch / "mlflow-seed.json")]
    subprocess.run(cmd, check=True, env=os.environ | {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"})


def start_mlflow(venv: Path, port: int, args: argparse.Namespace, tmp: Path, log: Path):
    cmd = [
        str(venv / "bin" / "mlflow"),
        "server",
        "--backend-store-uri",
        f"postgresql://postgres@127.0.0.1:5432/{MLFLOW_DB}",
        "--artifacts-destination",
        str(tmp / "mlartifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "DATABASE_"))}
    return subprocess.Popen(
        cmd,
        cwd=tmp,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


# --- plumbing -----------------------------------------------------------------------------


def start_nginx(work: Path, port: int, tmp: Path, workers: int, log: Path) -> subprocess.Popen:
    """The download bench's nginx (sendfile) over the hub's blobs, with as many worker
    processes as the app servers have."""
    conf = dl.nginx_config(work, port, tmp / "data" / "blobs")
    conf.write_text(conf.read_text().replace("worker_processes 1;", f"worker_processes {workers};"))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    cmd = [nginx, "-p", str(work), "-e", str(work / "nginx-error.log"), "-c", str(conf)]
    return subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def recreate_databases() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        for name in (HUB_DB, MLFLOW_DB):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_databases() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        for name in (HUB_DB, MLFLOW_DB):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def wait_http(url: str, proc: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {proc.returncode}\n{dl.tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} not ready in {seconds}s\n{dl.tail(log)}")


def fetch(port: int, path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status}")
        return response.read()


def stop_group(proc: subprocess.Popen) -> None:
    """Stop a server started here in its own session (MLflow's uvicorn forks workers)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


# --- load ---------------------------------------------------------------------------------


@dataclass
class Result:
    requests: int = 0
    seconds: float = 0.0
    bytes_read: int = 0
    p50: float = 0.0
    p99: float = 0.0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def mib_s(self) -> float:
        return self.bytes_read / MIB / self.seconds if self.seconds else 0.0


def load_wrk(port: int, path: str, clients: int, seconds: int) -> Result:
    base = [shutil.which("wrk"), "-t2", f"-c{clients}", "--latency", "--timeout", "10s"]
    url = f"http://127.0.0.1:{port}{path}"
    subprocess.run([*base, "-d1s", url], capture_output=True, check=True)  # warm-up
    out = subprocess.run([*base, f"-d{seconds}s", url], capture_output=True, text=True).stdout
    found = re.search(r"(\d+) requests in ([\d.]+)(\w+), ([\d.]+)(\w+) read", out)
    if not found:
        raise RuntimeError(f"wrk said:\n{out}")
    requests, duration, unit, amount, size_unit = found.groups()
    result = Result(int(requests), float(duration) * {"ms": 0.001, "s": 1.0, "m": 60.0}[unit])
    result.bytes_read = int(
        float(amount) * {"B": 1, "KB": 1024, "MB": MIB, "GB": 1024 * MIB}[size_unit]
    )
    result.p50 = _wrk_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    result.p99 = _wrk_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result.errors = int(bad.group(1)) if bad else 0
    if errors := re.search(r"Socket errors: (.*)", out):
        result.errors += sum(int(n) for n in re.findall(r"\d+", errors.group(1)))
    return result


def _wrk_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


async def _client(port: int, request: bytes, stop_at: float, result: Result) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
            if length:
                result.bytes_read += len(await reader.readexactly(int(length.group(1))))
            elif re.search(rb"\r\ntransfer-encoding: *chunked", head, re.I):
                while size := int((await reader.readline()).strip(), 16):
                    result.bytes_read += len(await reader.readexactly(size + 2)) - 2
                await reader.readline()
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            result.errors += head[9:10] not in b"23"
            result.requests += 1
    except (OSError, asyncio.IncompleteReadError, ValueError):
        result.errors += 1
    finally:
        writer.close()


def load_python(port: int, path: str, clients: int, seconds: int) -> Result:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()

    async def run(duration: float) -> Result:
        result, started = Result(), time.monotonic()
        stop_at = started + duration
        await asyncio.gather(*(_client(port, request, stop_at, result) for _ in range(clients)))
        result.seconds = time.monotonic() - started
        return result

    asyncio.run(run(1.0))  # warm-up
    result = asyncio.run(run(seconds))
    if len(result.latencies_ms) > 1:
        cuts = statistics.quantiles(result.latencies_ms, n=100)
        result.p50, result.p99 = cuts[49], cuts[98]
    return result


# --- main ---------------------------------------------------------------------------------


def plan(mlflow_port: int, hub_port: int, nginx_port: int, big_sha: str) -> dict:
    api = "/api/2.0/mlflow"
    blob = f"/sha256/{big_sha[:2]}/{big_sha[2:4]}/{big_sha}"
    return {
        "info": {"hub": (hub_port, f"/api/models/{OWNER}/{DEEP}"),
                 "mlflow": (mlflow_port, f"{api}/registered-models/get?name={DEEP}")},
        "search": {"hub": (hub_port, "/api/models?search=vision&limit=20"),
                   "mlflow": (mlflow_port, f"{api}/registered-models/search?max_results=20"
                              "&filter=name%20ILIKE%20%27%25vision%25%27")},
        "list": {"hub": (hub_port, "/api/models?limit=20"),
                 "mlflow": (mlflow_port, f"{api}/registered-models/search?max_results=20")},
        "versions": {"hub": (hub_port, f"/api/models/{OWNER}/{DEEP}/versions"),
                     "mlflow": (mlflow_port, f"{api}/model-versions/search?max_results=100"
                                f"&filter=name%3D%27{DEEP}%27")},
        "download": {"hub": (hub_port, f"/{OWNER}/{BIG}/resolve/main/{BIG_FILE}"),
                     "mlflow": (mlflow_port, f"/model-versions/get-artifact?name={BIG}"
                                f"&version=1&path={BIG_FILE}"),
                     "nginx": (nginx_port, blob)},
    }  # fmt: skip


def check_answers(targets: dict, big_sha: str) -> dict[str, dict[str, tuple[int, float]]]:
    """Every URL answers 200, downloads are the right bytes; returns each answer's size and
    the time of that one request, alone (ms)."""
    sizes: dict[str, dict[str, tuple[int, float]]] = {}
    for endpoint, servers in targets.items():
        for server, (port, path) in servers.items():
            for _ in range(4):  # warm up every worker (new connection each time)
                body = fetch(port, path)
            times = []
            for _ in range(5):
                started = time.perf_counter()
                fetch(port, path)
                times.append((time.perf_counter() - started) * 1000)
            alone_ms = statistics.median(times)
            if endpoint == "download" and hashlib.sha256(body).hexdigest() != big_sha:
                raise RuntimeError(f"{server} served other bytes for {path}")
            if endpoint == "search" and b"vision" not in body:
                raise RuntimeError(f"{server} found nothing for {path}: {body[:200]!r}")
            sizes.setdefault(endpoint, {})[server] = (len(body), alone_ms)
    return sizes


def report(results: dict, sizes: dict, args: argparse.Namespace) -> None:
    print(f"\nmedians over {args.rounds} rounds, {args.clients} clients, {args.seconds} s each")
    head = f"{'endpoint':<10}{'server':<8}{'req/s':>8}{'MiB/s':>8}{'p50 ms':>9}{'p99 ms':>9}"
    print(head + f"{'errors':>8}{'bytes':>9}{'alone ms':>10}   ratio of medians")
    for endpoint, servers in results.items():
        rps = {s: statistics.median(r.rps for r in runs) for s, runs in servers.items()}
        mib = {s: statistics.median(r.mib_s for r in runs) for s, runs in servers.items()}
        for server, runs in servers.items():
            p50 = statistics.median(r.p50 for r in runs)
            p99 = statistics.median(r.p99 for r in runs)
            errors = sum(r.errors for r in runs)
            ratio = ""
            if server == "hub" and endpoint == "download":
                ratio = f"hub/mlflow {_ratio(mib, 'hub', 'mlflow')}  "
                ratio += f"hub/nginx {_ratio(mib, 'hub', 'nginx')}"
            elif server == "hub":
                ratio = f"hub/mlflow {_ratio(rps, 'hub', 'mlflow')} req/s"
            elif server == "mlflow" and endpoint == "download":
                ratio = f"mlflow/nginx {_ratio(mib, 'mlflow', 'nginx')}"
            size, alone = sizes[endpoint][server]
            done = all(r.requests for r in runs)  # else wrk's percentiles say nothing
            p50_text = f"{p50:.1f}" if done else f">{args.seconds * 1000}"
            p99_text = f"{p99:.1f}" if done else f">{args.seconds * 1000}"
            print(
                f"{endpoint:<10}{server:<8}{rps[server]:>8.1f}{mib[server]:>8.0f}{p50_text:>9}"
                f"{p99_text:>9}{errors:>8}{size:>9}{alone:>10.1f}   {ratio}"
            )
    for endpoint, goal in GOALS.items():
        if endpoint in results:
            print(f"goal, {endpoint}: {goal}")
    print("goal, download: hub >= 0.9x nginx")


def _ratio(values: dict[str, float], top: str, bottom: str) -> str:
    return f"{values[top] / values[bottom]:.2f}x" if values.get(bottom) else "n/a (0 below)"


def main() -> None:
    args = parse_args()
    venv = Path(args.mlflow_venv)
    if not (venv / "bin" / "mlflow").exists():
        sys.exit(
            f"no MLflow in {venv}: python -m venv {venv} && "
            f"{venv}/bin/pip install mlflow 'psycopg[binary]'"
        )
    load = load_wrk if shutil.which("wrk") and args.tool != "python" else load_python
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    procs: list[tuple[subprocess.Popen, bool]] = []  # (process, in its own session)
    try:
        print(f"load average at the start: {loadavg()}")
        recreate_databases()
        flush_redis(args.redis_url)
        started = time.monotonic()
        big_sha = hub_seed(hub_env(tmp, args.redis_url), args, tmp / "scratch")
        print(f"hub seeded: {args.models} models in {time.monotonic() - started:.1f} s")
        mlflow_port, hub_port, nginx_port = dl.free_port(), dl.free_port(), dl.free_port()
        mlflow_log = tmp / "mlflow.log"
        procs.append((start_mlflow(venv, mlflow_port, args, tmp, mlflow_log), True))
        wait_http(f"http://127.0.0.1:{mlflow_port}/health", procs[-1][0], mlflow_log)
        started = time.monotonic()
        big = dl_blob(tmp, big_sha)
        mlflow_seed(
            venv / "bin" / "python", f"http://127.0.0.1:{mlflow_port}", args, tmp / "scratch", big
        )
        print(f"MLflow seeded: {args.models} models in {time.monotonic() - started:.1f} s")
        hub_log = tmp / "gunicorn.log"
        procs.append((start_hub(hub_env(tmp, args.redis_url), hub_port, args, hub_log), False))
        wait_http(f"http://127.0.0.1:{hub_port}/healthz", procs[-1][0], hub_log)
        nginx_log = tmp / "nginx.log"
        nginx_dir = tmp / "nginx"
        nginx_dir.mkdir()
        procs.append((start_nginx(nginx_dir, nginx_port, tmp, args.workers, nginx_log), False))
        time.sleep(0.5)

        targets = plan(mlflow_port, hub_port, nginx_port, big_sha)
        if args.only:
            targets = {k: v for k, v in targets.items() if k in args.only}
        sizes = check_answers(targets, big_sha)
        print(
            f"hub: gunicorn gthread {args.workers} workers x {args.threads} threads, Redis cache;"
            f" MLflow: uvicorn {args.workers} workers; PostgreSQL for both; load: {load.__name__}"
            f", {args.clients} clients; {os.cpu_count()} cores shared by all"
        )
        results: dict[str, dict[str, list[Result]]] = {}
        for round_no in range(args.rounds):
            print(f"round {round_no + 1}/{args.rounds}, load average {loadavg()}", flush=True)
            for endpoint, servers in targets.items():
                order = list(servers.items())
                if round_no % 2:
                    order.reverse()
                for server, (port, path) in order:
                    waited = wait_quiet()
                    result = load(port, path, args.clients, args.seconds)
                    results.setdefault(endpoint, {}).setdefault(server, []).append(result)
                    print(
                        f"  {endpoint:<9}{server:<7}{result.rps:>8.0f} req/s {result.mib_s:>7.0f}"
                        f" MiB/s  p50 {result.p50:>7.1f}  p99 {result.p99:>7.1f} ms"
                        f"  errors {result.errors}  (waited {waited:.1f} s for quiet)",
                        flush=True,
                    )
        results = {
            e: dict(sorted(s.items(), key=lambda kv: ("hub", "mlflow", "nginx").index(kv[0])))
            for e, s in results.items()
        }
        report(results, sizes, args)
        boots = hub_log.read_text(errors="replace").count("Booting worker") - args.workers
        print(f"hub workers restarted during the run (gunicorn max_requests): {boots}")
        print(f"load average at the end: {loadavg()}")
    finally:
        for proc, own_session in reversed(procs):
            if own_session:
                stop_group(proc)
            else:
                dl.stop(proc, signal.SIGINT)
        shutil.rmtree(tmp, ignore_errors=True)
        drop_databases()


def dl_blob(tmp: Path, sha: str) -> Path:
    return tmp / "data" / "blobs" / "sha256" / sha[:2] / sha[2:4] / sha


def cpu_busy(seconds: float = 0.5) -> float:
    """Fraction of the machine's CPU time spent busy over the next `seconds` (/proc/stat)."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    total, idle = sample()
    time.sleep(seconds)
    total2, idle2 = sample()
    return 1 - (idle2 - idle) / max(total2 - total, 1)


def wait_quiet(limit: float = 60.0) -> float:
    """Until the servers have finished what the last clients left them (a slow server keeps
    working on queued requests after the load stops, which would tax the next phase)."""
    started = time.monotonic()
    while time.monotonic() - started < limit and cpu_busy() > 0.15:
        pass
    return time.monotonic() - started


def loadavg() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=20, help="versions of the deep model")
    parser.add_argument("--depth", type=int, default=10, help="models in the deep model's lineage")
    parser.add_argument("--download-mib", type=int, default=64)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="worker processes, both servers")
    parser.add_argument("--threads", type=int, default=4, help="threads per hub worker")
    parser.add_argument("--mlflow-venv", default="/tmp/mlflow-venv")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--only", nargs="*", help="info search list versions download")
    parser.add_argument("--tool", choices=["auto", "python"], default="auto")
    return parser.parse_args()


if __name__ == "__main__":
    main()
