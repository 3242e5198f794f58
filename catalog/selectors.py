"""Reads. Visibility is applied inside every queryset, so a private model is invisible
(404, never 403) to anyone who may not see it, whichever page or endpoint asks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from catalog.errors import EntryNotFound, NotFound, RepoMoved, RepoNotFound, RevisionNotFound
from catalog.lineage import LINEAGE_LIMIT, VersionTree, version_tree
from catalog.models import (
    Alias,
    AuditEvent,
    Like,
    Membership,
    Model,
    ModelRedirect,
    Namespace,
    Version,
    VersionFile,
)
from catalog.naming import REVISION_RE, SHORT_REVISION_RE, VERSION_NUMBER_RE
from catalog.permissions import visible_namespace_ids
from catalog.search import get_backend

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

    def q(self) -> Q:
        """The models this viewer sees, as a filter (`visibility_q` without its queries)."""
        return Q() if self.everything else Q(private=False) | Q(namespace_id__in=self.namespaces)


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
    # Old names of moved private models too: text written before the move still uses them.
    wanted_old = reduce(or_, (Q(namespace_name=owner, name=repo) for owner, repo in pairs))
    old_rows = (
        ModelRedirect.objects.filter(wanted_old, model__private=True)
        .exclude(model__namespace_id__in=sight.namespaces)
        .values_list("namespace_name", "name")
    )
    return frozenset(f"{owner}/{repo}".lower() for owner, repo in [*rows, *old_rows])


def models_visible_to(user: AnyUser) -> QuerySet[Model]:
    return Model.objects.filter(visibility_q(user)).select_related("namespace")


def model_get(*, user: AnyUser, owner: str, name: str, sight: Sight | None = None) -> Model:
    """`sight`, when the caller has read it already, saves reading it again."""
    if sight is None:
        visible = models_visible_to(user)
    else:
        visible = Model.objects.filter(sight.q()).select_related("namespace")
    model = visible.filter(namespace__name=owner, name=name).first()
    if model is None:
        moved = model_moved_to(user=user, owner=owner, name=name)
        message = f"Model {owner}/{name} does not exist or is not visible to you."
        if moved is not None:
            raise RepoMoved(message, old=f"{owner}/{name}", new=moved.full_name)
        raise RepoNotFound(message)
    return model


def model_moved_to(*, user: AnyUser, owner: str, name: str) -> Model | None:
    """The model once called owner/name (see services.moves), if this viewer may see it."""
    redirect = ModelRedirect.objects.filter(namespace_name=owner, name=name).first()
    if redirect is None:
        return None
    return models_visible_to(user).filter(pk=redirect.model_id).first()


def versions_ready(model: Model) -> QuerySet[Version]:
    return model.versions.filter(status=Version.Status.READY)


def version_latest(model: Model) -> Version | None:
    return versions_ready(model).select_related("author").order_by("-number").first()


def version_resolve(*, model: Model, revision: str) -> Version:
    """`main`, a named alias, `vN`, the 40-hex revision id, or 7+ of its first hex digits
    (an alias of that spelling wins, as a git ref wins over a short sha)."""
    ready = versions_ready(model).select_related("author")
    version: Version | None
    if revision == "main":
        version = ready.order_by("-number").first()
    elif match := VERSION_NUMBER_RE.match(revision):
        version = ready.filter(number=int(match.group(1))).first()
    elif REVISION_RE.match(revision):
        version = ready.filter(revision=revision).first()
    else:
        alias = (
            Alias.objects.filter(model=model, name=revision)
            .select_related("version__author")
            .first()
        )
        version = alias.version if alias and alias.version.status == Version.Status.READY else None
        if alias is None and SHORT_REVISION_RE.match(revision):
            version = _version_by_prefix(model, ready, revision.lower())
    if version is None:
        raise RevisionNotFound(f"Revision {revision!r} of {model.full_name} does not exist.")
    return version


def model_and_version(
    *, user: AnyUser, owner: str, name: str, revision: str = "main", sight: Sight | None = None
) -> tuple[Model, Version | None]:
    """A model and the version a page or model info shows: `main` is the latest (None: no
    version yet), anything else must resolve. `sight`: the viewer's, if read already."""
    model = model_get(user=user, owner=owner, name=name, sight=sight)
    if revision == "main":
        return model, version_latest(model)
    return model, version_resolve(model=model, revision=revision)


def _version_by_prefix(model: Model, ready: QuerySet[Version], prefix: str) -> Version | None:
    found = list(ready.filter(revision__startswith=prefix)[:2])
    if len(found) > 1:
        raise RevisionNotFound(
            f"Revision {prefix!r} of {model.full_name} is ambiguous: more than one version's "
            "revision starts with it. Give more of its characters (or the full 40)."
        )
    return found[0] if found else None


def version_file_get(*, version: Version, path: str) -> VersionFile:
    row = version.files.select_related("blob").filter(path=path).first()
    if row is None:
        raise EntryNotFound(f"{path!r} is not in {version.model.full_name}@v{version.number}.")
    return row


def version_lineage(
    version: Version,
    *,
    sight: Sight,
    tree: VersionTree | None = None,
    limit: int = LINEAGE_LIMIT,
) -> list[Version | None]:
    """Ancestors of a version, parent first (from `tree`, read in one query when not given).
    One the viewer may not see ends the chain as None, shown as "a private model": nothing
    of it, or of what lies beyond it."""
    tree = tree or version_tree(model=version.model, version=version, limit=limit)
    chain: list[Version | None] = []
    for ancestor in tree.chain(version, limit):
        if not sight.sees(ancestor.model):
            chain.append(None)
            break
        chain.append(ancestor)
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
    page = get_backend().search(query)
    ids = [hit.model_id for hit in page.hits]
    latest = Version.objects.filter(model=OuterRef("pk"), status="ready").order_by("-number")
    by_id = (
        Model.objects.filter(pk__in=ids)
        .select_related("namespace")
        .defer("card")  # up to 100 cards a page that no list shows
        .annotate(latest_sha=Subquery(latest.values("revision")[:1]))
        .in_bulk()
    )
    return page, [by_id[i] for i in ids if i in by_id]


def model_likers(model: Model) -> QuerySet[Like]:
    """Who liked a model (the caller has checked that the viewer sees it)."""
    return Like.objects.filter(model=model).select_related("user")


def user_likes(*, username: str, viewer: AnyUser) -> QuerySet[Like]:
    """The models a user liked, leaving out private ones the viewer may not see."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"User {username!r} does not exist.")
    visible = models_visible_to(viewer).values("pk")
    return Like.objects.filter(user=user, model__in=visible).select_related("model__namespace")


def user_likes_model(*, user: AnyUser, model: Model) -> bool:
    return user.is_authenticated and Like.objects.filter(user=user, model=model).exists()


def user_active_get(pk: object) -> AbstractBaseUser | None:
    """An active user by primary key (one named in a signed grant), else None."""
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def model_by_pk(pk: object) -> Model | None:
    """A model by primary key (one named in a signed grant), visibility not checked."""
    return Model.objects.select_related("namespace").filter(pk=pk).first()


def namespace_get(*, name: str) -> Namespace:
    """The user or organization called `name` (as spelled)."""
    namespace = Namespace.objects.filter(name=name).first()
    if namespace is None:
        raise NotFound(f"Namespace {name!r} does not exist.")
    return namespace


def namespace_models(*, namespace: Namespace, user: AnyUser, limit: int = 100) -> list[Model]:
    """What a profile lists: the namespace's models this viewer sees, last updated first."""
    visible = models_visible_to(user).filter(namespace=namespace)
    return list(visible.order_by("-updated_at", "-pk")[:limit])


def org_get(*, name: str) -> Namespace:
    org = Namespace.objects.filter(name=name, kind=Namespace.Kind.ORG).first()
    if org is None:
        raise NotFound(f"No organization named {name!r}.")
    return org


def name_taken(name: str) -> bool:
    """Whether a user or namespace already has `name`, in any case: names are URLs."""
    users = get_user_model().objects.filter(username__iexact=name)
    return users.exists() or Namespace.objects.filter(name__iexact=name).exists()


def org_members(org: Namespace) -> QuerySet[Membership]:
    """Members in name order (the caller has checked that the viewer may see them)."""
    return org.members.select_related("user").order_by("user__username")


def namespace_is_member(*, user: AnyUser, namespace: Namespace) -> bool:
    return user.is_authenticated and namespace.members.filter(user=user).exists()


def model_audit_events(model: Model, *, limit: int = 200) -> QuerySet[AuditEvent]:
    """The newest audit events of a model (for its admins)."""
    return AuditEvent.objects.filter(model=model).select_related("actor")[:limit]


def model_aliases(model: Model, *, ready_only: bool = False) -> QuerySet[Alias]:
    aliases = model.aliases.select_related("version")
    return aliases.filter(version__status=Version.Status.READY) if ready_only else aliases


def model_alias_numbers(model: Model) -> dict[str, int]:
    """Alias name -> the number of the version it points at, by name."""
    return dict(model.aliases.order_by("name").values_list("name", "version__number"))


def version_files(version: Version) -> QuerySet[VersionFile]:
    return version.files.select_related("blob")


def versions_by_revision(revisions: Iterable[str]) -> dict[str, Version]:
    """Versions by commit sha, with only what listings show (metadata, size)."""
    rows = Version.objects.filter(revision__in=list(revisions)).only(
        "id", "revision", "metadata", "total_size"
    )
    return {version.revision: version for version in rows.order_by()}


def version_file_paths(version_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each version's file paths, in path order: one query for a whole listing."""
    paths: dict[int, list[str]] = {}
    rows = VersionFile.objects.filter(version_id__in=list(version_ids)).order_by(
        "version_id", "path"
    )
    for version_id, path in rows.values_list("version_id", "path"):
        paths.setdefault(version_id, []).append(path)
    return paths


def names_former(names: Iterable[str]) -> frozenset[str]:
    """The old names (lower-cased) of the models now called `names` ("owner/name", any case):
    text written before a move still uses them."""
    pairs = {tuple(name.split("/")) for name in names if name.count("/") == 1}
    if not pairs:
        return frozenset()
    wanted = reduce(
        or_,
        (
            Q(model__namespace__name__iexact=owner, model__name__iexact=repo)
            for owner, repo in pairs
        ),
    )
    rows = ModelRedirect.objects.filter(wanted).values_list("namespace_name", "name")
    return frozenset(f"{owner}/{repo}".lower() for owner, repo in rows)


@dataclass(frozen=True)
class HomeLists:
    sections: list[tuple[str, str, list[Model]]]  # (title, "see all" sort, models)
    task_counts: list[tuple[str, int]]  # tasks that have visible models, most used first
    model_count: int


def home_lists(*, user: AnyUser, size: int = 6) -> HomeLists:
    """The home page's lists, each by its own measure: this week's downloads, all-time
    downloads (only models ever downloaded) and creation. A list that would repeat one shown
    above it is left out, so no two lists on the page are the same."""
    visible = models_visible_to(user)
    candidates = [
        ("Trending this week", "trending", visible.filter(trending__gt=0), "-trending"),
        ("Most downloaded", "downloads", visible.filter(downloads__gt=0), "-downloads"),
        ("Newest", "created", visible, "-created_at"),
    ]
    sections, shown = [], set()
    for title, sort, queryset, order in candidates:
        models = list(queryset.order_by(order, "-pk")[:size])
        key = tuple(m.pk for m in models)
        if models and key not in shown:
            sections.append((title, sort, models))
            shown.add(key)
    counts = list(
        visible.order_by().values_list("task").annotate(n=Count("pk")).order_by("-n", "task")
    )
    return HomeLists(
        sections=sections,
        task_counts=counts,
        model_count=sum(n for _, n in counts),
    )
