"""Production settings: `check --deploy` is clean with the production variables (and is not
with the development defaults), probes stay on plain HTTP, logs are JSON, static files get
hashed, pre-compressed names."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.ops.production import PRODUCTION_ENV, run_manage, run_python, secret_key


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    env = PRODUCTION_ENV | {"SECRET_KEY": secret_key()}
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_development_defaults(tmp_path):
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], {}, tmp_path)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W009", "security.W018"):
        assert warning in result.stderr + result.stdout, warning


@pytest.mark.django_db
def test_ssl_redirect_spares_the_probes(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # a fresh handler reads the overridden settings
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code in (200, 503)
    redirected = client.get("/models")
    assert redirected.status_code == 301 and redirected["Location"].startswith("https://")
    # Behind the proxy, a request that came in over TLS is not redirected again.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert Client().get("/models", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_logs_are_one_json_object_per_line(tmp_path):
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('catalog.x').warning('job %s stuck', 'j1', extra={'job': 'j1'})"
    )
    result = run_python(code, PRODUCTION_ENV | {"SECRET_KEY": secret_key()}, tmp_path)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["level"] == "WARNING" and line["logger"] == "catalog.x"
    assert line["message"] == "job j1 stuck" and line["job"] == "j1" and "time" in line


def test_collectstatic_writes_hashed_compressed_files(tmp_path):
    env = {"HUB_STATIC_MANIFEST": "1", "STATIC_ROOT": str(tmp_path / "static")}
    result = run_manage(["collectstatic", "--noinput", "-v", "0"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    hashed = manifest["admin/css/base.css"]
    assert hashed != "admin/css/base.css"  # content hash in the name: cacheable forever
    assert (tmp_path / "static" / f"{hashed}.gz").exists()
