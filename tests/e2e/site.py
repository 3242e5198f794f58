"""One small site with something on every page, and the list of pages the browser checks.

`seed_site` writes it through the services (users, an organization, a fine-tunable model with
two versions and a card, a dataset, a running and a finished fine-tune job, ...). `PAGES`
names every page a person reaches; add a page by adding one `SitePage` line."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.urls import Resolver404, resolve
from django.utils import timezone

from catalog.blobs import stage_local_file
from catalog.finetune.options import finetune_options
from catalog.finetune.progress import phases_advance
from catalog.models import FineTuneJob, Membership, Model, Namespace, Version
from catalog.services.datasets import dataset_create
from catalog.services.models import model_create
from catalog.services.orgs import member_set, org_create
from catalog.services.tokens import token_create
from catalog.services.versions import OnHead, version_publish
from tests.standard_models import bert_base, files_in

PASSWORD = "browser-pass-1"
CARD = """---
license: mit
library_name: transformers
---
# tiny-bert

A tiny BERT for trying the hub: fine-tune it on a few sentences in seconds.

## How it was made

`BertModel` with one layer of 16 units, saved with `save_pretrained`. See the
[transformers docs](https://huggingface.co/docs/transformers) for loading it.
"""
SENTENCES = {
    "positive": ["a great movie", "good and fine", "the movie was great", "fine is good"],
    "negative": ["an awful movie", "bad and awful", "the movie was bad", "awful is bad"],
}


@dataclass
class Site:
    """What the pages need to know about the seeded data (ids, revisions)."""

    values: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> str:
        try:
            return self.values[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@dataclass(frozen=True)
class SitePage:
    name: str  # also the screenshot's file name
    path: str | Callable[[Site], str]
    user: str | None = "ada"  # who is logged in; None: an anonymous visitor
    status: int = 200
    wait_for: str = "main"  # a selector that is there once the page is ready
    route: str = ""  # a path that must resolve for the page to be listed (pages still to come)

    def url(self, site: Site) -> str:
        return self.path(site) if callable(self.path) else self.path

    def exists(self) -> bool:
        if not self.route:
            return True
        try:
            resolve(self.route)
        except Resolver404:
            return False
        return True


PAGES = [
    SitePage("home", "/", user=None),
    SitePage("home-signed-in", "/"),
    SitePage("search", "/models", user=None),
    SitePage("search-filtered", "/models?search=bert&task=feature-extraction", user=None),
    SitePage("model", "/ada/tiny-bert", user=None),
    SitePage("model-owner", "/ada/tiny-bert"),
    SitePage("model-version", lambda s: f"/ada/tiny-bert/tree/{s.first_revision}"),
    SitePage("model-finetuned", "/ada/tiny-bert-sentiment"),
    SitePage("upload", "/ada/tiny-bert/upload"),
    SitePage(
        "card-editor",
        "/ada/tiny-bert/edit/main/README.md",
        route="/ada/tiny-bert/edit/main/README.md",
    ),
    SitePage("evaluate", "/ada/tiny-bert-sentiment/evaluate", route="/ada/x/evaluate"),
    SitePage("model-new", "/new"),
    SitePage("model-settings", "/ada/tiny-bert/settings"),
    SitePage("fork", "/ada/tiny-bert/fork"),
    SitePage("finetune-start", "/ada/tiny-bert/finetune"),
    SitePage("finetune-review", lambda s: f"/ada/tiny-bert/finetune?dataset={s.dataset_id}"),
    SitePage("job-running", lambda s: f"/jobs/{s.running_job}", wait_for="#job-panel"),
    SitePage("job-finished", lambda s: f"/jobs/{s.finished_job}", wait_for="#job-result"),
    SitePage("jobs", "/jobs", route="/jobs"),
    SitePage("profile-jobs", "/ada?tab=jobs", wait_for="#profile-jobs"),
    SitePage("profile", "/ada"),
    SitePage("organization", "/lab"),
    SitePage("organization-member", "/lab", user="ben"),
    SitePage("tokens", "/settings/tokens"),
    SitePage("organization-new", "/organizations/new"),
    SitePage("login", "/accounts/login/?next=/ada/tiny-bert", user=None),
    SitePage("signup", "/accounts/signup/", user=None),
    SitePage("not-found", "/ada/no-such-model/and/more", user=None, status=404),
]


def pages() -> list[SitePage]:
    return [page for page in PAGES if page.exists()]


def seed_site(make_user, publish, work: Path) -> Site:
    ada = make_user("ada", PASSWORD)
    make_user("ben", PASSWORD)
    make_user("cy", PASSWORD)
    lab = org_create(user=ada, name="lab")
    member_set(actor=ada, org=lab, username="ben", role=Membership.Role.READ)
    member_set(actor=ada, org=lab, username="cy", role=Membership.Role.WRITE)
    token_create(user=ada, name="laptop", scope="read")

    folder = bert_base(work / "tiny-bert")
    base = model_create(user=ada, name="tiny-bert", summary=CARD.split("\n")[6], card=CARD)
    first = publish(base, {"config.json": (folder / "config.json").read_bytes()}, message="config")
    latest = publish(
        base, {path: (folder / path).read_bytes() for path in files_in(folder)}, message="weights"
    )
    _catalog(ada, lab, publish)
    dataset = _dataset(ada, latest, work)
    finished = _finetune_result(ada, base, latest, dataset, work)
    running = FineTuneJob.objects.create(
        owner=ada,
        base_version=latest,
        dataset=dataset,
        adapter=dataset.summary["adapter"],
        params={"strategy": "head-only", "epochs": 10},
        status=FineTuneJob.Status.RUNNING,
        epoch=3,
        epochs=10,
        history=_history(3),
        log="checking the dataset\ntraining: epoch 1 of 10\nepoch 2 of 10\nepoch 3 of 10",
        started_at=timezone.now() - timedelta(seconds=40),
        phases=_running_phases(),
    )
    return Site(
        {
            "first_revision": first.revision,
            "dataset_id": str(dataset.pk),
            "running_job": str(running.pk),
            "finished_job": str(finished.pk),
        }
    )


def _running_phases() -> list[dict]:
    """What the worker records 40 s into a head-only job: fit 1 of 6, epoch 3 of 10."""
    start, steps = timezone.now() - timedelta(seconds=41), []
    for name, second in (("queued", 0), ("preparing", 1), ("features", 12), ("training", 30)):
        at = (start + timedelta(seconds=second)).isoformat()
        steps = phases_advance(
            steps, name, at=at, **({"done": 40, "total": 40} if name == "features" else {})
        )
    counts = {"done": 3, "total": 60, "fit": 1, "fits": 6, "fit_epoch": 3, "per_fit": 10}
    return phases_advance(steps, "training", at=start.isoformat(), **counts)


def _catalog(ada, lab: Namespace, publish) -> None:
    """Other models, so that the home page's lists, chips and the facets have something."""
    specs = [
        ("news-topics", "text-classification", "news", 120, 30),
        ("cats-vs-dogs", "image-classification", "natural-images", 45, 0),
        ("reviews-sentiment", "text-classification", "web-text", 7, 7),
        ("xray-findings", "image-classification", "medical-images", 0, 0),
    ]
    for name, task, domain, downloads, trending in specs:
        model = model_create(
            user=ada,
            name=name,
            task=task,
            source_domain=domain,
            license="apache-2.0",
            summary=f"Sorts {domain.replace('-', ' ')} ({task.replace('-', ' ')})",
            tags=["demo", task],
        )
        publish(model, {"config.json": b'{"note": "placeholder weights"}'})
        Model.objects.filter(pk=model.pk).update(downloads=downloads, trending=trending)
    private = model_create(user=ada, name="internal-notes", namespace=lab, private=True)
    publish(private, {"notes.txt": b"private"})


def _dataset(ada, version: Version, work: Path):
    path = work / "sentiment.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for label, rows in SENTENCES.items():
            writer.writerows((text, label) for text in rows * 3)
    adapter = finetune_options(version).choices[0][0]
    return dataset_create(
        owner=ada, staged=stage_local_file("sentiment.csv", path), adapter_key=adapter
    )


def _finetune_result(ada, base: Model, parent: Version, dataset, work: Path) -> FineTuneJob:
    """A finished job and the model it published (files copied from the base: the pages only
    read them; real training is covered by the fine-tune flow tests)."""
    result = model_create(user=ada, name="tiny-bert-sentiment", task="text-classification")
    staged = [
        stage_local_file(path, work / "tiny-bert" / path) for path in files_in(work / "tiny-bert")
    ]
    metrics = {"accuracy": 0.875, "macro_f1": 0.871, "val_examples": 8, "stored_bytes": 5120}
    version = version_publish(
        model=result,
        files=staged,
        author=ada,
        message="fine-tuned on sentiment.csv",
        origin=Version.Origin.FINETUNE,
        parent=parent,
        on_head=OnHead.NONE,
        metrics=metrics,
    )
    now = timezone.now()
    return FineTuneJob.objects.create(
        owner=ada,
        base_version=parent,
        dataset=dataset,
        adapter=dataset.summary["adapter"],
        params={"strategy": "head-only", "epochs": 6},
        target_model=result,
        status=FineTuneJob.Status.SUCCEEDED,
        epoch=6,
        epochs=6,
        history=_history(6),
        metrics=metrics,
        log="training: epoch 6 of 6\nexporting ONNX\npublished v1",
        result_version=version,
        started_at=now - timedelta(seconds=95),
        finished_at=now - timedelta(seconds=5),
    )


def _history(epochs: int) -> list[dict]:
    return [
        {
            "epoch": e,
            "train_loss": round(1.1 / e, 4),
            "val_loss": round(1.2 / e + 0.05, 4),
            "val_accuracy": round(min(0.5 + 0.07 * e, 0.95), 3),
        }
        for e in range(1, epochs + 1)
    ]
