"""JSON shapes of the Hub-protocol routes (refs, tree and paths-info entries, commits), in
the Hub's field names. A file's `oid` is its git object id as the Hub reports it (the blob's,
or for an LFS file its pointer's: catalog.gitobjects); `lfs` appears only for LFS files."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.html import escape

from catalog.ancestry import Ancestry
from catalog.errors import EntryNotFound
from catalog.gitobjects import lfs_pointer
from catalog.history import LastCommit
from catalog.models import Alias, Version, VersionFile


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def git_ref(name: str, kind: str, sha: str) -> dict:
    return {"name": name, "ref": f"refs/{kind}/{name}", "targetCommit": sha}


def refs_json(latest: Version | None, versions: Iterable[Version], aliases: Iterable[Alias]):
    """`main` is the branch; every version is a tag `vN`, and so is every alias."""
    tags = [git_ref(f"v{v.number}", "tags", v.revision) for v in versions]
    tags += [git_ref(alias.name, "tags", alias.version.revision) for alias in aliases]
    return {
        "branches": [git_ref("main", "heads", latest.revision)] if latest else [],
        "converts": [],
        "tags": tags,
        "pullRequests": [],
    }


def commit_title_message(text: str) -> tuple[str, str]:
    """A version message as git shows it: the first line, and the rest."""
    title, _, rest = text.strip().partition("\n")
    return title.strip(), rest.strip()


def commit_json(version: Version, ancestry: Ancestry, *, formatted: bool = False) -> dict:
    title, message = commit_title_message(ancestry.text(version.message))
    author = version.author.get_username() if version.author else None
    entry = {
        "id": version.revision,
        "title": title or f"v{version.number}",
        "message": message,
        "authors": [{"user": author, "avatar": None}] if author else [],
        "date": iso(version.created_at),
    }
    if formatted:  # `expand[]=formatted`: the same text, as HTML
        entry["formatted"] = {
            "title": escape(entry["title"]),
            "message": escape(message).replace("\n", "<br>"),
        }
    return entry


def last_commit_json(commit: LastCommit, ancestry: Ancestry) -> dict:
    title, _ = commit_title_message(ancestry.text(commit.message))
    return {
        "id": commit.revision,
        "title": title or f"v{commit.number}",
        "date": iso(commit.created_at),
    }


@dataclass(frozen=True)
class RepoFile:
    """One file of a version as the Hub's git view shows it."""

    path: str
    sha256: str
    size: int
    lfs: bool
    oid: str
    scan: str

    @classmethod
    def of(cls, row: VersionFile) -> RepoFile:
        meta = row.metadata or {}
        return cls(
            row.path,
            row.blob_id,
            row.blob.size,
            meta["lfs"],
            meta["git_oid"],
            meta.get("scan") or "",
        )


@dataclass(frozen=True)
class Expansion:
    """What `expand=True` adds: scan results and, per path, the last commit (JSON)."""

    last: dict[str, dict]


def file_entry(file: RepoFile, expand: Expansion | None = None) -> dict:
    entry: dict = {"type": "file", "path": file.path, "size": file.size, "oid": file.oid}
    if file.lfs:
        pointer_size = len(lfs_pointer(file.sha256, file.size))
        entry["lfs"] = {"oid": file.sha256, "size": file.size, "pointerSize": pointer_size}
    if expand is not None:
        entry["lastCommit"] = expand.last.get(file.path)
        entry["securityFileStatus"] = security_status(file.scan)
    return entry


def folder_entry(name: str, members: list[RepoFile], expand: Expansion | None = None) -> dict:
    entry: dict = {"type": "directory", "path": name, "size": 0, "oid": _folder_oid(members)}
    if expand is not None:
        commits = [expand.last[f.path] for f in members if f.path in expand.last]
        entry["lastCommit"] = max(commits, key=lambda c: c["date"]) if commits else None
    return entry


def security_status(scan: str) -> dict:
    """The Hub's per-file scan result (`expand=True`); files stored before the scanner
    recorded a verdict read as "unscanned"."""
    return {"status": scan or "unscanned", "avScan": None, "pickleImportScan": None}


def tree_entries(
    files: Iterable[RepoFile],
    *,
    folder: str = "",
    recursive: bool = False,
    expand: Expansion | None = None,
) -> list[dict]:
    """Entries under `folder`: its files and folders, or everything below it when
    `recursive` (folders included, as the Hub lists them)."""
    prefix = f"{folder.strip('/')}/" if folder.strip("/") else ""
    entries: list[dict] = []
    members: dict[str, list[RepoFile]] = {}  # folder -> the files below it
    for file in files:
        if not file.path.startswith(prefix):
            continue
        parts = file.path[len(prefix) :].split("/")
        for depth in range(1, len(parts)):
            members.setdefault(prefix + "/".join(parts[:depth]), []).append(file)
        if recursive or len(parts) == 1:
            entries.append(file_entry(file, expand))
    if prefix and not entries and not members:
        raise EntryNotFound(f"{folder!r} is not a folder of this revision.")
    depth_of = len(prefix.split("/")) if prefix else 1
    entries += [
        folder_entry(name, below, expand)
        for name, below in members.items()
        if recursive or len(name.split("/")) == depth_of
    ]
    return sorted(entries, key=lambda entry: entry["path"])


def paths_entries(
    files: Iterable[RepoFile], paths: Iterable[str], expand: Expansion | None = None
) -> list[dict]:
    """`paths-info`: one entry per asked path that is a file or a folder of the version, in
    the order asked; other paths are left out, as the Hub does."""
    by_path = {file.path: file for file in files}
    wanted = list(dict.fromkeys(path.strip("/") for path in paths))
    folders: dict[str, list[RepoFile]] = {path: [] for path in wanted if path not in by_path}
    for file in by_path.values():
        parts = file.path.split("/")
        for depth in range(1, len(parts)):
            below = folders.get("/".join(parts[:depth]))
            if below is not None:
                below.append(file)
    entries = []
    for path in wanted:
        if path in by_path:
            entries.append(file_entry(by_path[path], expand))
        elif folders.get(path):
            entries.append(folder_entry(path, folders[path], expand))
    return entries


def _folder_oid(members: list[RepoFile]) -> str:
    text = "\n".join(sorted(f"{file.sha256} {file.path}" for file in members))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
