"""Evaluate in a real browser: from a fine-tuned version's page, upload labelled data, watch
the worker score it, read the report (intervals, baselines, the heat map), find it on the
version page and on the base model's leaderboard."""

from __future__ import annotations

import re

import pytest

from catalog.services.models import model_create
from tests import standard_models as sm
from tests.catalog.evaluation_helpers import publish_folder, reviews_csv
from tests.e2e.axe import axe_source, failing
from tests.e2e.conftest import log_in
from tests.hf.test_derived_clients import finetune, write_dataset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.training,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]
INTERVAL = re.compile(r"\d+\.\d % \[\d+\.\d, \d+\.\d\]")


def test_evaluate_a_fine_tuned_version(page, screenshot, make_user, live_worker, publish, tmp_path):
    from tests.e2e.axe import axe_violations

    user = make_user("ivy", "browser-pass-1")
    base_dir = sm.bert_base(tmp_path / "base")
    base = publish_folder(publish, model_create(user=user, name="tiny-bert"), base_dir)
    out = tmp_path / "head-only"
    result = finetune(base_dir, base, "head-only", out, write_dataset(tmp_path / "train.csv"))
    derived = model_create(
        user=user, name="tiny-reviews", datasets=["reviews"], task="text-classification"
    )
    publish_folder(publish, derived, out, parent=base, metrics=result.metrics)
    page.context.add_init_script(axe_source())

    log_in(page, "ivy", "browser-pass-1")
    page.goto("/ivy/tiny-reviews")
    figures = page.locator("#evaluation")
    assert INTERVAL.search(figures.inner_text()) and "n = " in figures.inner_text()
    assert "val_examples" not in page.content()
    screenshot("version-page-figures")
    page.click("#evaluate-button")
    page.wait_for_url("**/ivy/tiny-reviews/evaluate")
    assert "negative" in page.locator("#model-labels").inner_text()
    page.set_input_files("input[name=file]", str(reviews_csv(tmp_path / "my-reviews.csv")))
    screenshot("evaluate-start")
    page.click("#evaluate-form button[type=submit]")
    page.wait_for_url("**/evaluations/*")
    evaluation_url = page.url
    page.wait_for_selector("#evaluation-result", timeout=120_000)
    assert page.locator("#evaluation-status").inner_text() == "succeeded"

    headline = page.locator('#evaluation-evaluation [data-figure="accuracy"]').inner_text()
    assert INTERVAL.fullmatch(headline), headline
    body = page.locator("#evaluation-result").inner_text()
    assert "n = 24" in body and "vs majority class 33.3 %" in body
    assert "n=24 is small" in body  # the warning shows
    matrix = page.locator("table.confusion")
    assert matrix.locator("thead th").all_inner_texts()[1:4] == ["negative", "neutral", "positive"]
    assert matrix.locator("tbody th[scope=row]").count() == 3
    counts = [int(t.split()[0]) for t in matrix.locator("td.cell").all_inner_texts()]
    assert len(counts) == 9 and sum(counts) == 24
    assert not failing(axe_violations(page)), failing(axe_violations(page))
    screenshot("evaluation-result")

    page.click("h1 a")
    page.wait_for_url("**/ivy/tiny-reviews/tree/*")
    mine = page.locator("#my-evaluations + ul").inner_text()
    assert "my-reviews.csv" in mine and INTERVAL.search(mine)
    page.goto("/ivy/tiny-bert")
    board = page.locator("table.leaderboard[data-dataset='my-reviews.csv']")
    assert "ivy/tiny-reviews v1" in board.inner_text() and "your evaluation" in board.inner_text()
    assert not failing(axe_violations(page)), failing(axe_violations(page))
    screenshot("base-model-leaderboard")
    # At a phone's width nothing scrolls sideways: wide tables scroll inside their box.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/ivy/tiny-bert", evaluation_url):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), path
    screenshot("evaluation-result-390")
