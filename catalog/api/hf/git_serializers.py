"""The shapes of the Hub's git-side routes, in the Hub's field names: commits, preupload,
Git-LFS batch, tree and paths-info entries. One definition each, used to validate request
bodies, render answers and describe both in the OpenAPI schema.

A file's `oid` is its git object id as the Hub reports it (the blob's, or for an LFS file its
pointer's: catalog.gitobjects); `lfs` appears only for LFS files."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.html import escape
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers as s

from catalog.ancestry import Ancestry
from catalog.api.hf.serializers import fixed
from catalog.errors import EntryNotFound
from catalog.gitobjects import lfs_pointer
from catalog.history import LastCommit
from catalog.models import Version, VersionFile
from catalog.services.lfs import size_validate

PATHS_INFO_MAX = 1000  # paths per paths-info call (documented in the README and the schema)
BASIC_ONLY = "Only the 'basic' LFS transfer is supported."
OBJECTS = "objects must be a list of {oid, size}."


def commit_title_message(text: str) -> tuple[str, str]:
    """A version message as git shows it: the first line, and the rest."""
    title, _, rest = text.strip().partition("\n")
    return title.strip(), rest.strip()


class AuthorSerializer(s.Serializer):
    user = s.CharField()
    avatar = s.CharField(allow_null=True)


class FormattedSerializer(s.Serializer):
    title = s.CharField()
    message = s.CharField(help_text="HTML")


class CommitSerializer(s.Serializer):
    """A version as a commit."""

    # Render with context `ancestry` (hidden names replaced) and `formatted`
    # (`expand[]=formatted`: the same text as HTML; else the key is left out).

    id = s.CharField(source="revision", help_text="The version's revision.")
    title = s.SerializerMethodField()
    message = s.SerializerMethodField()
    authors = s.SerializerMethodField()
    date = s.DateTimeField(source="created_at")
    formatted = s.SerializerMethodField(help_text="With expand[]=formatted.")

    def _text(self, version: Version) -> tuple[str, str]:
        title, message = commit_title_message(self.context["ancestry"].text(version.message))
        return title or f"v{version.number}", message

    def get_title(self, version: Version) -> str:
        return self._text(version)[0]

    def get_message(self, version: Version) -> str:
        return self._text(version)[1]

    @extend_schema_field(AuthorSerializer(many=True))
    def get_authors(self, version: Version) -> list[dict]:
        author = version.author.get_username() if version.author else None
        return [{"user": author, "avatar": None}] if author else []

    @extend_schema_field(FormattedSerializer(required=False))
    def get_formatted(self, version: Version) -> dict:
        title, message = self._text(version)
        return {"title": escape(title), "message": escape(message).replace("\n", "<br>")}

    def to_representation(self, version: Version) -> dict:
        entry = super().to_representation(version)
        if not self.context.get("formatted"):
            del entry["formatted"]
        return entry


class LastCommitSerializer(s.Serializer):
    # Render with context `ancestry`.

    id = s.CharField(source="revision")
    title = s.SerializerMethodField()
    date = s.DateTimeField(source="created_at")

    def get_title(self, commit: LastCommit) -> str:
        title, _ = commit_title_message(self.context["ancestry"].text(commit.message))
        return title or f"v{commit.number}"


class CommittedSerializer(s.Serializer):
    success = s.BooleanField()
    commitOid = s.CharField()
    commitUrl = s.URLField()
    pullRequestUrl = s.URLField(allow_null=True)
    version = s.IntegerField()


# Uploads: preupload and the Git-LFS batch API


class PreuploadFileSerializer(s.Serializer):
    path = s.CharField(allow_blank=True, trim_whitespace=False)
    size = s.IntegerField(min_value=0)
    sample = s.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The first 512 bytes, base64.",
    )


class PreuploadSerializer(s.Serializer):
    """Only the shape: catalog.services.commits.upload_plan checks paths, sizes and count."""

    files = PreuploadFileSerializer(many=True)

    def to_internal_value(self, data):
        # Counted before each file is validated: as many as one commit may hold.
        files = data.get("files") if isinstance(data, dict) else None
        if isinstance(files, list) and len(files) > settings.HUB_MAX_FILES_PER_VERSION:
            raise s.ValidationError(
                {"files": "files must be a list of at most HUB_MAX_FILES_PER_VERSION entries."}
            )
        return super().to_internal_value(data)


class PreuploadModeSerializer(s.Serializer):
    path = s.CharField()
    uploadMode = s.ChoiceField(choices=["regular", "lfs"])
    shouldIgnore = s.BooleanField()
    oid = s.CharField(allow_null=True)


class PreuploadPlanSerializer(s.Serializer):
    files = PreuploadModeSerializer(many=True)


class LfsObjectSerializer(s.Serializer):
    oid = s.RegexField(
        r"^[0-9a-f]{64}$",
        error_messages={"invalid": "is not a sha256 object id (64 lowercase hex digits)."},
    )
    size = s.IntegerField(min_value=0)

    def validate_size(self, size: int) -> int:
        return size_validate(size)  # 413 past the per-file limit


class LfsBatchSerializer(s.Serializer):
    operation = s.ChoiceField(
        choices=["upload"],
        error_messages={
            "invalid_choice": "Only uploads use the LFS API here; download through /resolve.",
            "required": "Only uploads use the LFS API here; download through /resolve.",
        },
    )
    transfers = s.ListField(
        child=s.CharField(error_messages={"invalid": BASIC_ONLY}),
        required=False,
        allow_null=True,
        error_messages={"not_a_list": BASIC_ONLY},
    )
    objects = LfsObjectSerializer(
        many=True,
        error_messages={key: fixed(OBJECTS) for key in ("not_a_list", "required", "null")},
    )
    hash_algo = s.CharField(required=False)

    def validate_transfers(self, transfers: list[str] | None) -> list[str]:
        if transfers and "basic" not in transfers:
            raise s.ValidationError(BASIC_ONLY)
        return transfers or ["basic"]

    def to_internal_value(self, data):
        # Counted before each object is validated: as many as one commit may hold.
        objects = data.get("objects") if isinstance(data, dict) else None
        limit = settings.HUB_MAX_FILES_PER_VERSION
        if isinstance(objects, list) and len(objects) > limit:
            raise s.ValidationError(
                {"objects": f"At most {limit} objects per batch request; send them in parts."}
            )
        return super().to_internal_value(data)


class LfsUploadSerializer(s.Serializer):
    href = s.URLField(help_text="Signed for one user, model, object and hour.")
    expires_in = s.IntegerField()


class LfsActionsSerializer(s.Serializer):
    upload = LfsUploadSerializer()


class LfsObjectAnswerSerializer(s.Serializer):
    oid = s.CharField()
    size = s.IntegerField()
    authenticated = s.BooleanField()
    actions = LfsActionsSerializer(required=False, help_text="Absent: the hub has the object.")


class LfsBatchAnswerSerializer(s.Serializer):
    transfer = s.CharField()
    objects = LfsObjectAnswerSerializer(many=True)
    hash_algo = s.CharField()


# Trees and paths-info


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
class RepoFolder:
    path: str
    members: list[RepoFile]

    @property
    def oid(self) -> str:
        text = "\n".join(sorted(f"{file.sha256} {file.path}" for file in self.members))
        return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Expansion:
    """What `expand=True` adds: scan results and, per path, its last commit (rendered once
    per commit: many paths share one)."""

    commits: dict[str, LastCommit]
    rendered: dict[str, dict]

    @classmethod
    def of(cls, commits: dict[str, LastCommit], ancestry: Ancestry) -> Expansion:
        unique = {commit.revision: commit for commit in commits.values()}
        context = {"ancestry": ancestry}
        rendered = {
            revision: LastCommitSerializer(commit, context=context).data
            for revision, commit in unique.items()
        }
        return cls(commits, rendered)

    def file_last(self, path: str) -> dict | None:
        commit = self.commits.get(path)
        return None if commit is None else self.rendered[commit.revision]

    def folder_last(self, paths: Iterable[str]) -> dict | None:
        """The newest last commit among a folder's files."""
        commits = [self.commits[path] for path in paths if path in self.commits]
        if not commits:
            return None
        return self.rendered[max(commits, key=lambda commit: commit.created_at).revision]


class LfsInfoSerializer(s.Serializer):
    oid = s.CharField(help_text="The file's sha256.")
    size = s.IntegerField()
    pointerSize = s.IntegerField()


class SecurityStatusSerializer(s.Serializer):
    status = s.CharField(help_text='The scan verdict; "unscanned" for files stored before.')
    avScan = s.DictField(allow_null=True)
    pickleImportScan = s.DictField(allow_null=True)


class TreeEntrySerializer(s.Serializer):
    """A file or a folder of a revision."""

    # Renders a RepoFile or a RepoFolder, with context `expand` (an Expansion, or None).
    # to_representation builds each entry itself, in exactly these fields: a listing holds
    # up to 10,000s of entries, and DRF's per-field rendering takes ~10x as long (10,000
    # entries: ~40 ms here, ~400 ms field by field).

    type = s.CharField(help_text="file or directory")
    path = s.CharField()
    size = s.IntegerField()
    oid = s.CharField(help_text="The git object id (of the LFS pointer, for LFS files).")
    lfs = LfsInfoSerializer(required=False, help_text="Only for files kept in Git-LFS.")
    lastCommit = LastCommitSerializer(required=False, allow_null=True, help_text="With expand.")
    securityFileStatus = SecurityStatusSerializer(
        required=False, help_text="With expand; files only."
    )

    def to_representation(self, entry: RepoFile | RepoFolder) -> dict:
        expand: Expansion | None = self.context.get("expand")
        if isinstance(entry, RepoFolder):
            rendered = {"type": "directory", "path": entry.path, "size": 0, "oid": entry.oid}
            if expand is not None:
                rendered["lastCommit"] = expand.folder_last(member.path for member in entry.members)
            return rendered
        rendered = {"type": "file", "path": entry.path, "size": entry.size, "oid": entry.oid}
        if entry.lfs:
            pointer_size = len(lfs_pointer(entry.sha256, entry.size))
            rendered["lfs"] = {"oid": entry.sha256, "size": entry.size, "pointerSize": pointer_size}
        if expand is not None:
            rendered["lastCommit"] = expand.file_last(entry.path)
            rendered["securityFileStatus"] = security_status(entry.scan)
        return rendered


def security_status(scan: str) -> dict:
    """The Hub's per-file scan result (`expand=True`); files stored before the scanner
    recorded a verdict read as "unscanned"."""
    return {"status": scan or "unscanned", "avScan": None, "pickleImportScan": None}


class TreeQuerySerializer(s.Serializer):
    recursive = s.BooleanField(required=False, default=False)
    expand = s.BooleanField(
        required=False, default=False, help_text="Add each file's scan status and last commit."
    )


class PathsInfoSerializer(s.Serializer):
    paths = s.ListField(
        child=s.CharField(allow_blank=True, trim_whitespace=False),
        max_length=PATHS_INFO_MAX,
        help_text=f"At most {PATHS_INFO_MAX}.",
        error_messages={
            "max_length": "Ask for at most {max_length} paths per paths-info call; "
            "split the list into several calls.",
            "not_a_list": "paths must be a list of file or folder paths.",
        },
    )
    expand = s.BooleanField(required=False, default=False)


def tree_entries(
    files: Iterable[RepoFile], *, folder: str = "", recursive: bool = False
) -> list[RepoFile | RepoFolder]:
    """Entries under `folder`: its files and folders, or everything below it when
    `recursive` (folders included, as the Hub lists them)."""
    prefix = f"{folder.strip('/')}/" if folder.strip("/") else ""
    entries: list[RepoFile | RepoFolder] = []
    members: dict[str, list[RepoFile]] = {}  # folder -> the files below it
    for file in files:
        if not file.path.startswith(prefix):
            continue
        parts = file.path[len(prefix) :].split("/")
        for depth in range(1, len(parts)):
            members.setdefault(prefix + "/".join(parts[:depth]), []).append(file)
        if recursive or len(parts) == 1:
            entries.append(file)
    if prefix and not entries and not members:
        raise EntryNotFound(f"{folder!r} is not a folder of this revision.")
    depth_of = len(prefix.split("/")) if prefix else 1
    entries += [
        RepoFolder(name, below)
        for name, below in members.items()
        if recursive or len(name.split("/")) == depth_of
    ]
    return sorted(entries, key=lambda entry: entry.path)


def paths_entries(files: Iterable[RepoFile], paths: Iterable[str]) -> list[RepoFile | RepoFolder]:
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
    entries: list[RepoFile | RepoFolder] = []
    for path in wanted:
        if path in by_path:
            entries.append(by_path[path])
        elif folders.get(path):
            entries.append(RepoFolder(path, folders[path]))
    return entries
