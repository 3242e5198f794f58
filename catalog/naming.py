"""Validation of names and repository paths (the rules the Hugging Face Hub applies)."""

from __future__ import annotations

import re

from catalog.errors import InvalidInput

NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$")
ALIAS_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,63}$")
REVISION_RE = re.compile(r"^[0-9a-f]{40}$")
VERSION_NUMBER_RE = re.compile(r"^v([1-9][0-9]{0,8})$")

# Top-level URL segments a namespace may not take.
RESERVED_NAMESPACES = frozenset(
    {
        "api",
        "accounts",
        "admin",
        "settings",
        "static",
        "media",
        "new",
        "models",
        "search",
        "datasets",
        "finetunes",
        "docs",
        "healthz",
        "readyz",
        "login",
        "logout",
        "signup",
        "organizations",
        "jobs",
        "about",
    }
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
    if value.lower() in RESERVED_NAMESPACES:
        raise InvalidInput(f"Namespace {value!r} is reserved; choose another name.")
    return value


def alias_validate(value: str) -> str:
    if not ALIAS_RE.match(value or "") or value == "main" or VERSION_NUMBER_RE.match(value):
        raise InvalidInput(
            f"Alias {value!r} is not allowed: use a letter then up to 63 letters, digits, '.', "
            "'_' or '-'; 'main' and 'vN' are reserved."
        )
    return value


def repo_path_validate(path: str) -> str:
    """A file path inside a version: relative, forward slashes, no traversal, no control chars."""
    problem = _repo_path_problem(path)
    if problem:
        raise InvalidInput(f"File name {path!r} is not allowed: {problem}.")
    return path


def _repo_path_problem(path: str) -> str | None:
    if not path:
        return "it is empty"
    if "\x00" in path:
        return "it contains a NUL byte"
    if any(ord(char) < 32 or ord(char) == 127 for char in path):
        return "it contains control characters"
    if "\\" in path:
        return "it contains a backslash; use '/' to separate folders"
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return "it is an absolute path; give a path relative to the model's root"
    parts = path.split("/")
    if any(part in {"", ".", ".."} for part in parts):
        return "it contains '..', '.' or an empty folder name"
    if len(path) > 1024:
        return "it is longer than 1024 characters"
    if parts[0] == ".git":
        return "'.git' is reserved"
    return None
