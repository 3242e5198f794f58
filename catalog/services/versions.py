"""Publishing versions: the one place where files become an immutable, numbered snapshot.

Blobs are written before the transaction (they are content-addressed, so a retry or a
concurrent publish of the same bytes is harmless); the version and its file rows appear in
one transaction, so a reader sees all of a version or none of it. Everything that reads or
writes storage happens before that transaction, so no row lock is ever held while bytes move:
`version_publish` refuses to run inside a caller's transaction (its own is durable)."""

from __future__ import annotations

import enum
import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from adapters.formats import ModelFormat
from adapters.registry import adapter_choices
from catalog import inspect, scanning
from catalog.blobs import StagedFile, blobs_store
from catalog.errors import Conflict, InvalidInput, PreconditionFailed
from catalog.gitobjects import INLINE_MAX_BYTES, SAMPLE_BYTES, git_meta, lfs_by_name_or_size
from catalog.models import Blob, Model, Version, VersionFile
from catalog.naming import repo_path_validate
from catalog.scanning.onnx_paths import location_problem
from catalog.search import search_models_changed
from catalog.selectors import version_latest
from catalog.services.audit import audit
from catalog.services.cards import card_read
from catalog.services.formats import (
    BaseLink,
    base_link,
    publish_card,
    publish_model_fields,
    version_format,
)
from catalog.services.models import model_update

PUBLISH_ATTEMPTS = 64  # each lost race means another publisher committed: progress is made


class OnHead(enum.Enum):
    """How a new version relates to the model's head (its latest version), read under the lock."""

    NONE = "none"  # no lineage to the head: a first version, or `parent` given explicitly
    REPLACE = "replace"  # the head is the parent; none of its files are carried forward
    ADD = "add"  # the head is the parent, and its files not deleted or replaced carry forward


def version_publish(
    *,
    model: Model,
    files: Sequence[StagedFile],
    author: AbstractBaseUser | None,
    message: str = "",
    origin: str = Version.Origin.UPLOAD,
    parent: Version | None = None,
    on_head: OnHead = OnHead.NONE,
    parent_commit: str | None = None,
    delete_paths: Sequence[str] = (),
    metrics: dict | None = None,
    metadata: dict | None = None,
) -> Version:
    """Create the model's next version from `files` (and, with OnHead.ADD, the head's files).

    Concurrent publishes compose: the file list, lineage and `parent_commit` check are taken
    from the head as it is under the model's row lock; a publish prepared on a head that moved
    meanwhile is prepared again on the new one, so no commit's files are lost and the lineage
    stays a chain. With `parent_commit`, only a head with that revision is accepted (412).
    `parent` records lineage for OnHead.NONE, unless an upload names a base model on this hub.
    The detected format goes to metadata["format"]; the card and the format fill the model's
    fields. Raises InvalidInput for bad files, PublishInTransaction inside transaction.atomic()."""
    _outside_transaction_check()
    if parent is not None and on_head is not OnHead.NONE:
        raise ValueError("parent is implied by on_head")
    _files_validate(files, delete_paths=delete_paths)
    head = version_latest(model) if on_head is not OnHead.NONE else None
    if parent_commit:
        _parent_commit_check(parent_commit, head)  # fail fast; re-checked under the lock
    inherited = _head_files(head) if on_head is OnHead.ADD else {}
    file_meta = _files_inspect(files, kept_paths=[p for p in inherited if p not in delete_paths])
    # The upload's README.md is read once, while it is local; cards written elsewhere are
    # imported even with broken YAML. Whether the head's README.md is dropped is per attempt.
    card = card_read(files, strict=origin != Version.Origin.IMPORT)
    request = _Request(files, file_meta, card, delete_paths, on_head, parent_commit, origin, author)
    fields = {
        "message": message.strip()[:5000],
        "author": author,
        "parent": parent,
        "origin": origin,
        "metrics": metrics or {},
    }
    # New files are read locally here; the head's file list is the one read above.
    publish = _prepare(model, request, inherited, head, fields, metadata or {})
    # Bytes go to storage before the rows commit. If the insert fails they stay, unreferenced,
    # for blobs_gc: deleting them here could rob a concurrent publish of the same bytes.
    blobs_store(files)
    for _attempt in range(PUBLISH_ATTEMPTS):
        try:
            with transaction.atomic(durable=True):
                return _version_insert_once(model, publish, head=head, request=request)
        except (_HeadMoved, IntegrityError):
            # Another publisher committed first: prepare again on the head it made (the new
            # files are in the blob store by now, so everything is read from there).
            head = version_latest(model) if on_head is not OnHead.NONE else None
            inherited = _head_files(head) if on_head is OnHead.ADD else {}
            publish = _prepare(model, request, inherited, head, fields, metadata or {}, stored=True)
    raise Conflict("This model is receiving too many versions at once; try again in a moment.")


class PublishInTransaction(RuntimeError):
    """A programming error: the caller holds a transaction (and maybe row locks) open."""


def _outside_transaction_check() -> None:
    """Refuse before any storage I/O when a caller's atomic() is open: its locks would be held
    while blobs are written, and its rollback could not undo them. Django's durable atomic
    raises when nested, and lets a TestCase's own wrapping transaction pass."""
    try:
        with transaction.atomic(durable=True):
            pass
    except RuntimeError as exc:
        raise PublishInTransaction(
            "version_publish stores blobs before its own transaction and must not run inside "
            "transaction.atomic(): call it after the caller's transaction has committed."
        ) from exc


class _HeadMoved(Exception):
    """The head changed between preparing a publish and taking the lock."""


@dataclass(frozen=True)
class _Request:
    files: Sequence[StagedFile]
    file_meta: dict[str, dict]
    card: tuple[dict, str] | None  # the upload's README.md, if it has one
    delete_paths: Sequence[str]
    on_head: OnHead
    parent_commit: str | None
    origin: str
    author: AbstractBaseUser | None


@dataclass(frozen=True)
class _Publish:
    manifest: dict[str, tuple[str, int, dict]]
    fields: dict
    metadata: dict
    fmt: ModelFormat
    card: tuple[dict, str] | None
    base: BaseLink | None
    finetunable: bool  # kept on the model for the search facet


def _prepare(
    model: Model,
    request: _Request,
    inherited: dict[str, tuple[str, int, dict]],
    head: Version | None,
    fields: dict,
    metadata: dict,
    *,
    stored: bool = False,
) -> _Publish:
    """Everything a publish needs that reads storage or depends on `head`, computed before
    the lock on `head` and again on each new head. Versions are immutable, so what is read
    here stays true while `head` is the head (`inherited`: its files, for OnHead.ADD)."""
    manifest = _manifest(request.files, request.file_meta, inherited, request.delete_paths)
    if not manifest:
        raise InvalidInput("The new version would contain no files.")
    _external_data_check(request.file_meta, manifest)
    fmt = version_format(files=() if stored else request.files, manifest=manifest)
    card = publish_card(
        request.card,
        deleted=request.delete_paths,
        replaced=head if request.on_head is OnHead.REPLACE else None,
    )
    base = None
    if request.origin in (Version.Origin.UPLOAD, Version.Origin.IMPORT):
        base = base_link(model=model, user=request.author, card=card, fmt=fmt)
    lineage = head if request.on_head is not OnHead.NONE else fields["parent"]
    derived = {"format": fmt.to_dict()}
    if base is not None:
        derived.update(base_model=base.name, base_model_relation=base.relation)
    fields = {**fields, "parent": base.version if base else lineage}
    finetunable = bool(adapter_choices(derived["format"]))  # from the format, no storage read
    return _Publish(manifest, fields, {**derived, **metadata}, fmt, card, base, finetunable)


def _external_data_check(file_meta: dict[str, dict], manifest: dict) -> None:
    """ONNX external data must be a file of the version. The scan checked it against the
    head the upload was inspected on; a head that moved since may have dropped the file."""
    for path, meta in file_meta.items():
        for location in meta.get("external_data") or ():
            problem = location_problem(location, path, set(manifest))
            if problem:
                raise InvalidInput(
                    f"{path}: ONNX external data location {location!r} {problem}; a version "
                    "published meanwhile may have removed it. Upload that file too."
                )


def _files_validate(files: Sequence[StagedFile], *, delete_paths: Sequence[str]) -> None:
    if not files and not delete_paths:
        raise InvalidInput("Add at least one file to publish a new version.")
    if len(files) > settings.HUB_MAX_FILES_PER_VERSION:
        raise InvalidInput(
            f"A version may hold at most {settings.HUB_MAX_FILES_PER_VERSION} files."
        )
    seen: set[str] = set()
    for staged in files:
        repo_path_validate(staged.path)
        if staged.path in seen:
            raise InvalidInput(f"{staged.path!r} appears twice in this upload; send it once.")
        seen.add(staged.path)
    for path in delete_paths:
        repo_path_validate(path)


def _parent_commit_check(parent_commit: str, head: Version | None) -> None:
    """Full revisions, or a prefix of at least 7 hex digits as git and the Hub client allow."""
    wanted = parent_commit.lower()
    matches = head is not None and len(wanted) >= 7 and head.revision.startswith(wanted)
    if not matches:
        current = head.revision if head else "no commit yet"
        raise PreconditionFailed(
            f"parentCommit {parent_commit} is not the head of main ({current}); "
            "pull and commit again."
        )


def _files_inspect(files: Sequence[StagedFile], *, kept_paths: Sequence[str]) -> dict[str, dict]:
    """Refuse unsafe files, then read metadata from each; never unpickles anything."""
    try:
        scans = scanning.scan_upload(
            [(staged.local_path, staged.path) for staged in files], kept_paths=kept_paths
        )
        return {
            staged.path: {
                **(staged.metadata or inspect.inspect_file(staged.local_path, staged.path)),
                "scan": scans[staged.path],  # "safe" or "unscanned", shown like the Hub's
                **_git_meta(staged),  # the Hub's blobId and LFS-or-not, while bytes are local
            }
            for staged in files
        }
    except (scanning.UnsafeFileError, inspect.InspectionError) as exc:
        raise InvalidInput(str(exc)) from exc


def _git_meta(staged: StagedFile) -> dict:
    with open(staged.local_path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
        small = not lfs_by_name_or_size(staged.path, staged.size)
        data = head + handle.read(INLINE_MAX_BYTES) if small else None
    return git_meta(path=staged.path, sha256=staged.sha256, size=staged.size, head=head, data=data)


def _version_insert_once(
    model: Model, publish: _Publish, *, head: Version | None, request: _Request
) -> Version:
    # Row lock: publishers of one model queue here; the head is read again under it.
    locked = Model.objects.select_for_update().filter(pk=model.pk).first() or model
    current = version_latest(model)
    if request.parent_commit:
        _parent_commit_check(request.parent_commit, current)
    if request.on_head is not OnHead.NONE and _pk(current) != _pk(head):
        raise _HeadMoved
    top = model.versions.aggregate(top=Max("number"))["top"] or 0  # failed versions count
    manifest, fields = publish.manifest, publish.fields
    number = top + 1
    version = Version.objects.create(
        model=model,
        number=number,
        revision=_revision_id(model, number, manifest),
        status=Version.Status.READY,
        metadata={**_summary(manifest, publish.fmt), **publish.metadata},
        **fields,
        total_size=sum(size for _, size, _ in manifest.values()),
    )
    _blob_rows_ensure(manifest)
    VersionFile.objects.bulk_create(
        VersionFile(version=version, path=path, blob_id=sha, metadata=meta)
        for path, (sha, _size, meta) in sorted(manifest.items())
    )
    # Card front matter first, then what the files say; computed on the locked row.
    model_fields = publish_model_fields(
        model=locked, card=publish.card, fmt=publish.fmt, base=publish.base
    )
    if model_fields:
        model_update(model=model, actor=fields["author"], **model_fields)
    Model.objects.filter(pk=model.pk).update(
        updated_at=timezone.now(), finetunable=publish.finetunable
    )
    search_models_changed([model.pk])
    audit(
        actor=fields["author"],
        action="version.publish",
        model=model,
        version=number,
        origin=fields["origin"],
        files=len(manifest),
    )
    return version


def _pk(version: Version | None) -> int | None:
    return version.pk if version is not None else None


def _head_files(head: Version | None) -> dict[str, tuple[str, int, dict]]:
    if head is None:
        return {}
    rows = head.files.select_related("blob")
    return {row.path: (row.blob_id, row.blob.size, row.metadata) for row in rows}


def _manifest(files, file_meta, inherited, delete_paths) -> dict[str, tuple[str, int, dict]]:
    manifest = dict(inherited)
    for path in delete_paths:
        if path not in manifest:
            raise InvalidInput(f"Cannot delete {path!r}: the previous version has no such file.")
        del manifest[path]
    for staged in files:
        manifest[staged.path] = (staged.sha256, staged.size, file_meta[staged.path])
    _collisions_refuse(manifest, new_paths=[staged.path for staged in files])
    if len(manifest) > settings.HUB_MAX_FILES_PER_VERSION:
        raise InvalidInput(
            f"The new version would hold {len(manifest)} files, inherited ones included; "
            f"a version may hold at most {settings.HUB_MAX_FILES_PER_VERSION}. "
            "Delete some files, or pack many small ones into an archive."
        )
    return manifest


def _collisions_refuse(manifest: dict, *, new_paths: Sequence[str]) -> None:
    """Paths that are one file on case-insensitive or normalising filesystems (README.md and
    readme.md, NFC and NFD spellings) would overwrite each other in a clone or download."""
    by_key: dict[str, list[str]] = {}
    for path in manifest:
        by_key.setdefault(_path_key(path), []).append(path)
    folders = {
        "/".join(parts[:depth])
        for parts in (_path_key(path).split("/") for path in manifest)
        for depth in range(1, len(parts))
    }
    for path in new_paths:
        others = [other for other in by_key[_path_key(path)] if other != path]
        if others:
            raise InvalidInput(
                f"{path!r} collides with {others[0]!r} (the same name ignoring case or Unicode "
                "normalisation); rename one of them."
            )
    for path in manifest:
        if _path_key(path) in folders:
            raise InvalidInput(f"{path!r} is both a file and a folder in this version.")


def _path_key(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


def _summary(manifest: dict[str, tuple[str, int, dict]], fmt: ModelFormat) -> dict:
    return inspect.summarize_version(
        [{**meta, "path": path} for path, (_, _, meta) in manifest.items()],
        weights=fmt.weights,
    )


def _blob_rows_ensure(manifest: dict[str, tuple[str, int, dict]]) -> None:
    sizes = {sha: size for sha, size, _ in manifest.values()}
    Blob.objects.bulk_create(
        [Blob(sha256=sha, size=size) for sha, size in sizes.items()], ignore_conflicts=True
    )


def _revision_id(model: Model, number: int, manifest: dict) -> str:
    """40 hex, like a git commit id: derived from the manifest and the version's place."""
    lines = [f"model {model.pk}", f"number {number}"]
    lines += [f"{sha} {size} {path}" for path, (sha, size, _) in sorted(manifest.items())]
    return hashlib.sha1("\n".join(lines).encode(), usedforsecurity=False).hexdigest()
