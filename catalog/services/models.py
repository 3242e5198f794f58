"""Writes on Model: create and edit metadata."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from catalog.errors import Conflict, Forbidden, InvalidInput
from catalog.info_cache import info_epoch_bump
from catalog.models import Model, ModelRedirect, Namespace
from catalog.naming import name_validate
from catalog.permissions import namespace_can_write
from catalog.search import search_models_changed
from catalog.services.audit import audit
from catalog.services.cards import card_size_check
from catalog.services.namespaces import namespace_for_user
from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS

EDITABLE_FIELDS = (
    "card",
    "summary",
    "task",
    "source_domain",
    "library",
    "license",
    "datasets",
    "languages",
    "tags",
    "private",
    "base_model",
)


def model_create(
    *,
    user: AbstractBaseUser,
    name: str,
    namespace: Namespace | None = None,
    **fields: object,
) -> Model:
    name_validate(name)
    namespace = namespace or namespace_for_user(user=user)
    if not namespace_can_write(user=user, namespace=namespace):
        raise Forbidden(f"You cannot create models in {namespace.name}.")
    cleaned = model_fields_clean(fields)
    if Model.objects.filter(namespace=namespace, name__iexact=name).exists():
        raise Conflict(f"{namespace.name}/{name} already exists.")
    try:
        with transaction.atomic():
            model = Model.objects.create(namespace=namespace, name=name, created_by=user, **cleaned)
            # The name is taken again: the moved model's old name stops redirecting for good.
            freed, _ = ModelRedirect.objects.filter(
                namespace_name__iexact=namespace.name, name__iexact=name
            ).delete()
            if model.private or freed:  # other answers may now have a name to hide
                info_epoch_bump()
            search_models_changed([model.pk])
            audit(actor=user, action="model.create", model=model, private=model.private)
            return model
    except IntegrityError as exc:
        raise Conflict(f"{namespace.name}/{name} already exists.") from exc


def model_update(*, model: Model, actor=None, **fields: object) -> Model:
    cleaned = model_fields_clean(fields)
    changed = sorted(key for key, value in cleaned.items() if getattr(model, key) != value)
    for key, value in cleaned.items():
        setattr(model, key, value)
    model.save(update_fields=[*cleaned, "updated_at"])
    if "private" in changed:  # descendants and cards naming it show or hide it now
        info_epoch_bump()
    search_models_changed([model.pk])
    if changed:
        audit(
            actor=actor,
            action="model.update",
            model=model,
            fields=changed,
            private=cleaned.get("private"),
        )
    return model


def model_delete(*, actor, model: Model) -> None:
    """Delete a model and its versions; blobs stay (shared) until garbage-collected."""
    with transaction.atomic():
        audit(actor=actor, action="model.delete", namespace=model.namespace, target=model.full_name)
        model_id = model.pk
        try:
            model.delete()
        except ProtectedError as exc:  # a fine-tune job (anyone's) was trained from a version
            raise Conflict(
                f"{model.full_name} cannot be deleted: {len(exc.protected_objects)} fine-tune "
                "job(s) were trained from its versions. Make it private instead."
            ) from exc
        info_epoch_bump()
        search_models_changed([model_id])


def model_fields_clean(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown model field(s): {', '.join(sorted(unknown))}.")
    cleaned = dict(fields)
    _check_choice(cleaned, "task", TASKS)
    _check_choice(cleaned, "source_domain", SOURCE_DOMAINS)
    _check_choice(cleaned, "license", LICENSES)
    for key in ("datasets", "languages", "tags"):
        if key in cleaned:
            cleaned[key] = _string_list(key, cleaned[key])
    if "private" in cleaned:
        cleaned["private"] = bool(cleaned["private"])
    for key in ("card", "summary", "library"):
        if key in cleaned and cleaned[key] is None:
            cleaned[key] = ""
    card_size_check(len(str(cleaned.get("card", "")).encode("utf-8", "surrogatepass")))
    if len(str(cleaned.get("summary", ""))) > 300:
        raise InvalidInput("The summary must be 300 characters or fewer.")
    return cleaned


def _check_choice(fields: dict, key: str, choices: dict[str, str]) -> None:
    if key in fields and fields[key] not in choices:
        allowed = ", ".join(choices)
        raise InvalidInput(
            f"Unknown {key.replace('_', ' ')} {fields[key]!r}; choose one of: {allowed}."
        )


def _string_list(key: str, value: object) -> list[str]:
    if isinstance(value, str):
        value = [item.strip() for item in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidInput(f"{key} must be a list of strings.")
    items = [item.strip() for item in value if item.strip()]
    if any(len(item) > 100 for item in items) or len(items) > 50:
        raise InvalidInput(f"{key}: at most 50 items of at most 100 characters each.")
    return list(dict.fromkeys(items))
