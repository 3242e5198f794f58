"""Metrics that read (issue 15, item 4; issue 14, item 7): numbers render as numbers, n beside
every figure, intervals, the procedure, baselines with the lift, per-class figures, the
confusion matrix as a labelled heat map, warnings visible; the test set first."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client

from adapters.evaluation import classification_report
from catalog.blobs import stage_local_file
from catalog.models import FineTuneJob, Version
from catalog.services.datasets import dataset_create
from catalog.services.models import model_create
from catalog.templatetags import metrics as f

LABELS = ["business", "sport", "tech"]


def report(kind: str, n: int, wrong: int, **procedure) -> dict:
    truth = [i % 3 for i in range(n)]
    predicted = [(t + 1) % 3 if i < wrong else t for i, t in enumerate(truth)]
    return classification_report(
        truth, predicted, LABELS, procedure={"kind": kind, **procedure},
        baselines=[{"name": "majority", "y_pred": [0] * n}],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, "12"), (12.0, "12"), (1234567, "1,234,567"), (None, "—"), ("x", "—"), (True, "—")],
)
def test_counts_are_integers_without_decimals(value, expected):
    assert f.count(value) == expected


def test_rates_are_percentages_with_their_interval():
    assert f.pct(0.9404) == "94.0 %"
    assert f.pct(0.5, 0) == "50 %"
    assert f.interval({"value": 0.94, "low": 0.901, "high": 0.968}) == "94.0 % [90.1, 96.8]"
    assert f.interval({"value": 0.94}) == "94.0 %"
    assert f.points(0.13) == "+13.0 points" and f.points(-0.02) == "-2.0 points"


def test_heat_cells_are_coloured_by_their_share_of_the_row():
    assert f.heat_style({"count": 0, "share": 0.0, "correct": True}) == ""
    right = f.heat_style({"count": 9, "share": 1.0, "correct": True})
    wrong = f.heat_style({"count": 1, "share": 0.1, "correct": False})
    assert right == "background-color: rgba(6, 118, 71, 0.50)"
    assert wrong == "background-color: rgba(180, 35, 24, 0.10)"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_partial_renders_a_report_that_reads():
    html = render_to_string(
        "catalog/_metrics.html",
        {"sections": f.metric_sections(report("cv", 24, 3, folds=5)), "anchor": "m", "level": 3},
    )
    words = text(html)
    assert "5-fold CV estimate of the procedure that trained this model, n=24." in words
    assert "Accuracy 87.5 % [" in words and "n = 24" in words
    assert "this model 87.5 % [" in words and "vs majority class 33.3 %" in words
    assert "+54.2 points over majority class" in words
    assert "n=24 is small" in words  # the warning is on the page
    # Per class: precision/recall/F1 as percentages, support as a count.
    assert re.search(r"<th scope=\"row\">business</th><td class=\"num\">\d+\.\d %</td>", html)
    # The heat map is a real table: labelled rows and columns, the number in every cell.
    assert "<caption>Confusion matrix</caption>" in html
    assert '<th scope="col">sport</th>' in html and '<th scope="row">tech</th>' in html
    assert 'title="true business, predicted sport: 1 of 8"' in html
    assert "rgba(6, 118, 71" in html and 'aria-describedby="m-cv-cm-legend"' in html


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_version_page_shows_the_test_set_first(alice, publish):
    model = model_create(user=alice, name="news")
    metrics = {
        "estimate": report("cv", 96, 6, folds=5),
        "test_set": report("test_set", 60, 3, dataset="held-out.csv"),
    }
    publish(model, {"notes.txt": b"x"}, metrics=metrics, origin=Version.Origin.FINETUNE)
    html = page(Client(), "/alice/news")
    assert html.index('id="metrics-test_set"') < html.index('id="metrics-estimate"')
    words = text(html)
    assert "your test set, never trained on, n=60." in words
    assert "Accuracy 95.0 % [" in words and "n = 60" in words
    assert "Accuracy 93.8 % [" in words and "n = 96" in words
    # The sidebar's summary leads with the test set too.
    summary = text(html[html.index('<dl class="metrics-summary"') :])
    assert summary.startswith(" Accuracy 95.0 % [86.3, 98.3] n = 60 Macro-F1 95.0 % [")


@pytest.mark.django_db
def test_older_flat_metrics_get_an_interval_and_no_raw_internals(alice, publish):
    model = model_create(user=alice, name="old")
    flat = {
        "accuracy": 1.0, "macro_f1": 1.0, "per_class_f1": {}, "labels": ["a", "b"],
        "confusion_matrix": [[6, 0], [0, 6]], "val_examples": 12, "refit_on_all_examples": True,
    }  # fmt: skip
    publish(model, {"notes.txt": b"x"}, metrics=flat, origin=Version.Origin.FINETUNE)
    html = page(Client(), "/alice/old")
    words = text(html)
    assert "Accuracy 100.0 % [75.8, 100.0] n = 12" in words
    assert "validation split held out by the fine-tune job, n=12" in words
    assert "describe the head before that refit" in words
    assert "interval wider than 10 points" in words
    for raw in ("val_examples", "refit_on_all_examples", "per_class_f1", "1.0000", "12.0000"):
        assert raw not in html


@pytest.mark.django_db
def test_the_job_page_shows_the_figures_of_the_published_version(alice, publish, tmp_path):
    model = model_create(user=alice, name="src")
    base = publish(model, {"notes.txt": b"x"})
    path = tmp_path / "d.csv"
    path.write_text("text,label\n" + "".join(f"t{i},{LABELS[i % 3]}\n" for i in range(9)))
    dataset = dataset_create(
        owner=alice, staged=stage_local_file("d.csv", path), adapter_key="text-classification"
    )
    metrics = {"estimate": report("cv", 30, 3, folds=5), "test_set": None}
    result = publish(
        model_create(user=alice, name="out"), {"notes.txt": b"y"}, parent=base, metrics=metrics
    )
    job = FineTuneJob.objects.create(
        owner=alice, base_version=base, dataset=dataset, adapter="text-classification",
        status="succeeded", result_version=result, metrics=metrics | {"stored_bytes": 2048},
    )  # fmt: skip
    client = Client()
    client.force_login(alice)
    words = text(page(client, f"/jobs/{job.pk}?panel=1"))
    assert "2.0 KB of new storage" in words
    assert "Accuracy 90.0 % [" in words and "n = 30" in words and "vs majority class" in words
