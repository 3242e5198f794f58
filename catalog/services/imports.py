"""Import a model from any Hugging Face Hub-compatible endpoint (huggingface.co, another hub).

The files come through huggingface_hub's `snapshot_download` at one resolved commit; the card
metadata through `model_info` and README.md. Each import is one version with origin
`import` whose metadata records the source (endpoint, repo id, commit sha), so importing an
unchanged upstream revision again is a no-op and a new upstream revision a new version."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from huggingface_hub import HfApi, constants, snapshot_download

from catalog.blobs import StagedFile, stage_local_file
from catalog.errors import Forbidden, InvalidInput
from catalog.models import Model, Namespace, Version
from catalog.permissions import model_can_write
from catalog.services.cards import card_model_fields, card_read
from catalog.services.lfs import StagedBlob
from catalog.services.models import model_create, model_delete, model_update
from catalog.services.versions import OnHead, version_publish

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    model: Model
    version: Version
    created_model: bool
    created_version: bool
    skipped: list[str]


def model_import(
    *,
    repo_id: str,
    endpoint: str | None = None,
    revision: str | None = None,
    token: str | None = None,
    target: str | None = None,
    user=None,
    private: bool = False,
    report: Callable[[str], None] = logger.info,
) -> ImportResult:
    """Import `repo_id` at `revision` (default main) into `target` ("owner/name", default the
    same id). `user` acts (default: the owner of the target's user namespace)."""
    endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
    # A token stored for the configured endpoint must never travel to another server.
    auth = token or (None if endpoint == constants.ENDPOINT.rstrip("/") else False)
    info = HfApi(endpoint=endpoint, token=auth).model_info(repo_id, revision=revision)
    if not info.sha:
        raise InvalidInput(f"{repo_id} has no commit to import at {revision or 'main'}.")
    source = {"endpoint": endpoint, "repo_id": info.id, "revision": info.sha}
    if revision:
        source["requested_revision"] = revision
    namespace, name = _target(target or info.id)
    actor = user or namespace.user
    if actor is None:
        raise InvalidInput(f"{namespace.name} is an organization: name the acting user.")

    model = Model.objects.filter(namespace=namespace, name=name).first()
    if model is not None:
        if not model_can_write(user=actor, model=model):
            raise Forbidden(f"{actor.get_username()} cannot write to {model.full_name}.")
        done = _imported_version(model, source)
        if done is not None:
            report(f"{model.full_name} v{done.number} already imports {info.id}@{info.sha}")
            return ImportResult(model, done, False, False, [])

    root = Path(settings.FILE_UPLOAD_TEMP_DIR)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix="import-") as cache:
        report(f"downloading {info.id}@{info.sha} from {endpoint}")
        snapshot = _download(repo_id, info.sha, endpoint=endpoint, token=auth, cache_dir=cache)
        staged, skipped = _stage(snapshot)
        created = model is None
        try:
            model, version = _publish_import(
                model,
                create={"name": name, "namespace": namespace, "private": private},
                actor=actor,
                info=info,
                source=source,
                staged=staged,
            )
        finally:
            for file in staged:
                file.upload.close()
    report(f"imported {info.id}@{info.sha} as {model.full_name} v{version.number}")
    return ImportResult(model, version, created, True, skipped)


def _publish_import(
    model: Model | None, *, create: dict, actor, info, source: dict, staged: list[StagedFile]
) -> tuple[Model, Version]:
    """The imported version, on `model` or on a new model made with `create`; a failed
    publish leaves nothing half-made: no empty model named after the import, no metadata
    changed on an existing one."""
    fields = _model_fields(info, staged)
    # No transaction around the publish: it stores blobs before its own short one.
    created = model is None
    if created:
        model = model_create(user=actor, **create, **fields)
    try:
        version = version_publish(
            model=model,
            files=staged,
            author=actor,
            origin=Version.Origin.IMPORT,
            message=f"Imported {info.id}@{info.sha[:12]} from {source['endpoint']}",
            on_head=OnHead.REPLACE,  # the local history stays one chain
            metadata={"source": source},
        )
    except Exception:
        if created:
            model_delete(actor=actor, model=model)
        raise
    if not created:  # only once the version exists, so a failed import changes nothing
        model_update(model=model, actor=actor, **fields)
    return model, version


def _target(full_name: str) -> tuple[Namespace, str]:
    if full_name.count("/") != 1:
        raise InvalidInput(f"{full_name!r} has no namespace: give the target as owner/name.")
    owner, name = full_name.split("/")
    namespace = Namespace.objects.filter(name=owner).first()
    if namespace is None:
        raise InvalidInput(f"There is no namespace {owner!r} here: choose another target.")
    return namespace, name


def _imported_version(model: Model, source: dict) -> Version | None:
    return (
        model.versions.filter(
            status=Version.Status.READY,
            metadata__source__endpoint=source["endpoint"],
            metadata__source__repo_id=source["repo_id"],
            metadata__source__revision=source["revision"],
        )
        .order_by("-number")
        .first()
    )


def _download(repo_id: str, sha: str, *, endpoint: str, token, cache_dir: str) -> Path:
    # A private cache for this import: its blobs sit on the blob disk, so storing is a rename.
    return Path(
        snapshot_download(
            repo_id, revision=sha, endpoint=endpoint, token=token, cache_dir=cache_dir
        )
    )


def _stage(snapshot: Path) -> tuple[list[StagedFile], list[str]]:
    """StagedFiles for every file of the snapshot (symlinks into the cache's blobs)."""
    staged, skipped = [], []
    for folder, _dirs, names in os.walk(snapshot):
        for filename in sorted(names):
            link = Path(folder) / filename
            repo_path = link.relative_to(snapshot).as_posix()
            real = link.resolve()
            if real.stat().st_size == 0:
                skipped.append(repo_path)  # the hub stores no empty files
                continue
            file = stage_local_file(repo_path, real)
            file.upload = StagedBlob(real)
            staged.append(file)
    if not staged:
        raise InvalidInput("The upstream revision holds no (non-empty) files.")
    return staged, skipped


def _model_fields(info, staged: list[StagedFile]) -> dict:
    meta = info.card_data.to_dict() if info.card_data is not None else {}
    if info.pipeline_tag and "pipeline_tag" not in meta:
        meta["pipeline_tag"] = info.pipeline_tag
    if info.library_name and "library_name" not in meta:
        meta["library_name"] = info.library_name
    fields = card_model_fields(meta)
    card = card_read(staged, strict=False)  # a broken front matter still leaves a card
    if card is not None:
        card_meta, body = card
        fields = {**card_model_fields(card_meta), **fields, "card": body}
    return fields
