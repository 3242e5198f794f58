"""Run the deployment's nginx config (docker/nginx/default.conf.template) on this machine:
the template is filled like the nginx image's envsubst does, inside a minimal nginx.conf."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "docker" / "nginx" / "default.conf.template"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render(template: str, values: dict[str, str]) -> str:
    """envsubst limited to the given names (the image substitutes only defined variables)."""
    return re.sub(r"\$\{([A-Z0-9_]+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


class Nginx:
    def __init__(self, workdir: Path, values: dict[str, str]) -> None:
        self.dir = workdir
        self.port = free_port()
        self.values = {"NGINX_PORT": f"127.0.0.1:{self.port}", **values}
        self.values.setdefault("NGINX_CACHE_DIR", str(workdir / "cache"))
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists())

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        site = self.dir / "default.conf"
        site.write_text(render(TEMPLATE.read_text(), self.values))
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers read 0700 temp dirs
        temps = "\n".join(
            f"    {kind}_temp_path {self.dir}/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        conf = self.dir / "nginx.conf"
        conf.write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {self.dir}/nginx.pid;\n"
            f"error_log {self.dir}/error.log warn;\nevents {{ worker_connections 256; }}\n"
            f"http {{\n    access_log off;\n    default_type application/octet-stream;\n"
            f"{temps}\n    include {site};\n}}\n"
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.dir), "-e", str(self.dir / "error.log"), "-c", str(conf)],
            stdout=(self.dir / "stdout.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"nginx did not listen: {self.log()}")

    def log(self) -> str:
        path = self.dir / "error.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
