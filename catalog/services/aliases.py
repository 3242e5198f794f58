from __future__ import annotations

from catalog.errors import NotFound
from catalog.models import Alias, Model, Version
from catalog.naming import alias_validate
from catalog.services.audit import audit


def alias_set(*, model: Model, name: str, version: Version, actor=None) -> Alias:
    alias_validate(name)
    alias, _ = Alias.objects.update_or_create(model=model, name=name, defaults={"version": version})
    audit(actor=actor, action="alias.set", model=model, alias=name, version=version.number)
    return alias


def alias_delete(*, model: Model, name: str, actor=None) -> None:
    deleted, _ = Alias.objects.filter(model=model, name=name).delete()
    if not deleted:
        raise NotFound(f"{model.full_name} has no alias {name!r}.")
    audit(actor=actor, action="alias.delete", model=model, alias=name)
