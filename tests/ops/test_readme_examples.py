"""Every shell and Python example in README.md runs as written against a fresh `make run`.

The test starts `make run` on a free port with a fresh data folder, then runs the README's
code blocks in order in one bash session, from a folder that looks like the repository root
(`.venv` and `manage.py`), so a token made by the documented command, files written by one
block and variables exported by another carry on as they would in a reader's terminal. The
only change is the port: `127.0.0.1:8000` becomes the test's. A block is skipped only when the
line before its fence says `<!-- example: not run (why) -->`."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import service_unavailable

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)
NOT_RUN = re.compile(r"<!-- example: not run \((.+?)\) -->\s*$")
RUNNABLE = ("bash", "sh", "shell", "python")
STARTUP_SECONDS = 180  # migrate + the starter catalog (about 15 s) on a slow machine
README_PORT = "127.0.0.1:8000"


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int
    skip: str  # why it is not run; "" when it runs


def readme_blocks(text: str) -> list[Block]:
    blocks = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        reason = NOT_RUN.search(before)
        line = text.count("\n", 0, match.start()) + 1
        blocks.append(Block(match[1], match[2], line, reason[1] if reason else ""))
    return blocks


def script_of(blocks: list[Block], port: int) -> str:
    parts = ["set -euo pipefail"]
    for block in blocks:
        code = block.code.replace(README_PORT, f"127.0.0.1:{port}")
        parts.append(f"echo '=== README.md line {block.line} ({block.language}) ===' >&2")
        if block.language == "python":
            parts.append(f"python - <<'README_PYTHON'\n{code}README_PYTHON")
        else:
            parts.append(code)
    return "\n".join(parts) + "\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(data: Path, home: Path) -> dict[str, str]:
    """A reader's shell: the defaults `make run` documents (no test database or broker)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CELERY_", "HUB_", "HF_", "DJANGO_", "CACHE_"))
    }
    env.update(HUB_DATA_DIR=str(data), HF_HOME=str(home), HF_HUB_DISABLE_TELEMETRY="1")
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}"  # pip and python: the venv's
    return env


@pytest.fixture(scope="module")
def fresh_hub(tmp_path_factory):
    """`make run` with a fresh data folder (install skipped: the test runs inside it)."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("make run keeps its own SQLite database: runs in the SQLite pass")
    missing = [tool for tool in ("make", "curl", "base64", "sha256sum") if not shutil.which(tool)]
    if missing:
        service_unavailable(f"the README examples need {', '.join(missing)}")
    work = tmp_path_factory.mktemp("readme")
    env = clean_env(work / "var", work / "hf-home")
    port = free_port()
    log = open(work / "make-run.log", "wb")  # noqa: SIM115 - open while the server runs
    server = subprocess.Popen(
        ["make", "-o", ".venv/.installed", "run", "HOST=127.0.0.1", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the worker and server stop together
    )
    try:
        _wait_until_up(port, server, work / "make-run.log")
        yield port, env, work
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def _wait_until_up(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"make run stopped:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"make run did not answer in {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


def test_the_readme_skips_only_what_cannot_run_here():
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    skipped = [block for block in blocks if block.skip]
    assert all(block.language in RUNNABLE for block in blocks), [b.language for b in blocks]
    assert [block.code.split()[0] for block in skipped] == ["make", "cp"], skipped
    assert sum(1 for block in blocks if not block.skip and block.language == "python") >= 1


def test_every_example_runs_as_written(fresh_hub):
    port, env, work = fresh_hub
    blocks = [b for b in readme_blocks(README.read_text(encoding="utf-8")) if not b.skip]
    shell = work / "shell"  # where a reader stands: the repository root
    shell.mkdir()
    (shell / ".venv").symlink_to(ROOT / ".venv")
    (shell / "manage.py").symlink_to(ROOT / "manage.py")
    (work / "readme.sh").write_text(script_of(blocks, port))
    ran = subprocess.run(
        ["bash", str(work / "readme.sh")],
        cwd=shell,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, f"{ran.stderr[-6000:]}\n--- stdout ---\n{ran.stdout[-2000:]}"

    # What the examples did, read back over the API.
    hub = f"http://127.0.0.1:{port}"
    vad = httpx.get(f"{hub}/api/models/demo/vad").json()
    assert vad["private"] is False and vad["cardData"]["license"] == "mit"
    assert {s["rfilename"] for s in vad["siblings"]} >= {"README.md", "model.onnx"}
    assert httpx.get(f"{hub}/api/models/demo/my-vad").status_code in (200, 307)
    assert httpx.get(f"{hub}/api/models/demo/minilm-copy").status_code == 404  # deleted
    copy = httpx.get(f"{hub}/api/models/demo/silero-vad-copy").json()
    assert {s["rfilename"] for s in copy["siblings"]} == {"README.md", "config.json", "model.onnx"}
    weights = (shell / "rest.bin").stat().st_size
    assert weights == 14_194_264 - 1000  # the Range download: the file from byte 1000 on
    assert "=== README.md line" in ran.stderr  # every block announced itself
