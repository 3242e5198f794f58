"""A base model's leaderboard (issue 14, item 6): its derived versions, per dataset, each
with its metric, interval and the procedure behind it.

Privacy: only derived versions the viewer may see are listed (a private fine-tune is not,
for others), and each row names only the derived model itself, which the viewer sees; the
viewer's own evaluations join in (no one else's: evaluations are their owner's)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from catalog.evaluation.figures import metric_sections
from catalog.models import Evaluation, Model, Version
from catalog.selectors import AnyUser, sight_of

LIMIT = 100  # derived versions read for one page
# figures.metric_sections' section keys a derived version's metrics may hold -> the source
# a row names; a bare report (an evaluation's shape) is not a version's own figures.
SOURCES = {"test_set": "test set", "estimate": "fine-tune estimate", "legacy": "validation split"}


@dataclass
class Entry:
    version: Version
    source: str  # what produced the figures: fine-tune estimate, test set, your evaluation
    report: dict
    evaluation: Evaluation | None = None

    @property
    def accuracy(self) -> float:
        return float(self.report["accuracy"]["value"])


@dataclass
class Board:
    key: str
    title: str
    entries: list[Entry] = field(default_factory=list)


def leaderboard(*, model: Model, user: AnyUser) -> list[Board]:
    visible = Model.objects.filter(sight_of(user).q())
    derived = list(
        Version.objects.filter(status=Version.Status.READY, parent__model=model, model__in=visible)
        .select_related("model__namespace", "finetune_job__dataset")
        .order_by("-created_at")[:LIMIT]
    )
    boards: dict[str, Board] = {}
    for version in derived:
        for key, title, entry in _version_entries(version):
            boards.setdefault(key, Board(key, title)).entries.append(entry)
    for evaluation in _evaluations(model=model, user=user, derived=derived):
        dataset = evaluation.dataset
        entry = Entry(evaluation.version, "your evaluation", evaluation.report, evaluation)
        boards.setdefault(dataset.blob_id, Board(dataset.blob_id, dataset.name)).entries.append(
            entry
        )
    for board in boards.values():
        board.entries.sort(key=lambda e: (-e.accuracy, -e.version.created_at.timestamp()))
    return sorted(boards.values(), key=lambda b: (-len(b.entries), b.title.lower()))


def _version_entries(version: Version):
    """(dataset key, dataset title, entry) for each report a derived version carries."""
    metrics = version.metrics
    job = getattr(version, "finetune_job", None)
    dataset = job.dataset if job is not None else None
    if dataset is not None:  # fine-tuned here: the dataset's content says which it was
        key, title = dataset.blob_id, dataset.name
    else:  # published with its figures: the card's dataset name, as the Hub groups them
        named = _first(version.model.datasets, "")
        key, title = (f"name:{named}", named) if named else (f"version:{version.pk}", "its data")
    for section in metric_sections(metrics):  # the one reader of stored metric shapes
        source = SOURCES.get(section.key)
        if source is None:
            continue
        if section.key == "test_set":
            procedure = section.report["procedure"]
            yield (
                procedure.get("dataset_sha256") or f"test:{version.pk}",
                procedure.get("dataset") or f"test set of {title}",
                Entry(version, source, section.report),
            )
        else:
            yield key, title, Entry(version, source, section.report)


def _evaluations(*, model: Model, user: AnyUser, derived: list[Version]) -> list[Evaluation]:
    if not user.is_authenticated:
        return []
    return list(
        Evaluation.objects.filter(owner_id=user.pk, status=Evaluation.Status.SUCCEEDED)
        .filter(Q(version__model=model) | Q(version__in=[v.pk for v in derived]))
        .select_related("version__model__namespace", "dataset")
        .order_by("-created_at")[:LIMIT]
    )


def _first(values: object, default: str) -> str:
    return str(values[0]) if isinstance(values, list) and values else default
