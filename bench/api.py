"""Requests/s and latency of the model page, the model API and the search API under 50
concurrent keep-alive clients, on gunicorn as deployed (docker/gunicorn.conf.py: gthread).

Seeds a throw-away SQLite database (or --database-url) with synthetic public models through
the real services, starts gunicorn, and loads each endpoint for --seconds with wrk (Debian:
`apt-get install wrk`) or, without it, an asyncio HTTP/1.1 client in this process. Then the
pinned-revision API three ways, to show what caching an immutable answer gains:
  1. as served today (no cache headers);
  2. with catalog.api.caching applied (a bench-only URLconf wraps ModelDetail, the app's
     code is untouched) and the client revalidating with If-None-Match -> 304;
  3. through the deployment's nginx (docker/nginx), whose proxy_cache keeps the `public`
     answer: the app is not asked at all (needs nginx on PATH).

    .venv/bin/python bench/api.py [--seconds 10] [--connections 50] [--models 300]

Figures only; client and server share this machine's cores, so they are lower bounds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWNER, NAME = "bench", "vision-base"
WORDS = ["vision", "text", "speech", "news", "medical", "retail", "satellite", "legal", "music"]
TASKS = ["image-classification", "text-classification", "audio-classification"]

# A bench-only URLconf: the pinned-revision route with the caching helper around ModelDetail,
# exactly what the proposed 3-line change to ModelDetail.get does. Everything else: hub.urls.
CACHED_URLS = """
from django.urls import re_path
from catalog.api.caching import immutable_etag_response, is_pinned
from catalog.api.views import ModelDetail
from hub.urls import handler404, urlpatterns as hub_urlpatterns


class CachedModelDetail(ModelDetail):
    def get(self, request, owner, name, revision="main"):
        response = super().get(request, owner, name, revision)
        if is_pinned(revision):
            public = not response.data.get("private", True)
            return immutable_etag_response(request, response, public=public)
        return response


urlpatterns = [
    re_path(
        r"^api/models/(?P<owner>[^/]+)/(?P<name>[^/]+)/revision/(?P<revision>[^/]+)$",
        CachedModelDetail.as_view(),
    ),
    *hub_urlpatterns,
]
"""
BENCH_SETTINGS = "from hub.settings import *  # noqa\nROOT_URLCONF = 'bench_cached_urls'\n"


# --- the database -------------------------------------------------------------------------


def app_env(tmp: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DATABASE_"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)]),
        "HUB_DATA_DIR": str(tmp / "data"),
        "DATABASE_URL": database_url or f"sqlite:///{tmp / 'data' / 'bench.sqlite3'}",
        "DATABASE_CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": "filesystem://",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": "bench-api-" + "x" * 50,
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def seed(env: dict[str, str], models: int, scratch: Path) -> str:
    """Migrate and publish `models` public models (the first with 3 versions and a card);
    return the 40-hex revision of the first model's version 2."""
    os.environ.update(env)
    sys.path[:0] = [p for p in env["PYTHONPATH"].split(os.pathsep) if p not in sys.path]
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from catalog.blobs import stage_local_file
    from catalog.services.models import model_create
    from catalog.services.versions import version_publish

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_user(username=OWNER, password="bench-only-pw")
    scratch.mkdir(parents=True, exist_ok=True)
    pinned = ""
    for index in range(models):
        word = WORDS[index % len(WORDS)]
        name = NAME if index == 0 else f"{word}-model-{index}"
        model = model_create(
            user=user,
            name=name,
            task=TASKS[index % len(TASKS)],
            summary=f"A {word} model number {index} for the API benchmark",
            card=f"# {name}\n\nTrained on **{word}** data.\n\n" + "Some text. " * 80,
            tags=[word, "bench"],
        )
        for number in range(1, 4 if index == 0 else 2):
            config = scratch / f"{index}-{number}.json"
            config.write_text(f'{{"model_type": "bench", "index": {index}, "v": {number}}}')
            weights = scratch / f"{index}-{number}.raw"
            weights.write_bytes(os.urandom(4096))
            version = version_publish(
                model=model,
                files=[
                    stage_local_file("config.json", config),
                    stage_local_file("weights.raw", weights),
                ],
                author=user,
                message=f"v{number}",
            )
            if index == 0 and number == 2:
                pinned = version.revision
    connections.close_all()
    return pinned


# --- servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, threads: int, log: Path):
    env = env | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": str(threads),
    }
    cmd = [
        str(Path(sys.executable).with_name("gunicorn")),
        "hub.wsgi",
        "-c",
        str(ROOT / "docker" / "gunicorn.conf.py"),
        "--access-logfile",
        "/dev/null",
        "--worker-tmp-dir",
        tempfile.gettempdir(),
    ]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def start_nginx(tmp: Path, upstream_port: int) -> tuple[subprocess.Popen, int] | None:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not nginx:
        return None
    port = free_port()
    values = {
        "NGINX_PORT": f"127.0.0.1:{port}",
        "HUB_UPSTREAM": f"127.0.0.1:{upstream_port}",
        "HUB_S3_UPSTREAM": "127.0.0.1:9",
        "HUB_BLOB_ROOT": str(tmp / "data" / "blobs"),
        "HUB_STATIC_ROOT": str(tmp / "data" / "static"),
        "NGINX_CACHE_DIR": str(tmp / "nginx" / "cache"),
    }
    template = (ROOT / "docker" / "nginx" / "default.conf.template").read_text()
    site = re.sub(r"\$\{([A-Z0-9_]+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
    work = tmp / "nginx"
    work.mkdir(parents=True, exist_ok=True)
    (work / "site.conf").write_text(site)
    temps = "".join(f"{k}_temp_path {work}/{k}; " for k in ("client_body", "proxy", "fastcgi"))
    temps += f"uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi; "
    user = "user root;\n" if os.geteuid() == 0 else ""
    (work / "nginx.conf").write_text(
        f"{user}daemon off; worker_processes 1; pid {work}/nginx.pid;\n"
        f"error_log {work}/error.log warn;\nevents {{ worker_connections 1024; }}\n"
        f"http {{ access_log off; {temps}include {work}/site.conf; }}\n"
    )
    cmd = [nginx, "-p", str(work), "-e", str(work / "error.log"), "-c", str(work / "nginx.conf")]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT), port


def wait_ready(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} not ready in {seconds}s")


# --- load ---------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    requests: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    p50: float = 0.0
    p99: float = 0.0
    errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def finish(self) -> Result:
        if self.latencies_ms:
            cuts = statistics.quantiles(self.latencies_ms, n=100)
            self.p50, self.p99 = cuts[49], cuts[98]
        return self


async def _client(port, request: bytes, stop_at: float, result: Result) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
            if length:
                await reader.readexactly(int(length.group(1)))
            elif re.search(rb"\r\ntransfer-encoding: *chunked", head, re.I):
                while size := int((await reader.readline()).strip(), 16):
                    await reader.readexactly(size + 2)
                await reader.readline()
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            result.requests += 1
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        if os.environ.get("BENCH_DEBUG"):
            print(repr(exc), file=sys.stderr)
        result.errors += 1
    finally:
        writer.close()


def load_python(label, port, path, headers, connections, seconds) -> Result:
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode()

    async def run(duration: float, result: Result) -> Result:
        stop_at = time.monotonic() + duration
        started = time.monotonic()
        await asyncio.gather(*(_client(port, request, stop_at, result) for _ in range(connections)))
        result.seconds = time.monotonic() - started
        return result

    asyncio.run(run(1.0, Result(label)))  # warm-up: connections, caches, lazy imports
    return asyncio.run(run(seconds, Result(label))).finish()


def load_wrk(label, port, path, headers, connections, seconds) -> Result:
    wrk = shutil.which("wrk")
    base = [wrk, "-t2", f"-c{connections}", "--latency", "--timeout", "10s"]
    for key, value in headers.items():
        base += ["-H", f"{key}: {value}"]
    url = f"http://127.0.0.1:{port}{path}"
    subprocess.run([*base, "-d1s", url], capture_output=True, check=True)  # warm-up
    out = subprocess.run([*base, f"-d{seconds}s", url], capture_output=True, text=True).stdout
    result = Result(label, seconds=float(seconds))
    result.requests = int(re.search(r"(\d+) requests in", out).group(1))
    result.p50 = _wrk_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    result.p99 = _wrk_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result.errors = int(bad.group(1)) if bad else 0
    errors = re.search(r"Socket errors: (.*)", out)
    if errors:
        result.errors += sum(int(n) for n in re.findall(r"\d+", errors.group(1)))
    result.seconds = float(re.search(r"requests in ([\d.]+)s", out).group(1))
    return result


def _wrk_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def first_etag(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as response:
        return response.headers["ETag"]


# --- main ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--models", type=int, default=300)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp dir")
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
    load = load_wrk if tool == "wrk" else load_python

    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    procs: list[subprocess.Popen] = []
    try:
        (tmp / "bench_cached_urls.py").write_text(textwrap.dedent(CACHED_URLS))
        (tmp / "bench_settings.py").write_text(BENCH_SETTINGS)
        env = app_env(tmp, args.database_url)
        started = time.monotonic()
        pinned = seed(env, args.models, tmp / "scratch")
        print(f"seeded {args.models} models in {time.monotonic() - started:.1f} s")
        port = free_port()
        procs.append(start_gunicorn(env, port, args.workers, args.threads, tmp / "gunicorn.log"))
        wait_ready(f"http://127.0.0.1:{port}/healthz")
        nginx = start_nginx(tmp, port)
        if nginx:
            procs.append(nginx[0])
            wait_ready(f"http://127.0.0.1:{nginx[1]}/healthz")

        repo = f"{OWNER}/{NAME}"
        revision = f"/api/models/{repo}/revision/{pinned}"
        plan = [
            ("model page  /{owner}/{name}", port, f"/{repo}", {}),
            ("model API   /api/models/{o}/{n}", port, f"/api/models/{repo}", {}),
            ("search API  /api/models?search=", port, "/api/models?search=vision&limit=20", {}),
            ("pinned rev  200 (full answer)", port, revision, {}),
            (
                "pinned rev  If-None-Match -> 304",
                port,
                revision,
                {"If-None-Match": first_etag(port, revision)},
            ),
        ]
        if nginx:
            plan.append(("pinned rev  via nginx proxy_cache", nginx[1], revision, {}))
        print(
            f"gunicorn gthread {args.workers} workers x {args.threads} threads, "
            f"{args.connections} connections, {args.seconds} s each, client: {tool}, "
            f"{os.cpu_count()} cores shared by client and server\n"
        )
        print(f"{'endpoint':<38}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
        results = {}
        for label, target_port, path, headers in plan:
            result = load(label, target_port, path, headers, args.connections, args.seconds)
            results[label] = result
            print(
                f"{label:<38}{result.rps:>9.0f}{result.p50:>9.1f}{result.p99:>9.1f}"
                f"{result.errors:>8}"
            )
        base = results[plan[3][0]].rps
        print()
        for label, *_ in plan[4:]:
            print(
                f"gain over the uncached pinned answer, {label.split('  ')[1]}: "
                f"x{results[label].rps / base:.1f} req/s"
            )
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
