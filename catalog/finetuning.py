"""What the fine-tune pages offer for a version: accepting adapters, or why none does."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.registry import adapter_choices, why_not_finetunable
from catalog.materialize import version_config
from catalog.models import Version


@dataclass
class FineTuneOptions:
    adapters: dict = field(default_factory=dict)  # key -> adapter
    reason: str = ""

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(key, adapter.title) for key, adapter in self.adapters.items()]

    def defaults(self, key: str) -> dict:
        adapter = self.adapters.get(key)
        return adapter.default_params().to_dict() if adapter else {}


def finetune_options(version: Version | None) -> FineTuneOptions:
    if version is None:
        return FineTuneOptions(reason="This model has no files yet.")
    config = version_config(version)
    if config is None:
        return FineTuneOptions(
            reason="No config.json in the hub format: the hub cannot tell "
            "which architecture to load."
        )
    adapters = dict(adapter_choices(config))
    return FineTuneOptions(
        adapters=adapters, reason="" if adapters else why_not_finetunable(config)
    )
