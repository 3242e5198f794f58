"""Rights follow the bytes: a fine-tune publishes its base's weights (whole, or as the body
its head or adapter needs), so it needs the rights a fork would. Checked at submission, again
when the worker starts (membership or visibility may have changed while it was queued) and
again just before it publishes."""

from __future__ import annotations

from catalog.errors import Forbidden
from catalog.models import FineTuneJob, Model, Namespace
from catalog.permissions import derivation_refusal
from catalog.services.namespaces import namespace_for_user


def finetune_rights_check(
    *, user, base: Model, publish_to_base: bool, target_private: bool
) -> Namespace:
    """The namespace the result goes to; Forbidden with the reason when it may not."""
    namespace = base.namespace if publish_to_base else namespace_for_user(user=user)
    private = base.private if publish_to_base else target_private
    refusal = derivation_refusal(user=user, source=base, namespace=namespace, private=private)
    if refusal:
        raise Forbidden(refusal)
    return namespace


def finetune_job_rights_check(job: FineTuneJob) -> None:
    """Re-check a queued or finished-training job against the rows as they are now."""
    base = Model.objects.select_related("namespace").get(pk=job.base_version.model_id)
    target = Model.objects.filter(pk=job.target_model_id).first() if job.target_model_id else None
    to_base = target is not None and target.pk == base.pk
    if target is not None and not to_base:
        refusal = derivation_refusal(
            user=job.owner, source=base, namespace=target.namespace, private=target.private
        )
        if refusal:
            raise Forbidden(refusal)
        return
    finetune_rights_check(
        user=job.owner, base=base, publish_to_base=to_base, target_private=job.target_private
    )
