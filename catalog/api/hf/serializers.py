"""JSON shapes of the Hub-protocol routes (refs, tree entries), in the Hub's field names."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from catalog.errors import EntryNotFound
from catalog.models import Alias, Version


def lfs_pointer_size(sha256: str, size: int) -> int:
    """Length of the Git-LFS pointer file the Hub would store for this object."""
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n"
    return len(pointer)


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


def file_entry(path: str, sha256: str, size: int, scan: str | None = None) -> dict:
    # Every file is a blob addressed by sha256, so every file is described as LFS.
    entry = {
        "type": "file",
        "path": path,
        "size": size,
        "oid": sha256,
        "lfs": {"oid": sha256, "size": size, "pointerSize": lfs_pointer_size(sha256, size)},
    }
    if scan is not None:
        entry["securityFileStatus"] = security_status(scan)
    return entry


def security_status(scan: str) -> dict:
    """The Hub's per-file scan result (`expand=True`); files stored before the scanner
    recorded a verdict read as "unscanned"."""
    return {"status": scan or "unscanned", "avScan": None, "pickleImportScan": None}


def tree_entries(
    rows: Iterable[tuple[str, str, int]],
    *,
    folder: str = "",
    recursive: bool = False,
    scans: dict[str, str] | None = None,
) -> list[dict]:
    """Entries under `folder` from (path, sha256, size) rows: its files and folders, or
    everything below it when `recursive` (folders included, as the Hub lists them).
    With `scans` (path -> scan verdict) files carry `securityFileStatus`."""
    prefix = f"{folder.strip('/')}/" if folder.strip("/") else ""
    files: list[dict] = []
    members: dict[str, list[str]] = {}  # folder -> "sha path" lines, for a stable folder oid
    for path, sha, size in rows:
        if not path.startswith(prefix):
            continue
        parts = path[len(prefix) :].split("/")
        for depth in range(1, len(parts)):
            members.setdefault(prefix + "/".join(parts[:depth]), []).append(f"{sha} {path}")
        if recursive or len(parts) == 1:
            scan = None if scans is None else scans.get(path) or ""
            files.append(file_entry(path, sha, size, scan))
    if prefix and not files and not members:
        raise EntryNotFound(f"{folder!r} is not a folder of this revision.")
    depth_of = len(prefix.split("/")) if prefix else 1
    folders = [
        {"type": "directory", "path": name, "size": 0, "oid": _folder_oid(lines)}
        for name, lines in members.items()
        if recursive or len(name.split("/")) == depth_of
    ]
    return sorted(folders + files, key=lambda entry: entry["path"])


def _folder_oid(lines: list[str]) -> str:
    text = "\n".join(sorted(lines))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
