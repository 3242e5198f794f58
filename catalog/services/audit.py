"""The audit log: one row per write, visible to the model's (or namespace's) admins."""

from __future__ import annotations

from catalog.models import AuditEvent, Model, Namespace, Version


def audit(
    *,
    actor,
    action: str,
    model: Model | None = None,
    namespace: Namespace | None = None,
    target: str = "",
    **details: object,
) -> None:
    namespace = namespace or (model.namespace if model else None)
    AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        model=model,
        namespace=namespace,
        target=target or (model.full_name if model else namespace.name if namespace else ""),
        details={key: value for key, value in details.items() if value not in (None, "")},
    )


def derivation_audit(*, actor, action: str, source: Version, derived: Model) -> None:
    """On the source's log: who derived what from which version. A derivative outside the
    source's namespace is named only when public (the source's admins may not see it)."""
    visible = not derived.private or derived.namespace_id == source.model.namespace_id
    audit(
        actor=actor,
        action=action,
        model=source.model,
        version=source.number,
        derived=derived.full_name if visible else "a private model",
    )
