"""What one viewer may know of the models a model derives from.

A private ancestor the viewer may not see is shown as "a private model": no name, revision
or text of it, in the API, on pages and in tags. Lineage links (`Version.parent`) are
checked against the viewer's `Sight`; names that strings carry (`Model.base_model`,
`base_model:` tags, a peft adapter's base, messages and cards written before derived files
stopped naming private bases) are redacted when they name a model the viewer may not see.
Search applies the same rule to its filters, facets and spelling (`catalog/search/`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from catalog.lineage import VersionTree, version_tree
from catalog.models import Model, Version
from catalog.selectors import (
    AnyUser,
    Sight,
    names_former,
    names_hidden,
    sight_of,
    version_lineage,
    versions_ready,
)

PRIVATE_MODEL = "a private model"
PRIVATE_REVISION = "(private)"
BASE_TAG = "base_model:"
RELATIONS = ("finetune", "adapter", "quantized", "merge")
HEX_RUN = re.compile(r"\b[0-9a-f]{7,40}\b", re.IGNORECASE)
Base = tuple[str | None, str | None, str | None]  # base_model, peft_base, its revision


def hidden_ref() -> dict:
    """The API's reference to a version of a model the viewer may not see."""
    return {"id": None, "version": None, "sha": None, "private": True}


def tag_base(tag: str) -> str | None:
    """The model a Hub lineage tag names: `base_model:owner/name` or, as the Hub writes them,
    `base_model:<relation>:owner/name`."""
    if not tag.startswith(BASE_TAG):
        return None
    rest = tag[len(BASE_TAG) :]
    relation, _, name = rest.partition(":")
    return name if name and relation in RELATIONS else rest


@dataclass(frozen=True)
class Ancestry:
    """For one answer or page: the models and revisions the viewer may not see among those
    its versions derive from, and how each kind of field hides them."""

    sight: Sight
    names: frozenset[str] = frozenset()  # lower-cased "owner/name"
    revisions: frozenset[str] = frozenset()  # 40-hex revision ids

    def shows(self, version: Version) -> bool:
        return self.sight.sees(version.model)

    def name(self, value: str | None) -> str | None:
        """A `base_model`-like field: None when it names a hidden model."""
        return None if isinstance(value, str) and value.strip().lower() in self.names else value

    def tags(self, tags: Iterable[str]) -> list[str]:
        return [tag for tag in tags if (tag_base(tag) or "").strip().lower() not in self.names]

    def metadata(self, metadata: dict) -> dict:
        """A version's metadata without a hidden base's name or revision."""
        out = dict(metadata)
        if "base_model" in out:
            out["base_model"] = self.name(out["base_model"])
        fmt = out.get("format")
        if isinstance(fmt, dict) and fmt.get("peft_base") and self.name(fmt["peft_base"]) is None:
            out["format"] = {**fmt, "peft_base": None, "peft_base_revision": None}
        return out

    def text(self, value: str) -> str:
        """Free text (version messages, the card) with hidden names and revisions replaced:
        for what was written before derived files stopped naming private bases."""
        if not value or not (self.names or self.revisions):
            return value
        if self._name_pattern is not None:
            value = self._name_pattern.sub(PRIVATE_MODEL, value)
        if self.revisions:
            value = HEX_RUN.sub(self._revision_replacement, value)
        return value

    @cached_property
    def _name_pattern(self) -> re.Pattern | None:
        if not self.names:
            return None
        names = "|".join(re.escape(name) for name in sorted(self.names, key=len, reverse=True))
        # "owner/name", with the version or revision a message may pin it to
        return re.compile(rf"(?<![\w.-])(?:{names})(?:@v\d+|@[0-9a-f]{{7,40}})?", re.IGNORECASE)

    def _revision_replacement(self, match: re.Match) -> str:
        run = match.group(0)
        hidden = any(revision.startswith(run.lower()) for revision in self.revisions)
        return PRIVATE_REVISION if hidden else run


def ancestry_for(
    *,
    user: AnyUser | None = None,
    sight: Sight | None = None,
    models: Iterable[Model] = (),
    versions: Iterable[Version | None] = (),
    tree: VersionTree | None = None,
    bases: Iterable[Base] = (),
) -> Ancestry:
    """The Ancestry of these models and versions for the viewer (`sight`, else `user`'s):
    the names that the models' fields, the versions' metadata and `bases`
    (`lineage.version_bases`) carry, checked in one query; and every ancestor in `tree`,
    past the first hidden one too (a card copied down a chain of forks may still name a
    grandparent). Without `tree`, each listed version's model's tree is read."""
    sight = sight or sight_of(user)
    if sight.everything:
        return Ancestry(sight)
    names: set[str] = set()
    for model in models:
        names.add(model.base_model)
        names.update(filter(None, (tag_base(tag) for tag in model.tags)))
    listed = [version for version in versions if version is not None]
    peft_revisions: dict[str, str] = {}
    for base_model, peft_base, peft_revision in [*map(_version_base, listed), *bases]:
        names.add(base_model if isinstance(base_model, str) else "")
        if isinstance(peft_base, str):
            names.add(peft_base)
            peft_revisions[peft_base.lower()] = peft_revision or ""
    hidden = set(names_hidden(names, sight=sight))
    revisions = {peft_revisions.get(name, "") for name in hidden}
    for version in _ancestors(listed, tree):
        if not sight.sees(version.model):
            hidden.add(version.model.full_name.lower())
            revisions.add(version.revision)
    hidden |= names_former(hidden)  # a moved model's old name, in text written before
    return Ancestry(sight, frozenset(hidden), frozenset(r.lower() for r in revisions if r))


def _version_base(version: Version) -> Base:
    metadata = version.metadata or {}
    fmt = metadata.get("format") if isinstance(metadata.get("format"), dict) else {}
    peft_base = fmt.get("peft_base") if isinstance(fmt.get("peft_base"), str) else None
    return metadata.get("base_model"), peft_base, fmt.get("peft_base_revision")


def _ancestors(versions: list[Version], tree: VersionTree | None) -> list[Version]:
    if tree is not None:
        return tree.ancestors()
    models: dict[int, Model] = {}
    for version in versions:
        if version.model_id not in models:
            models[version.model_id] = version.model
    return [row for model in models.values() for row in version_tree(model=model).ancestors()]


@dataclass(frozen=True)
class VersionRow:
    """One line of a model page's version history, as the viewer may see it."""

    version: Version
    message: str
    parent: Version | None  # None: no parent, or one the viewer may not see
    parent_hidden: bool


def lineage_page_context(*, user: AnyUser, model: Model, version: Version | None) -> dict:
    """What the model page shows of lineage: the chain above `version`, the version
    history, the tags and the card, each without what the viewer may not see."""
    sight = sight_of(user)
    versions = list(versions_ready(model).select_related("author"))
    tree = version_tree(model=model, version=version)
    tree.link([*versions, *([version] if version else [])])
    ancestry = ancestry_for(sight=sight, models=[model], versions=[*versions, version], tree=tree)
    rows = []
    for row in versions:
        parent = row.parent if row.parent_id else None
        hidden = parent is not None and not ancestry.shows(parent)
        rows.append(VersionRow(row, ancestry.text(row.message), None if hidden else parent, hidden))
    return {
        "lineage": version_lineage(version, sight=sight, tree=tree) if version else [],
        "versions": rows,
        "tags": ancestry.tags(model.tags),
        "card": ancestry.text(model.card),
    }
