"""Make the database or the broker unreachable for a while, without touching the servers:
the app's connection settings point at a port where nothing listens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from tests.ops.nginx import free_port


@contextmanager
def database_unreachable() -> Iterator[None]:
    """Needs a transactional test: the current connection is closed and reopened after."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-hub-dir/down.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@contextmanager
def broker_unreachable(settings) -> Iterator[str]:
    """The web side's Celery producer (and /readyz) use a closed port meanwhile."""
    from hub.celery import app

    url = f"redis://127.0.0.1:{free_port()}/0"
    saved_setting = settings.CELERY_BROKER_URL
    _use_broker(app, url)
    settings.CELERY_BROKER_URL = url
    try:
        yield url
    finally:
        _use_broker(app, None)
        settings.CELERY_BROKER_URL = saved_setting


def _use_broker(app, url: str | None) -> None:
    app.conf.broker_write_url = url  # None: back to broker_url (what producers use)
    app._pool = None  # the connection and producer pools were built for the old URL
    app.amqp._producer_pool = None
