"""A second, independent hub: its own process (gunicorn), SQLite database and blob folder,
migrated from scratch, with one user and a write token. The import tests fetch from it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parents[2]
SERVER = ("hub.wsgi:application", "--workers", "1", "--threads", "4", "--log-level", "warning")
SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from catalog.services.namespaces import namespace_for_user
from catalog.services.tokens import token_create
user = get_user_model().objects.create_user("upstream", "up@example.com", "upstream-pass-9")
namespace_for_user(user=user)
print(token_create(user=user, name="tests", scope="write")[1])
"""


@dataclass
class Upstream:
    url: str
    token: str
    process: subprocess.Popen


def upstream_env(folder: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HUB_", "DATABASE_", "CELERY_", "CACHE_", "HF_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="hub.settings",
        DATABASE_URL=f"sqlite:///{folder / 'hub.sqlite3'}",
        HUB_DATA_DIR=str(folder),
        HUB_BLOB_DIR=str(folder / "blobs"),
        FILE_UPLOAD_TEMP_DIR=str(folder / "tmp"),
        HUB_SEARCH_BACKEND="database",
        CELERY_BROKER_URL="memory://",
        LOG_LEVEL="WARNING",
        # Set (even empty) so a developer's .env cannot point this hub at shared services.
        HUB_S3_BUCKET="",
        CACHE_URL="",
        HUB_ACCEL_REDIRECT_PREFIX="",
        HUB_ACCEL_S3_PREFIX="",
    )
    return env


def start_upstream(folder: Path) -> Upstream:
    (folder / "tmp").mkdir(parents=True, exist_ok=True)
    env = upstream_env(folder)
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if setup.returncode:
        raise RuntimeError(f"upstream setup failed:\n{setup.stderr}")
    token = setup.stdout.strip().splitlines()[-1]
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *SERVER, "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "gunicorn.log", "wb"),  # noqa: SIM115 - lives as long as the server
    )
    url = f"http://127.0.0.1:{port}"
    _wait_until_up(url, process, folder)
    return Upstream(url=url, token=token, process=process)


def stop_upstream(upstream: Upstream) -> None:
    upstream.process.send_signal(signal.SIGINT)  # gunicorn: quick shutdown (TERM waits)
    try:
        upstream.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        upstream.process.kill()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((folder / "gunicorn.log").read_text())
        try:
            if httpx2.get(f"{url}/api/models", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"upstream hub did not start:\n{(folder / 'gunicorn.log').read_text()}")
