"""Fork: a new model whose version 1 references the source version's blobs. No bytes are
copied, and the work is a fixed number of queries whatever the model's size."""

from __future__ import annotations

import hashlib

from django.db import transaction

from catalog.errors import Forbidden
from catalog.models import Model, Namespace, Version, VersionFile
from catalog.permissions import derivation_refusal
from catalog.services.audit import audit, derivation_audit
from catalog.services.models import model_create


def model_fork(
    *, user, source: Version, namespace: Namespace, name: str, private: bool | None = None
) -> Model:
    base = source.model
    private = base.private if private is None else private
    refusal = derivation_refusal(user=user, source=base, namespace=namespace, private=private)
    if refusal:
        raise Forbidden(refusal)
    with transaction.atomic():
        fork = model_create(
            user=user,
            name=name,
            namespace=namespace,
            private=private,
            card=base.card,
            summary=base.summary,
            task=base.task,
            source_domain=base.source_domain,
            library=base.library,
            license=base.license,
            datasets=base.datasets,
            languages=base.languages,
            tags=base.tags,
            base_model=base.full_name,
        )
        version = Version.objects.create(
            model=fork,
            number=1,
            revision=_fork_revision(fork, source),
            author=user,
            parent=source,
            origin=Version.Origin.FORK,
            status=Version.Status.READY,
            message="Forked",  # the lineage is `parent`; names in text would outlive access
            metrics=source.metrics,
            metadata=source.metadata,
            total_size=source.total_size,
        )
        VersionFile.objects.bulk_create(
            VersionFile(version=version, path=row.path, blob_id=row.blob_id, metadata=row.metadata)
            for row in source.files.all()
        )
        Model.objects.filter(pk=fork.pk).update(finetunable=base.finetunable)
        audit(
            actor=user, action="model.fork", model=fork, source=f"{base.full_name}@v{source.number}"
        )
        derivation_audit(actor=user, action="model.forked", source=source, derived=fork)
    return fork


def _fork_revision(fork: Model, source: Version) -> str:
    text = f"model {fork.pk}\nnumber 1\nfork {source.revision}"
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
