"""File names that hide what they are, or that git or an HTTP header would misread, are refused
with a reason; a download's Content-Disposition is safe for any name already stored."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote, unquote

import pytest

from catalog.models import Version, VersionFile
from tests.helpers import create_model, upload

pytestmark = pytest.mark.django_db

REFUSED = [
    (".GIT/config", "'.git' is reserved"),
    ("a/.git/config", "'.git' is reserved"),
    ("deep/er/.Git/HEAD", "'.git' is reserved"),
    ("x/.git./hooks/post-checkout", "'.git' is reserved"),  # Windows drops the trailing dot
    ("GIT~1/config", "'.git' is reserved"),  # its NTFS short name
    ("invoice\u202egnp.exe", "bidirectional control character (U+202E)"),
    ("a\u202ab", "bidirectional control character (U+202A)"),
    ("isolate\u2066d", "bidirectional control character (U+2066)"),
    ("mark\u200f.txt", "bidirectional control character (U+200F)"),
    ("arabic\u061cmark", "bidirectional control character (U+061C)"),
    ("zero\u200bwidth.txt", "zero-width character (U+200B)"),
    ("joiner\u200d.txt", "zero-width character (U+200D)"),
    ("word\u2060joiner", "zero-width character (U+2060)"),
    ("\ufeffbom.txt", "zero-width character (U+FEFF)"),
    ('say "hi".txt', "double quote"),
    ("bell\x07.txt", "control character or line break (U+0007)"),
    ("tab\t.txt", "control character or line break (U+0009)"),
    ("line\nbreak.txt", "control character or line break (U+000A)"),
    ("del\x7f.txt", "control character or line break (U+007F)"),
    ("next\x85line.txt", "control character or line break (U+0085)"),
    ("csi\x9b.txt", "control character or line break (U+009B)"),
    ("separator\u2028.txt", "control character or line break (U+2028)"),
    ("nul\x00.txt", "NUL byte"),
    ("lone\ud800.txt", "lone surrogate (U+D800)"),
]

ACCEPTED = [
    ".gitattributes",
    ".github/workflows/ci.yml",
    "gitignore",
    "a/b.git/c.txt",
    "résumé.txt",
    "模型/说明.txt",
    "spaces in name.txt",
]


def commit(api, repo: str, paths: list[str]):
    """One NDJSON commit (the Hub client's route); JSON escapes let any code point through."""
    lines = [{"key": "header", "value": {"summary": "names"}}]
    lines += [
        {"key": "file", "value": {"path": p, "content": base64.b64encode(b"x").decode()}}
        for p in paths
    ]
    body = "\n".join(json.dumps(line) for line in lines).encode()
    return api.generic(
        "POST", f"/api/models/{repo}/commit/main", body, content_type="application/x-ndjson"
    )


@pytest.fixture
def repo(api) -> str:
    create_model(api, "names")
    return "alice/names"


@pytest.mark.parametrize(("path", "reason"), REFUSED, ids=[ascii(p) for p, _ in REFUSED])
def test_path_is_refused_with_its_reason(api, repo, path, reason):
    response = commit(api, repo, [path])
    assert response.status_code == 400, response.content
    message = response.json()["error"]
    if "\x00" in path or any(0xD800 <= ord(c) <= 0xDFFF for c in path):
        # The request reader refuses these in any JSON string, before paths are looked at.
        assert "NUL character" in message
    else:
        assert reason in message and "is not allowed" in message
    assert not Version.objects.filter(model__name="names").exists()


def test_multipart_uploads_apply_the_same_rules(api, repo):
    for path in (".GIT/config", 'quo"te.bin', "rtl\u202e.txt"):
        response = upload(api, repo, [("f.bin", b"x")], paths=[path])
        assert response.status_code == 400 and "is not allowed" in response.json()["error"]


def test_ordinary_names_pass(api, repo):
    response = commit(api, repo, ACCEPTED)
    assert response.status_code == 200, response.content
    stored = set(
        VersionFile.objects.filter(version__model__name="names").values_list("path", flat=True)
    )
    assert stored == set(ACCEPTED)


@pytest.mark.parametrize(
    "name",
    ['we "quoted"; filename=evil.exe ü.bin', "模型.safetensors", "plain.bin", "100% sure.txt"],
)
def test_content_disposition_is_safe_for_any_stored_name(api, anon, repo, name):
    """Names stored before these rules (or by a future path) still give a well-formed
    header: RFC 6266 filename* carries the exact name, filename an ASCII stand-in."""
    assert commit(api, repo, ["carrier.bin"]).status_code == 200
    row = VersionFile.objects.get(path="carrier.bin")
    VersionFile.objects.create(version=row.version, path=f"dir/{name}", blob=row.blob)
    response = anon.get(f"/alice/names/resolve/main/dir/{quote(name)}")
    assert response.status_code == 200
    header = response["Content-Disposition"]
    # The whole header is one grammar: no name can break out of its parameter.
    match = re.fullmatch(
        r"attachment; filename=\"([^\"\\\\%;]+)\"; filename\*=UTF-8''([\w%.~-]+)", header
    )
    assert match, header
    fallback, encoded = match.groups()
    assert fallback.isascii() and encoded.isascii()
    assert unquote(encoded) == name
