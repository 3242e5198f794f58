"""Aliases: named pointers to versions. The Hub client sees them as git tags (`create_tag`,
`delete_tag`, `list_repo_refs`), beside the tags `vN` every version has."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from catalog.errors import Conflict, InvalidInput, NotFound
from catalog.models import Alias, Model, Version
from catalog.naming import VERSION_NUMBER_RE, alias_validate
from catalog.services.audit import audit


def alias_set(*, model: Model, name: str, version: Version, actor=None) -> Alias:
    alias_validate(name)
    alias, _ = Alias.objects.update_or_create(model=model, name=name, defaults={"version": version})
    audit(actor=actor, action="alias.set", model=model, alias=name, version=version.number)
    return alias


def alias_create(
    *, model: Model, name: str, version: Version, actor=None, message: str = ""
) -> Alias:
    """A new alias (the Hub's `create_tag`): an existing one is a 409, as for a git tag."""
    alias_validate(name)
    try:
        with transaction.atomic():
            alias = Alias.objects.create(model=model, name=name, version=version)
    except IntegrityError as exc:
        raise Conflict(f"Tag {name!r} already exists on {model.full_name}.") from exc
    audit(
        actor=actor,
        action="alias.set",
        model=model,
        alias=name,
        version=version.number,
        message=message[:1000],
    )
    return alias


def alias_delete(*, model: Model, name: str, actor=None) -> None:
    if name == "main" or VERSION_NUMBER_RE.match(name):
        raise InvalidInput(
            f"{name!r} is not an alias: 'main' and the version tags vN cannot be deleted."
        )
    deleted, _ = Alias.objects.filter(model=model, name=name).delete()
    if not deleted:
        raise NotFound(f"{model.full_name} has no alias {name!r}.")
    audit(actor=actor, action="alias.delete", model=model, alias=name)
