"""Publishing versions: the one place where files become an immutable, numbered snapshot.

Blobs are written before the transaction (they are content-addressed, so a retry or a
concurrent publish of the same bytes is harmless); the version and its file rows appear in
one transaction, so a reader sees all of a version or none of it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from adapters.formats import ModelFormat
from catalog import inspect, scanning
from catalog.blobs import StagedFile, blobs_store
from catalog.errors import InvalidInput
from catalog.models import Blob, Model, Version, VersionFile
from catalog.naming import repo_path_validate
from catalog.search import search_models_changed
from catalog.services.audit import audit
from catalog.services.formats import (
    BaseLink,
    base_link,
    publish_card,
    publish_model_fields,
    version_format,
)
from catalog.services.models import model_update

PUBLISH_ATTEMPTS = 8


def version_publish(
    *,
    model: Model,
    files: Sequence[StagedFile],
    author: AbstractBaseUser | None,
    message: str = "",
    origin: str = Version.Origin.UPLOAD,
    parent: Version | None = None,
    inherit: Version | None = None,
    delete_paths: Sequence[str] = (),
    metrics: dict | None = None,
    metadata: dict | None = None,
) -> Version:
    """Create the model's next version from `files`, on top of `inherit`'s files if given.

    `inherit` carries unchanged files forward (a commit on top of the latest version);
    `parent` records lineage, unless an upload names a base model on this hub (card
    `base_model`, a peft adapter's base). The detected format goes to metadata["format"];
    the card and the format fill the model's fields. Raises InvalidInput for bad files."""
    _files_validate(files, delete_paths=delete_paths, inherited=inherit)
    kept = (
        []
        if inherit is None
        else [
            path
            for path in inherit.files.values_list("path", flat=True)
            if path not in delete_paths
        ]
    )
    file_meta = _files_inspect(files, kept_paths=kept)
    # Versions are immutable, so the inherited files can be read before the transaction.
    manifest = _manifest(files, file_meta, inherit=inherit, delete_paths=delete_paths)
    if not manifest:
        raise InvalidInput("The new version would contain no files.")
    # Read before any transaction: the format (small JSON files), the card, the base model.
    fmt = version_format(files=files, manifest=manifest)
    card = publish_card(files)
    base = None
    if origin in (Version.Origin.UPLOAD, Version.Origin.IMPORT):
        base = base_link(model=model, user=author, card=card, fmt=fmt)
    # Bytes go to storage before the rows commit. If the insert fails they stay, unreferenced,
    # for blobs_gc: deleting them here could rob a concurrent publish of the same bytes.
    blobs_store(files)
    fields = {
        "message": message.strip()[:5000],
        "author": author,
        "parent": base.version if base else parent,
        "origin": origin,
        "metrics": metrics or {},
    }
    derived = {"format": fmt.to_dict()}
    if base is not None:
        derived.update(base_model=base.name, base_model_relation=base.relation)
    publish = _Publish(manifest, fields, {**derived, **(metadata or {})}, fmt, card, base)
    return _version_insert(model, publish)


@dataclass(frozen=True)
class _Publish:
    manifest: dict[str, tuple[str, int, dict]]
    fields: dict
    metadata: dict
    fmt: ModelFormat
    card: tuple[dict, str] | None
    base: BaseLink | None


def _files_validate(
    files: Sequence[StagedFile], *, delete_paths: Sequence[str], inherited: Version | None
) -> None:
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
        if staged.size == 0:
            raise InvalidInput(f"{staged.path!r} is empty (0 bytes); nothing to store.")
    for path in delete_paths:
        repo_path_validate(path)
        known = inherited and inherited.files.filter(path=path).exists()
        if not known:
            raise InvalidInput(f"Cannot delete {path!r}: the previous version has no such file.")


def _files_inspect(files: Sequence[StagedFile], *, kept_paths: Sequence[str]) -> dict[str, dict]:
    """Refuse unsafe files, then read metadata from each; never unpickles anything."""
    try:
        scanning.scan_upload(
            [(staged.local_path, staged.path) for staged in files], kept_paths=kept_paths
        )
        return {
            staged.path: staged.metadata or inspect.inspect_file(staged.local_path, staged.path)
            for staged in files
        }
    except (scanning.UnsafeFileError, inspect.InspectionError) as exc:
        raise InvalidInput(str(exc)) from exc


def _version_insert(model: Model, publish: _Publish) -> Version:
    for attempt in range(PUBLISH_ATTEMPTS):
        try:
            with transaction.atomic():
                return _version_insert_once(model, publish)
        except IntegrityError:
            # Another publisher took this number first; the next attempt reads the new max.
            if attempt == PUBLISH_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _version_insert_once(model: Model, publish: _Publish) -> Version:
    # Row lock: publishers of one model queue here on PostgreSQL instead of colliding.
    locked = Model.objects.select_for_update().filter(pk=model.pk).first() or model
    manifest, fields = publish.manifest, publish.fields
    number = (model.versions.aggregate(top=Max("number"))["top"] or 0) + 1
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
        updated_at=timezone.now(), finetunable=finetunable(version)
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


def finetunable(version: Version) -> bool:
    """Whether an adapter accepts this version (kept on the model for the search facet)."""
    from catalog.finetune.options import finetune_options

    return bool(finetune_options(version).adapters)


def _manifest(files, file_meta, *, inherit, delete_paths) -> dict[str, tuple[str, int, dict]]:
    manifest: dict[str, tuple[str, int, dict]] = {}
    if inherit is not None:
        for row in inherit.files.select_related("blob"):
            manifest[row.path] = (row.blob_id, row.blob.size, row.metadata)
    for path in delete_paths:
        manifest.pop(path, None)
    for staged in files:
        manifest[staged.path] = (staged.sha256, staged.size, file_meta[staged.path])
    return manifest


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
