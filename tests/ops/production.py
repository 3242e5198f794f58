"""Run manage.py and friends in a subprocess with a production-like environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "hub.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://hub.example.com",
    "HUB_BEHIND_PROXY": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "LOG_FORMAT": "json",
}


def secret_key() -> str:
    return secrets.token_urlsafe(50)  # 67 characters, what `check --deploy` wants


def run_manage(
    args: list[str], env: dict[str, str], data_dir: Path
) -> subprocess.CompletedProcess[str]:
    return _run(["manage.py", *args], env, data_dir)


def run_python(code: str, env: dict[str, str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    return _run(["-c", code], env | {"DJANGO_SETTINGS_MODULE": "hub.settings"}, data_dir)


def _run(args: list[str], env: dict[str, str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    """The app's own variables are dropped from this process's environment first, so
    only `env` (over the defaults) decides."""
    base = {k: v for k, v in os.environ.items() if not _app_variable(k)}
    full = base | {"HUB_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"} | env
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=120
    )


def _app_variable(name: str) -> bool:
    prefixes = ("HUB_", "DATABASE_", "SECURE_", "CELERY_", "DJANGO_")
    exact = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "LOG_FORMAT"}
    return name.startswith(prefixes) or name in exact or name.endswith("_COOKIE_SECURE")
