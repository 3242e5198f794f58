"""Reads. Visibility is applied inside every queryset, so a private model is invisible
(404, never 403) to anyone who may not see it, whichever page or endpoint asks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import OuterRef, Q, QuerySet, Subquery

from catalog.errors import EntryNotFound, RepoNotFound, RevisionNotFound
from catalog.models import Alias, Model, Version, VersionFile
from catalog.naming import REVISION_RE, VERSION_NUMBER_RE
from catalog.permissions import visible_namespace_ids

AnyUser = AbstractBaseUser | AnonymousUser


def visibility_q(user: AnyUser) -> Q:
    if not user.is_authenticated:
        return Q(private=False)
    if user.is_superuser:
        return Q()
    return Q(private=False) | Q(namespace_id__in=visible_namespace_ids(user))


@dataclass(frozen=True)
class Sight:
    """Which models one viewer may see, read once per request: the public ones, and the
    private ones in `namespaces` (every one for superusers)."""

    everything: bool = False
    namespaces: frozenset[int] = frozenset()

    def sees(self, model: Model) -> bool:
        return self.everything or not model.private or model.namespace_id in self.namespaces


def sight_of(user: AnyUser) -> Sight:
    if getattr(user, "is_superuser", False):
        return Sight(everything=True)
    return Sight(namespaces=frozenset(visible_namespace_ids(user)))


def names_hidden(names: Iterable[str], *, sight: Sight) -> frozenset[str]:
    """Those of the "owner/name" strings that name a private model here the viewer may not
    see, lower-cased. Names of models elsewhere or of no model are not hidden."""
    pairs = {
        tuple(name.strip().split("/"))
        for name in names
        if isinstance(name, str) and name.count("/") == 1
    }
    if sight.everything or not pairs:
        return frozenset()
    wanted = reduce(or_, (Q(namespace__name=owner, name=repo) for owner, repo in pairs))
    rows = (
        Model.objects.filter(wanted, private=True)
        .exclude(namespace_id__in=sight.namespaces)
        .values_list("namespace__name", "name")
    )
    return frozenset(f"{owner}/{repo}".lower() for owner, repo in rows)


def models_visible_to(user: AnyUser) -> QuerySet[Model]:
    return Model.objects.filter(visibility_q(user)).select_related("namespace")


def model_get(*, user: AnyUser, owner: str, name: str) -> Model:
    model = models_visible_to(user).filter(namespace__name=owner, name=name).first()
    if model is None:
        raise RepoNotFound(f"Model {owner}/{name} does not exist or is not visible to you.")
    return model


def versions_ready(model: Model) -> QuerySet[Version]:
    return model.versions.filter(status=Version.Status.READY)


def version_latest(model: Model) -> Version | None:
    return versions_ready(model).order_by("-number").first()


def version_resolve(*, model: Model, revision: str) -> Version:
    """`main`, a named alias, `vN`, or the 40-hex revision id."""
    ready = versions_ready(model)
    version: Version | None
    if revision == "main":
        version = ready.order_by("-number").first()
    elif match := VERSION_NUMBER_RE.match(revision):
        version = ready.filter(number=int(match.group(1))).first()
    elif REVISION_RE.match(revision):
        version = ready.filter(revision=revision).first()
    else:
        alias = Alias.objects.filter(model=model, name=revision).select_related("version").first()
        version = alias.version if alias and alias.version.status == Version.Status.READY else None
    if version is None:
        raise RevisionNotFound(f"Revision {revision!r} of {model.full_name} does not exist.")
    return version


def version_file_get(*, version: Version, path: str) -> VersionFile:
    row = version.files.select_related("blob").filter(path=path).first()
    if row is None:
        raise EntryNotFound(f"{path!r} is not in {version.model.full_name}@v{version.number}.")
    return row


def version_lineage(version: Version, *, user: AnyUser, limit: int = 20) -> list[Version | None]:
    """Ancestors of a version, parent first. One the user may not see ends the chain as
    None, shown as "a private model": nothing of it, or of what lies beyond it."""
    sight = sight_of(user)
    chain: list[Version | None] = []
    current = version.parent
    while current is not None and len(chain) < limit:
        if not sight.sees(current.model):
            chain.append(None)
            break
        chain.append(current)
        current = current.parent
    return chain


def model_derivatives(*, model: Model, user: AnyUser) -> QuerySet[Model]:
    """Models with a version whose parent is a version of `model` (forks, fine-tunes)."""
    origin = Version.objects.filter(model=OuterRef("pk"), parent__model=model).values("origin")
    return (
        models_visible_to(user)
        .filter(versions__parent__model=model)
        .exclude(pk=model.pk)
        .distinct()
        .annotate(derived_origin=Subquery(origin[:1]))
    )


def models_search(query) -> tuple[object, list[Model]]:
    """Run a SearchQuery on the configured backend; return the page and its models in order
    (each with `latest_sha`)."""
    from django.db.models import OuterRef, Subquery

    from catalog.search import get_backend

    page = get_backend().search(query)
    ids = [hit.model_id for hit in page.hits]
    latest = Version.objects.filter(model=OuterRef("pk"), status="ready").order_by("-number")
    by_id = (
        Model.objects.filter(pk__in=ids)
        .select_related("namespace")
        .annotate(latest_sha=Subquery(latest.values("revision")[:1]))
        .in_bulk()
    )
    return page, [by_id[i] for i in ids if i in by_id]
