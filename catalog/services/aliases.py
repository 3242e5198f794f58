from __future__ import annotations

from catalog.errors import NotFound
from catalog.models import Alias, Model, Version
from catalog.naming import alias_validate


def alias_set(*, model: Model, name: str, version: Version) -> Alias:
    alias_validate(name)
    alias, _ = Alias.objects.update_or_create(model=model, name=name, defaults={"version": version})
    return alias


def alias_delete(*, model: Model, name: str) -> None:
    deleted, _ = Alias.objects.filter(model=model, name=name).delete()
    if not deleted:
        raise NotFound(f"{model.full_name} has no alias {name!r}.")
