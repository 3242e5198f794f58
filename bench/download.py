"""Download throughput of the resolve endpoint (gunicorn) against nginx, from the same file.

Publishes one large file as a model version in a throw-away data dir, starts gunicorn on
the real stack (hub.wsgi, local blob storage) and nginx (sendfile on) over the same blob
folder, then times full downloads and a Range request in the middle of the file with a
Python client that discards the body. Prints MiB/s, the app/nginx ratio, the app workers'
RSS growth and their CPU time and read/write syscall counts (sendfile shows as a handful
of syscalls and almost no user CPU; a Python copy loop as hundreds of thousands).

    .venv/bin/python bench/download.py [--size-mib 1024] [--runs 3] [--range-mib 256]

Figures only: nothing here fails on a slow result.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
CHUNK = 8 * MIB
READ_BUFFER = 4 * MIB
GOAL_RATIO = 0.7
GOAL_RSS_MIB = 64
OWNER, MODEL, FILE_PATH = "bench", "download-bench", "weights.raw"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the file and the model version -------------------------------------------------------


def make_file(path: Path, size: int) -> None:
    """`size` random-ish bytes, fast: one random block repeated, each copy tagged with its
    index so that no two MiB-aligned windows of the file are equal."""
    block = bytearray(os.urandom(CHUNK))
    block[:8] = b"HUBBENCH"  # not a pickle/zip/safetensors magic: scanning lets it through
    with path.open("wb") as out:
        for index, offset in enumerate(range(0, size, CHUNK)):
            for mib in range(0, CHUNK, MIB):
                block[mib + 8 : mib + 16] = (index * CHUNK + mib).to_bytes(8, "little")
            out.write(memoryview(block)[: min(CHUNK, size - offset)])


def app_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DATABASE_"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "hub.settings",
        "HUB_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "bench-download-not-secret",
        "PYTHONUNBUFFERED": "1",
    }


def publish(env: dict[str, str], source: Path) -> tuple[str, str]:
    """Migrate a fresh database and publish `source` as version 1 of a public model.
    Returns (url path of the resolve endpoint, blob sha256). Runs in this process."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
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
    model = model_create(user=user, name=MODEL)
    staged = stage_local_file(FILE_PATH, source)
    version = version_publish(model=model, files=[staged], author=user, message="bench")
    connections.close_all()
    return f"/{model.namespace.name}/{model.name}/resolve/{version.revision}/{FILE_PATH}", (
        staged.sha256
    )


# --- servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_config(tmp: Path, port: int, root: Path) -> Path:
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the 0700 temp dir
    temps = "\n".join(
        f"    {kind}_temp_path {tmp}/{kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"""{user}daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    default_type application/octet-stream;
{temps}
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""
    )
    return conf


def start_nginx(tmp: Path, port: int, root: Path, log: Path) -> subprocess.Popen:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    conf = nginx_config(tmp, port, root)
    cmd = [nginx, "-p", str(tmp), "-e", str(tmp / "nginx-error.log"), "-c", str(conf)]
    return subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    cmd = [gunicorn, "hub.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def wait_ready(
    proc: subprocess.Popen, port: int, path: str, log: Path, seconds: float = 60
) -> None:
    """Until a HEAD of `path` answers 200 (this also warms the app: URLconf, views, DB)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{tail(log)}")
        with suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("HEAD", path)
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
            raise RuntimeError(f"HEAD {path} on port {port} answered {status}:\n{tail(log)}")
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} not ready after {seconds}s:\n{tail(log)}")


def warm_workers(port: int, path: str, workers: int, rounds: int = 2) -> None:
    """Make every sync worker serve a HEAD before RSS is measured: `workers` connections are
    opened first, so each worker accepts one and blocks on it, then the requests are sent."""
    request = f"HEAD {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    for _ in range(rounds):
        socks = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(workers)]
        try:
            time.sleep(0.3)
            for sock in socks:
                sock.sendall(request.encode())
            for sock in socks:
                while sock.recv(65536):
                    pass
        finally:
            for sock in socks:
                sock.close()


def tail(log: Path, lines: int = 30) -> str:
    with suppress(OSError):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    return ""


def stop(proc: subprocess.Popen, sig: int) -> None:
    """Stop a server started here and the workers it forked (by pid, SIGKILL if slow).
    gunicorn gets SIGINT (quick shutdown: a worker mid-sendfile does not wait for it)."""
    if proc.poll() is not None:
        return
    workers = children(proc.pid)
    proc.send_signal(sig)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    for pid in workers:
        with suppress(OSError):
            os.kill(pid, signal.SIGKILL)


# --- the client ---------------------------------------------------------------------------


@dataclass
class Fetch:
    nbytes: int
    seconds: float
    sha256: str | None

    @property
    def mib_s(self) -> float:
        return self.nbytes / MIB / self.seconds


def fetch(port: int, path: str, *, byte_range: tuple[int, int] | None, digest: bool) -> Fetch:
    """GET `path`, stream the body into one buffer and drop it (or hash it)."""
    headers = {"Range": f"bytes={byte_range[0]}-{byte_range[1]}"} if byte_range else {}
    expected_status = 206 if byte_range else 200
    buffer = bytearray(READ_BUFFER)
    view = memoryview(buffer)
    hasher = hashlib.sha256() if digest else None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    resp = None
    try:
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        if resp.status != expected_status:
            raise RuntimeError(f"GET {path} on port {port}: {resp.status}, {resp.read(300)!r}")
        total = 0
        while n := resp.readinto(buffer):
            total += n
            if hasher:
                hasher.update(view[:n])
        seconds = time.perf_counter() - started
    finally:
        if resp is not None:
            resp.close()  # else resp.fp keeps the socket open after conn.close()
        conn.close()
    length = byte_range[1] - byte_range[0] + 1 if byte_range else None
    if length is not None and total != length:
        raise RuntimeError(f"GET {path} on port {port}: {total} bytes, expected {length}")
    return Fetch(total, seconds, hasher.hexdigest() if hasher else None)


def file_sha256(path: Path, start: int = 0, length: int | None = None) -> str:
    hasher = hashlib.sha256()
    remaining = path.stat().st_size - start if length is None else length
    with path.open("rb") as f:
        f.seek(start)
        while remaining > 0 and (data := f.read(min(CHUNK, remaining))):
            hasher.update(data)
            remaining -= len(data)
    return hasher.hexdigest()


# --- app worker probes: RSS, CPU time, syscalls -------------------------------------------


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return sorted(found)


def status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def reset_peak_rss(pid: int) -> bool:
    """Reset VmHWM (Linux >= 4.0, needs ptrace rights), so it becomes the peak from now on."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Counters:
    user_s: float
    sys_s: float
    syscalls: int

    def __sub__(self, other: Counters) -> Counters:
        return Counters(
            self.user_s - other.user_s, self.sys_s - other.sys_s, self.syscalls - other.syscalls
        )


def counters(pids: list[int]) -> Counters:
    """Summed user/sys CPU and read+write-class syscalls (sendfile counts once per call)."""
    user = system = calls = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        user += int(fields[11])
        system += int(fields[12])
        with suppress(OSError):  # /proc/<pid>/io needs ptrace rights
            io = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
            calls += int(io["syscr"]) + int(io["syscw"])
    return Counters(user / CLOCK_TICKS, system / CLOCK_TICKS, calls)


@dataclass
class RssSampler:
    """Samples VmRSS of the workers every few ms in a thread; keeps each one's peak."""

    pids: list[int]
    interval: float = 0.005
    baseline: dict[int, int] = field(default_factory=dict)
    peak: dict[int, int] = field(default_factory=dict)
    hwm_reset: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.baseline = {pid: status_kib(pid, "VmRSS") for pid in self.pids}
        self.peak = dict(self.baseline)
        self.hwm_reset = all(reset_peak_rss(pid) for pid in self.pids)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample("VmRSS")

    def _sample(self, key: str) -> None:
        for pid in self.pids:
            with suppress(OSError, KeyError):
                self.peak[pid] = max(self.peak[pid], status_kib(pid, key))

    @contextmanager
    def running(self) -> Iterator[RssSampler]:
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
            self._sample("VmRSS")
            if self.hwm_reset:
                self._sample("VmHWM")

    def worst(self) -> tuple[float, float, float]:
        """(baseline, peak, growth) in MiB of the worker that grew most."""
        pid = max(self.pids, key=lambda p: self.peak[p] - self.baseline[p])
        base, top = self.baseline[pid] / 1024, self.peak[pid] / 1024
        return base, top, top - base


# --- the benchmark ------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    port: int
    path: str


def timed_runs(
    targets: list[Target], runs: int, byte_range: tuple[int, int] | None
) -> dict[str, list[Fetch]]:
    """Interleaved (app, nginx, app, nginx, ...) so drift hits both alike."""
    results: dict[str, list[Fetch]] = {t.name: [] for t in targets}
    for _ in range(runs):
        for target in targets:
            results[target.name].append(
                fetch(target.port, target.path, byte_range=byte_range, digest=False)
            )
    return results


def verify(targets: list[Target], source: Path, sha: str, byte_range: tuple[int, int]) -> None:
    """One full app download and each server's Range answer, hashed against the file.
    Untimed; also pulls the file into the page cache before the timed runs."""
    app = targets[0]
    full = fetch(app.port, app.path, byte_range=None, digest=True)
    if full.sha256 != sha:
        raise RuntimeError(f"full download from {app.name}: sha256 {full.sha256} != {sha}")
    start, end = byte_range
    want = file_sha256(source, start, end - start + 1)
    for target in targets:
        got = fetch(target.port, target.path, byte_range=byte_range, digest=True).sha256
        if got != want:
            raise RuntimeError(f"Range answer from {target.name}: sha256 {got} != {want}")


def ratios(results: dict[str, list[Fetch]]) -> tuple[float, float]:
    """app/nginx of the best runs and of the medians (the verdict uses the median: one lucky
    run of either server on a busy machine swings the best-of ratio)."""
    best = [max(f.mib_s for f in results[k]) for k in ("app", "nginx")]
    median = [statistics.median(f.mib_s for f in results[k]) for k in ("app", "nginx")]
    return best[0] / best[1], median[0] / median[1]


def row(label: str, results: dict[str, list[Fetch]]) -> str:
    app, nginx = (max(f.mib_s for f in results[k]) for k in ("app", "nginx"))
    medians = [statistics.median(f.mib_s for f in results[k]) for k in ("app", "nginx")]
    best_ratio, median_ratio = ratios(results)
    return (
        f"{label:<24}{app:>9.0f} ({medians[0]:>5.0f}){nginx:>9.0f} ({medians[1]:>5.0f})"
        f"{best_ratio:>7.2f} ({median_ratio:.2f})"
    )


def report(
    args: argparse.Namespace,
    full: dict[str, list[Fetch]],
    ranged: dict[str, list[Fetch]],
    sampler: RssSampler,
    cpu: dict[str, Counters],
) -> None:
    ratio, range_ratio = ratios(full)[1], ratios(ranged)[1]
    base, peak, growth = sampler.worst()
    extra = os.environ.get("GUNICORN_CMD_ARGS", "").strip()
    extra_args = f" {extra}. " if extra else ". "
    print(
        f"\nDownload benchmark: {args.size_mib} MiB file, {args.runs} runs each, "
        f"loopback, {os.cpu_count()} CPUs, gunicorn -w {args.workers}{extra_args}"
        "MiB/s best (median)."
    )
    print(f"{'':<24}{'app (gunicorn)':>17}{'nginx':>17}{'app/nginx':>14}")
    print(row("full file", full))
    print(row(f"range {args.range_mib} MiB, middle", ranged))
    peak_how = "VmHWM + sampling" if sampler.hwm_reset else "sampling every 5 ms"
    print(
        f"app worker RSS (MiB)    before {base:.1f}  peak {peak:.1f}  growth {growth:.1f}"
        f"  ({peak_how}; worst of {len(sampler.pids)} workers, each warmed by a HEAD)"
    )
    for label, c in cpu.items():
        print(
            f"app workers, {label:<11}user CPU {c.user_s:.2f} s  sys CPU {c.sys_s:.2f} s  "
            f"read/write/sendfile syscalls {c.syscalls}"
        )
    ok = ratio >= GOAL_RATIO and range_ratio >= GOAL_RATIO and growth < GOAL_RSS_MIB
    print(
        f"goal (>= {GOAL_RATIO} of nginx, RSS growth < {GOAL_RSS_MIB} MiB): "
        f"{'met' if ok else 'NOT met'} (median ratio full {ratio:.2f}, range {range_ratio:.2f}, "
        f"RSS +{growth:.1f} MiB)"
    )


def bench(args: argparse.Namespace, tmp: Path, procs: list[tuple[subprocess.Popen, int]]) -> None:
    size = args.size_mib * MIB
    source = tmp / "source.raw"
    data_dir = tmp / "data"
    env = app_env(data_dir)
    t0 = time.monotonic()
    make_file(source, size)
    path, sha = publish(env, source)
    source.unlink()  # the blob store holds the copy both servers read
    blob = data_dir / "blobs" / "sha256" / sha[:2] / sha[2:4] / sha
    if not blob.is_file():
        raise RuntimeError(f"blob not at {blob}; did HUB_BLOB_DIR change?")
    print(f"setup: {args.size_mib} MiB published in {time.monotonic() - t0:.1f} s", flush=True)

    app_port, nginx_port = free_port(), free_port()
    gunicorn = start_gunicorn(env, app_port, args.workers, tmp / "gunicorn.log")
    procs.append((gunicorn, signal.SIGINT))
    nginx = start_nginx(tmp, nginx_port, data_dir / "blobs", tmp / "nginx.log")
    procs.append((nginx, signal.SIGTERM))
    targets = [
        Target("app", app_port, path),
        Target("nginx", nginx_port, f"/sha256/{sha[:2]}/{sha[2:4]}/{sha}"),
    ]
    wait_ready(gunicorn, app_port, path, tmp / "gunicorn.log")
    wait_ready(nginx, nginx_port, targets[1].path, tmp / "nginx.log")

    range_len = min(args.range_mib * MIB, size // 2)
    start = size // 2 - range_len // 2
    byte_range = (start, start + range_len - 1)
    workers = children(gunicorn.pid)
    warm_workers(app_port, path, len(workers))
    sampler = RssSampler(workers)  # baseline: after the warm-up HEAD, before any body
    cpu: dict[str, Counters] = {}
    with sampler.running():
        verify(targets, blob, sha, byte_range)
        before = counters(workers)
        full = timed_runs(targets, args.runs, None)
        middle = counters(workers)
        ranged = timed_runs(targets, args.runs, byte_range)
        cpu[f"{args.runs} full:"] = middle - before
        cpu[f"{args.runs} ranges:"] = counters(workers) - middle
    if "WORKER TIMEOUT" in tail(tmp / "gunicorn.log", 200):
        print("warning: gunicorn killed a worker mid-download (WORKER TIMEOUT)")
    report(args, full, ranged, sampler, cpu)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="file size (default 1024)")
    parser.add_argument("--runs", type=int, default=5, help="timed downloads per case")
    parser.add_argument("--range-mib", type=int, default=256, help="Range request length")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    if args.size_mib < 2 or args.runs < 1 or args.range_mib < 1:
        parser.error("need --size-mib >= 2, --runs >= 1, --range-mib >= 1")
    return args


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, _terminate)
    tmp = Path(tempfile.mkdtemp(prefix="hub-bench-download-"))
    procs: list[tuple[subprocess.Popen, int]] = []
    try:
        bench(args, tmp, procs)
    finally:
        for proc, sig in reversed(procs):
            stop(proc, sig)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
