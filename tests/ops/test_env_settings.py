"""Settings from the environment parse strictly: a typo stops the start with a message that
names the variable, in-process and through `manage.py check` as a deploy would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from hub.env import env_bool, env_int

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("raw", "expected"), [("1", True), (" Yes ", True), ("off", False)])
def test_booleans_in_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("HUB_TEST_FLAG", raw)
    assert env_bool("HUB_TEST_FLAG", not expected) is expected


def test_an_unset_or_empty_value_takes_the_default(monkeypatch):
    monkeypatch.setenv("HUB_TEST_FLAG", "")
    assert env_bool("HUB_TEST_FLAG", True) is True
    monkeypatch.delenv("HUB_TEST_FLAG")
    assert env_int("HUB_TEST_FLAG", 7) == 7


@pytest.mark.parametrize("raw", ["ture", "2", "enabled"])
def test_a_boolean_typo_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("HUB_TEST_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match=f"HUB_TEST_FLAG='{raw}' is not a boolean"):
        env_bool("HUB_TEST_FLAG")


def test_numbers_accept_underscores_and_refuse_words(monkeypatch):
    monkeypatch.setenv("HUB_TEST_NUMBER", "1_000")
    assert env_int("HUB_TEST_NUMBER", 0) == 1000
    monkeypatch.setenv("HUB_TEST_NUMBER", "10GB")
    with pytest.raises(ImproperlyConfigured, match="HUB_TEST_NUMBER='10GB' is not a whole number"):
        env_int("HUB_TEST_NUMBER", 0)


def test_the_site_refuses_to_start_on_a_typo():
    env = {**os.environ, "DEBUG": "ture", "DATABASE_URL": "sqlite:////tmp/env-check.sqlite3"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr
