"""The Hugging Face Hub's list filters, read once for every backend.

`filter=`: the Hub matches each value against a model's tags, and a model must carry every
value. A model's tags here are those the API shows (`api.serializers.model_tags`): its own
tags (`base_model:` lineage tags among them), library, task, languages, `dataset:<d>` and
`license:<l>`. So each value becomes a group of alternatives, (facet key or "tag", value),
any of which matches; backends AND the groups. The hub's own facet names work as prefixes too
(`task:`, `library:`, `language:`, `source_domain:`), and a bare license or source domain
still matches as it did before tags were shown.

`num_parameters=`: the Hub's range syntax (`min:6B,max:128B`) over the parameter count the
latest ready version's metadata holds (`inspect.summarize_version`)."""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, QuerySet

from catalog.ancestry import tag_base
from catalog.errors import InvalidInput
from catalog.models import Version
from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS

Group = tuple[tuple[str, str], ...]
NOTHING: Group = ()  # matches no model (e.g. `gated=true`: no model here is gated)
HUB_PREFIXES = ("license", "dataset", "task", "library", "language", "source_domain")
UNSET = {"", "other", "unknown"}  # values the shown tags leave out
VOCABS = (("task", TASKS), ("source_domain", SOURCE_DOMAINS), ("license", LICENSES))
UNITS = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}
COUNT = re.compile(r"^(\d{1,15}(?:\.\d{1,6})?)([KMBT]?)$", re.IGNORECASE | re.ASCII)
MAX_COUNT = 10**18  # past any model; keeps the bound a 64-bit integer for the database
RANGE_HELP = "use the Hub's form, e.g. `min:6B,max:128B`, `min:500M` or `max:10B`"


def tag_group(value: str) -> Group:
    """The ways a model can carry the tag `value`."""
    literal = ("tag", value)
    prefix, _, rest = value.partition(":")
    if rest and prefix in HUB_PREFIXES:
        return (literal, (prefix, rest))
    base = tag_base(value)
    if base:
        return (literal, ("base_model", base))
    alternatives = [literal, ("language", value)]
    if value not in UNSET:
        alternatives.append(("library", value))
        alternatives += [(key, value) for key, vocab in VOCABS if value in vocab]
    return tuple(alternatives)


def parameter_range(text: str) -> tuple[int, int | None]:
    """`min:6B,max:128B` -> (6e9, 128e9); either bound may be left out."""
    bounds: dict[str, int] = {}
    for part in text.split(","):
        key, _, count = part.strip().partition(":")
        if key not in ("min", "max") or key in bounds or not count:
            raise InvalidInput(f"num_parameters {text[:100]!r}: {RANGE_HELP}.")
        bounds[key] = _count(count.strip(), text)
    low, high = bounds.get("min", 0), bounds.get("max")
    if high is not None and high < low:
        raise InvalidInput(f"num_parameters {text[:100]!r}: min is above max.")
    return low, high


def _count(count: str, text: str) -> int:
    match = COUNT.match(count)
    if not match:
        raise InvalidInput(f"num_parameters {text[:100]!r}: {RANGE_HELP}.")
    number, unit = match.groups()
    return min(round(float(number) * UNITS[unit.upper()]), MAX_COUNT)


def models_with_parameters(low: int, high: int | None) -> QuerySet:
    """Ids of models whose latest ready version counts low..high parameters (one statement,
    embedded as a subquery by the database backends)."""
    newer = Version.objects.filter(
        model=OuterRef("model"), status=Version.Status.READY, number__gt=OuterRef("number")
    )
    counted = Version.objects.filter(
        status=Version.Status.READY, metadata__parameter_count__gte=low
    )
    if high is not None:
        counted = counted.filter(metadata__parameter_count__lte=high)
    return counted.exclude(Exists(newer)).values("model_id")
