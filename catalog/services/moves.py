"""Moving (renaming, or transferring to another namespace) a model, as `HfApi.move_repo` asks.

The model row keeps its id, so its versions, revisions, aliases, likes and lineage (parent
links point at versions, not names) stay as they are. The old name is kept as a
`ModelRedirect`: URLs that use it answer 307 to the new name, for viewers who may see the
model, until another model takes the old name. Visibility does not change."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from catalog.errors import Conflict, Forbidden
from catalog.info_cache import info_epoch_bump
from catalog.models import Model, ModelRedirect, Namespace
from catalog.naming import name_validate
from catalog.permissions import model_can_admin, namespace_can_write
from catalog.search import search_models_changed
from catalog.services.audit import audit

HIDDEN = "a private model"


def model_move(*, actor: AbstractBaseUser, model: Model, namespace: Namespace, name: str) -> Model:
    """Give `model` the name namespace/name. The actor administers the model and may write
    to the target namespace; the name follows the rules of model_create and is free."""
    name_validate(name)
    if not model_can_admin(user=actor, model=model):
        raise Forbidden(f"Only admins of {model.namespace.name} can move {model.full_name}.")
    if not namespace_can_write(user=actor, namespace=namespace):
        raise Forbidden(f"You cannot create models in {namespace.name}.")
    old_namespace, old_name = model.namespace, model.name
    old, new = model.full_name, f"{namespace.name}/{name}"
    taken = Model.objects.filter(namespace=namespace, name__iexact=name).exclude(pk=model.pk)
    if taken.exists():
        raise Conflict(f"{new} already exists.")
    if old == new:
        return model
    try:
        with transaction.atomic():
            Model.objects.select_for_update().filter(pk=model.pk).first()
            Model.objects.filter(pk=model.pk).update(namespace=namespace, name=name)
            info_epoch_bump()  # lineage links and cards elsewhere name it
            # The new name is a model's now; the old one points here (and so do older ones).
            ModelRedirect.objects.filter(namespace_name=namespace.name, name=name).delete()
            ModelRedirect.objects.update_or_create(
                namespace_name=old_namespace.name, name=old_name, defaults={"model": model}
            )
            _base_model_renamed(old, new)
            model.refresh_from_db()
            search_models_changed([model.pk])
            _audit_move(actor=actor, model=model, old=old, old_namespace=old_namespace)
    except IntegrityError as exc:  # a concurrent create or move took the name
        raise Conflict(f"{new} already exists.") from exc
    return model


def _base_model_renamed(old: str, new: str) -> None:
    """Models that derive from the moved one name it in `base_model` (a search facet)."""
    derived = list(Model.objects.filter(base_model__iexact=old).values_list("pk", flat=True))
    if derived:
        Model.objects.filter(pk__in=derived).update(base_model=new)
        search_models_changed(derived)


def _audit_move(*, actor, model: Model, old: str, old_namespace: Namespace) -> None:
    audit(actor=actor, action="model.move", model=model, **{"from": old, "to": model.full_name})
    if old_namespace.pk != model.namespace_id:
        # The old namespace's log says where it went, unless that is a private model there.
        shown = HIDDEN if model.private else model.full_name
        audit(actor=actor, action="model.move", namespace=old_namespace, target=old, to=shown)
