"""Shared fixtures. Each test gets its own blob folder and upload temp folder, so tests can
assert exactly which files exist afterwards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from rest_framework.test import APIClient

from catalog.blobs import stage_local_file
from catalog.services.namespaces import namespace_for_user
from catalog.services.tokens import token_create
from catalog.services.versions import OnHead, version_publish
from tests.s3 import s3_blobs, s3_endpoint  # noqa: F401  (fixtures for every test folder)

REQUIRE_SERVICES = os.environ.get("HUB_REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    for item in items:
        if "postgres" in item.keywords and "postgresql" not in engine:
            item.add_marker(pytest.mark.skip(reason="runs in the PostgreSQL pass"))


def service_unavailable(reason: str) -> None:
    """Skip locally; fail in CI, where every service must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """PBKDF2 is slow on purpose, which no test needs: MD5 for the whole run, as Read the Docs
    and the HackSoft example do (override_settings also resets Django's hasher cache)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate limits and download de-duplication live in the cache: start each test clean."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def isolated_storage(tmp_path: Path, settings):
    blobs = tmp_path / "blobs"
    temp = tmp_path / "upload-tmp"
    temp.mkdir()
    storages = dict(settings.STORAGES)
    storages["blobs"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(blobs), "allow_overwrite": True},
    }
    with override_settings(STORAGES=storages, FILE_UPLOAD_TEMP_DIR=str(temp)):
        yield {"blobs": blobs, "temp": temp}


@pytest.fixture
def make_user(db):
    def make(username: str = "alice", password: str = "correct-horse-9"):
        user = get_user_model().objects.create_user(username, f"{username}@example.com", password)
        namespace_for_user(user=user)
        return user

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def alice_token(alice) -> str:
    return token_create(user=alice, name="tests", scope="write")[1]


@pytest.fixture
def api(alice_token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    return client


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


def broker_purge() -> None:
    from hub.celery import app

    app.control.purge()


@pytest.fixture(scope="session")
def worker_blob_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("worker-blobs")


def share_with_workers(settings, blob_dir: Path) -> None:
    """What worker processes share with the test: the broker (Redis in CI) and the blobs."""
    if REQUIRE_SERVICES and not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("CI must run worker tests on Redis: set CELERY_BROKER_URL=redis://...")
    storages = dict(settings.STORAGES)
    storages["blobs"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(blob_dir), "allow_overwrite": True},
    }
    settings.STORAGES = storages


@pytest.fixture
def live_worker(request, worker_blob_dir, tmp_path, settings, django_db_blocker):
    """A real worker on the configured broker. Tests that use it need transactional DB access
    (`django_db(transaction=True)`) so the worker sees committed rows."""
    from tests.worker import Worker

    share_with_workers(settings, worker_blob_dir)
    from hub.celery import app

    extra = getattr(request, "param", None) or {}
    worker = Worker(worker_blob_dir, tmp_path / "worker.log", extra_env=extra)
    app.conf.task_default_queue = worker.queue
    broker_purge()
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def publish(tmp_path: Path):
    """Publish files as a new version on top of the latest (services, not HTTP): the setup
    of read and fine-tune tests. ``user`` defaults to the model's creator; a ``parent``
    version links it there instead of to the head."""
    counter = iter(range(1_000_000))

    def publish_files(model, files: dict[str, bytes], *, user=None, **kwargs):
        staged = []
        for path, data in files.items():
            local = tmp_path / "src" / str(next(counter))
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(data)
            staged.append(stage_local_file(path, local))
        return version_publish(
            model=model,
            files=staged,
            author=user or model.created_by,
            # On top of the head, unless the caller names the parent (or how to use the head).
            on_head=kwargs.pop("on_head", OnHead.NONE if "parent" in kwargs else OnHead.ADD),
            **kwargs,
        )

    return publish_files
