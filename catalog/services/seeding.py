"""The starter catalog: real pretrained models exported offline from pip packages.

Idempotent: a starter whose files are unchanged is skipped; changed files become a new
version; an uninstalled package is reported and skipped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from adapters.starters import STARTERS, StarterInfo, StarterUnavailable, export_starter
from catalog.blobs import stage_local_file
from catalog.models import Model, Namespace, Version
from catalog.naming import CURATOR_USERNAME, STARTER_NAMESPACES
from catalog.selectors import version_latest
from catalog.services.models import model_create, model_update
from catalog.services.versions import OnHead, version_publish
from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS

logger = logging.getLogger(__name__)
SYSTEM_USERNAME = CURATOR_USERNAME  # reserved: nobody can sign up as it first


def curator_user():
    users = get_user_model()
    user, created = users.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_superuser": True, "is_staff": False}
    )
    if created:
        user.set_unusable_password()  # publishes starters; nobody logs in as it
        user.save()
    return user


def seed_catalog(
    *, cache_dir: Path, only: list[str] | None = None, report: Callable[[str], None] = logger.info
) -> dict[str, str]:
    """Export and publish each starter; return key -> what happened."""
    outcome: dict[str, str] = {}
    user = curator_user()
    for key in only or list(STARTERS):
        try:
            info = export_starter(key, cache_dir / key)
        except StarterUnavailable as exc:
            outcome[key] = f"skipped: {exc}"
        else:
            outcome[key] = _publish_starter(user, info, cache_dir / key)
        report(f"{key}: {outcome[key]}")
    return outcome


def _publish_starter(user, info: StarterInfo, folder: Path) -> str:
    if info.owner.lower() not in STARTER_NAMESPACES:
        raise ValueError(f"add {info.owner!r} to catalog.naming.STARTER_NAMESPACES")
    namespace, _ = Namespace.objects.get_or_create(
        name=info.owner, defaults={"kind": Namespace.Kind.ORG}
    )
    if namespace.kind != Namespace.Kind.ORG or namespace.members.exists():
        # Taken before the name was reserved: its holder would own the starter.
        return f"skipped: the namespace {info.owner} belongs to someone; rename or delete it"
    fields = _model_fields(info)
    with transaction.atomic():
        model = Model.objects.filter(namespace=namespace, name=info.name).first()
        if model is None:
            model = model_create(user=user, name=info.name, namespace=namespace, **fields)
        else:
            model_update(model=model, **fields)
    staged = [stage_local_file(path, folder / path) for path in sorted(info.files)]
    latest = version_latest(model)
    if latest is not None and _manifest(latest) == {f.path: f.sha256 for f in staged}:
        return f"up to date ({model.full_name} v{latest.number})"
    version = version_publish(
        model=model,
        files=staged,
        author=user,
        origin=Version.Origin.IMPORT,
        on_head=OnHead.REPLACE,
        message="Exported offline from pip: "
        + ", ".join(f"{name}=={version}" for name, version in info.packages.items()),
        metadata={"source_packages": info.packages},
    )
    return f"published {model.full_name} v{version.number}"


def _manifest(version: Version) -> dict[str, str]:
    return dict(version.files.values_list("path", "blob_id"))


def card_summary(card: str) -> str:
    """The card's first prose paragraph (upstream cards open with headings, code or
    badges), on one line, at most 300 characters."""
    for block in card.split("\n\n"):
        prose = [line for line in block.splitlines() if not line.lstrip().startswith("#")]
        text = " ".join(" ".join(prose).split())
        if text and not text.startswith(("#", "```", "<", "|", "!", "-", "*", "---")):
            return text[:300]
    return ""


def _model_fields(info: StarterInfo) -> dict:
    return {
        "card": info.card,
        "summary": card_summary(info.card),
        "task": info.task if info.task in TASKS else "other",
        "source_domain": info.source_domain if info.source_domain in SOURCE_DOMAINS else "other",
        "library": info.library,
        "license": info.license if info.license in LICENSES else "other",
        "datasets": info.datasets,
        "languages": info.languages,
        "tags": info.tags,
    }
