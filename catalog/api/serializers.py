"""JSON shapes. Output follows the Hugging Face Hub's field names (id, sha, siblings,
pipeline_tag, cardData ...) so its client can read them; the hub's own fields sit beside."""

from __future__ import annotations

from datetime import datetime

from rest_framework import serializers

from catalog.ancestry import Ancestry, ancestry_for, hidden_ref
from catalog.api.evaluation_serializers import EvalResultsSerializer
from catalog.gitobjects import lfs_pointer
from catalog.lineage import version_bases, version_tree
from catalog.models import Model, Version
from catalog.selectors import AnyUser, Sight, model_alias_numbers, sight_of, version_lineage
from catalog.services.gitmeta import version_files_git
from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def model_tags(model: Model) -> list[str]:
    tags = list(model.tags)
    tags += [t for t in (model.library, model.task) if t and t != "other"]
    tags += [f"dataset:{d}" for d in model.datasets] + list(model.languages)
    if model.license and model.license != "unknown":
        tags.append(f"license:{model.license}")
    return list(dict.fromkeys(tags))


def card_data(model: Model, ancestry: Ancestry) -> dict:
    return {
        "license": model.license,
        "pipeline_tag": model.task,
        "library_name": model.library or None,
        "tags": ancestry.tags(model.tags),
        "datasets": model.datasets,
        "language": model.languages,
        "source_domain": model.source_domain,
    }


def model_summary(model: Model, *, sha: str | None = None, ancestry: Ancestry) -> dict:
    """The list shape: what `GET /api/models` returns per model."""
    return {
        "_id": model.public_id,
        "id": model.full_name,
        "modelId": model.full_name,
        "author": model.namespace.name,
        "sha": sha,
        "createdAt": iso(model.created_at),
        "lastModified": iso(model.updated_at),
        "private": model.private,
        "disabled": False,
        "gated": False,
        "downloads": model.downloads,
        "likes": model.likes,
        "tags": ancestry.tags(model_tags(model)),
        "pipeline_tag": model.task,
        "library_name": model.library or None,
        "task": model.task,
        "source_domain": model.source_domain,
        "license": model.license,
        "summary": model.summary,
    }


def versions_brief(model: Model, versions: list[Version], *, user: AnyUser) -> list[dict]:
    """`GET .../versions`: the parents of all versions come in one query (catalog.lineage)."""
    tree = version_tree(model=model)
    tree.link(versions)
    ancestry = ancestry_for(user=user, models=[model], versions=versions, tree=tree)
    return [version_brief(version, ancestry=ancestry) for version in versions]


def version_brief(version: Version, *, ancestry: Ancestry) -> dict:
    return {
        "number": version.number,
        "name": f"v{version.number}",
        "sha": version.revision,
        "message": ancestry.text(version.message),
        "origin": version.origin,
        "status": version.status,
        "author": version.author.get_username() if version.author else None,
        "createdAt": iso(version.created_at),
        "totalSize": version.total_size,
        "parent": version_ref(version.parent, ancestry) if version.parent_id else None,
    }


def version_ref(version: Version, ancestry: Ancestry | None = None) -> dict:
    """A link to a version; `hidden_ref()` when `ancestry`'s viewer may not see its model
    (without `ancestry`: for a viewer known to see it, such as a job's owner)."""
    if ancestry is not None and not ancestry.shows(version):
        return hidden_ref()
    return {"id": version.model.full_name, "version": version.number, "sha": version.revision}


GIT_KEYS = frozenset({"lfs", "git_oid"})


def siblings(version: Version) -> list[dict]:
    """As the Hub lists them: `blobId` is the git object id (of the pointer, for LFS files),
    and only files the Hub keeps in LFS have `lfs` (catalog.gitobjects)."""
    return [sibling(row) for row in version_files_git(version)]


def sibling(row) -> dict:
    entry = {"rfilename": row.path, "size": row.blob.size, "blobId": row.metadata["git_oid"]}
    if row.metadata["lfs"]:
        pointer_size = len(lfs_pointer(row.blob_id, row.blob.size))
        entry["lfs"] = {"sha256": row.blob_id, "size": row.blob.size, "pointerSize": pointer_size}
    # What inspection read (dtypes, shapes, scan status); the git keys are shown above.
    entry["metadata"] = {k: v for k, v in row.metadata.items() if k not in GIT_KEYS}
    return entry


def model_detail(
    model: Model, version: Version | None, *, user: AnyUser, sight: Sight | None = None
) -> dict:
    """Model info: the same few queries whatever the number of versions and the depth of
    lineage (the ancestors in one, catalog.lineage). The version list is `GET .../versions`;
    `version` (the author selected with it) is the one described. `sight`: the viewer's, if
    the caller has read it already."""
    sight = sight or sight_of(user)
    tree = version_tree(model=model, version=version)
    if version is not None:
        tree.link([version])
    bases = () if sight.everything else version_bases(model)
    ancestry = ancestry_for(sight=sight, models=[model], versions=[version], tree=tree, bases=bases)
    data = model_summary(model, sha=version.revision if version else None, ancestry=ancestry)
    lineage = version_lineage(version, sight=sight, tree=tree) if version else []
    data.update(
        cardData=card_data(model, ancestry),
        siblings=siblings(version) if version else [],
        usedStorage=version.total_size if version else 0,
        card=ancestry.text(model.card),
        version=version_brief(version, ancestry=ancestry) if version else None,
        aliases=model_alias_numbers(model),
        parent=version_ref(version.parent, ancestry) if version and version.parent_id else None,
        lineage=[version_ref(v, ancestry) if v else hidden_ref() for v in lineage],
        metadata=ancestry.metadata(version.metadata) if version else {},
        metrics=version.metrics if version else {},
        eval_results=eval_results(version) if version else None,
    )
    return data


def eval_results(version: Version) -> dict | None:
    """The version's own figures (a fine-tune's estimate and the user's test set), or None
    for versions published without them."""
    metrics = version.metrics or {}
    if not isinstance(metrics.get("estimate"), dict):
        return None
    return EvalResultsSerializer(
        {"test_set": metrics.get("test_set"), "estimate": metrics["estimate"]}
    ).data


class ModelCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=96)
    namespace = serializers.CharField(max_length=96, required=False, allow_blank=True)
    organization = serializers.CharField(max_length=96, required=False, allow_blank=True)
    private = serializers.BooleanField(required=False, default=False)
    card = serializers.CharField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    task = serializers.ChoiceField(choices=list(TASKS), required=False, default="other")
    source_domain = serializers.ChoiceField(
        choices=list(SOURCE_DOMAINS), required=False, default="other"
    )
    library = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    license = serializers.ChoiceField(choices=list(LICENSES), required=False, default="unknown")
    datasets = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )


class ModelUpdateSerializer(ModelCreateSerializer):
    name = None
    namespace = None
    organization = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)
