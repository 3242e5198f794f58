"""Reads of a model's history in the Hub's git terms: a model's versions form its one branch,
so the commits of a revision are the ready versions up to it, newest first; and the version
that last changed a file is the first of the run of versions holding its current bytes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max, Min, QuerySet

from catalog.models import Version, VersionFile
from catalog.selectors import versions_ready


def version_commits(version: Version) -> QuerySet[Version]:
    """The versions reachable from `version` along its model's history, newest first."""
    return (
        versions_ready(version.model)
        .filter(number__lte=version.number)
        .select_related("author")
        .order_by("-number")
    )


@dataclass(frozen=True)
class LastCommit:
    number: int
    revision: str
    message: str
    created_at: object


def last_commits(version: Version, paths: Iterable[str]) -> dict[str, LastCommit]:
    """For each of `paths` (files of `version`): the version since which it has had its
    current bytes. Two grouped queries whatever the history's length: per (path, bytes) the
    first and last version holding them, then the versions named."""
    current = dict(version.files.filter(path__in=list(paths)).values_list("path", "blob_id"))
    if not current:
        return {}
    spans = (
        VersionFile.objects.filter(
            version__model_id=version.model_id,
            version__status=Version.Status.READY,
            version__number__lte=version.number,
            path__in=list(current),
        )
        .values("path", "blob_id")
        .annotate(first=Min("version__number"), last=Max("version__number"))
    )
    since = _since(current, spans)
    ready = versions_ready(version.model).only(
        "model", "number", "revision", "message", "created_at"
    )
    by_number = {row.number: row for row in ready.filter(number__in=set(since.values()))}
    for number in set(since.values()) - set(by_number):  # a failed version's number: the next
        row = ready.filter(number__gt=number, number__lte=version.number).order_by("number")
        by_number[number] = row.first() or version
    return {
        path: LastCommit(row.number, row.revision, row.message, row.created_at)
        for path, row in ((path, by_number[number]) for path, number in since.items())
    }


def _since(current: dict[str, str], spans: Iterable[dict]) -> dict[str, int]:
    """Per path: the first version of the last run of its current bytes. Bytes it held
    before (other blobs) end at their `last`; the current bytes' run starts after the latest
    of those. (A file deleted and re-added with the same bytes counts from its first add.)"""
    ours: dict[str, int] = {}
    others: dict[str, int] = {}
    for span in spans:
        path = span["path"]
        if span["blob_id"] == current[path]:
            ours[path] = span["first"]
        else:
            others[path] = max(others.get(path, 0), span["last"])
    return {path: max(first, others.get(path, 0) + 1) for path, first in ours.items()}
