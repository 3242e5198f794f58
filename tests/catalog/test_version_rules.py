"""Rules a new version must satisfy against the files it inherits: no two paths that are one
file on a case-insensitive or normalising filesystem, and a file limit that counts inherited
files too."""

from __future__ import annotations

import unicodedata

import pytest

from catalog.models import Version
from tests.helpers import create_model, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("README.md", "readme.md"),
        ("weights/Model.txt", "WEIGHTS/model.txt"),
        (unicodedata.normalize("NFC", "café.txt"), unicodedata.normalize("NFD", "café.txt")),
        ("straße.txt", "STRASSE.txt"),
    ],
)
def test_colliding_paths_are_refused_within_and_across_commits(api, first, second):
    create_model(api, "m")
    together = upload(api, "alice/m", [(first, b"one"), (second, b"two")])
    assert together.status_code == 400, together.content
    assert "collides with" in together.json()["error"]
    assert upload(api, "alice/m", [(first, b"one")]).status_code == 201
    later = upload(api, "alice/m", [(second, b"two")])
    assert later.status_code == 400 and "rename one" in later.json()["error"]
    # Replacing the file under its own name, or replacing the whole version, is fine.
    assert upload(api, "alice/m", [(first, b"new")]).status_code == 201
    assert upload(api, "alice/m", [(second, b"two")], mode="replace").status_code == 201
    assert Version.objects.filter(model__name="m").count() == 3


def test_file_limit_counts_inherited_files(api, settings):
    settings.HUB_MAX_FILES_PER_VERSION = 3
    create_model(api, "m")
    assert upload(api, "alice/m", [("a.txt", b"a"), ("b.txt", b"b")]).status_code == 201
    over = upload(api, "alice/m", [("c.txt", b"c"), ("d.txt", b"d")])
    assert over.status_code == 400
    assert "would hold 4 files, inherited ones included" in over.json()["error"]
    assert upload(api, "alice/m", [("c.txt", b"c")], delete=["a.txt"]).status_code == 201
    assert upload(api, "alice/m", [("d.txt", b"d")], mode="replace").status_code == 201


def test_a_path_cannot_be_both_a_file_and_a_folder(api):
    create_model(api, "m")
    assert upload(api, "alice/m", [("weights", b"a")]).status_code == 201
    clash = upload(api, "alice/m", [("Weights/part1.txt", b"b")])
    assert clash.status_code == 400 and "both a file and a folder" in clash.json()["error"]
    together = upload(api, "alice/m", [("x/y", b"a"), ("x/y/z.txt", b"b")], mode="replace")
    assert together.status_code == 400
