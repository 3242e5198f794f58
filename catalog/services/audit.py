"""The audit log: one row per write, visible to the model's (or namespace's) admins."""

from __future__ import annotations

from catalog.models import AuditEvent, Model, Namespace


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
