"""What the fine-tune pages offer for a version: accepting adapters, or why none does.

Read from the format detected at publish (``version.metadata["format"]``): no storage read,
so it is cheap on every page view and safe under the publishing row lock."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.registry import adapter_choices, why_not_finetunable
from catalog.models import Version
from catalog.services.formats import version_format_dict


@dataclass
class FineTuneOptions:
    adapters: dict = field(default_factory=dict)  # key -> adapter
    reason: str = ""
    base_format: dict = field(default_factory=dict)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(key, adapter.title) for key, adapter in self.adapters.items()]


def finetune_options(version: Version | None) -> FineTuneOptions:
    if version is None:
        return FineTuneOptions(reason="This model has no files yet.")
    fmt = version_format_dict(version)
    adapters = dict(adapter_choices(fmt))
    reason = "" if adapters else why_not_finetunable(fmt)
    return FineTuneOptions(adapters=adapters, reason=_sentence(reason), base_format=fmt)


def _sentence(reason: str) -> str:
    return f"{reason}." if reason else ""
