"""The product's core promise in a real browser: fine-tune MiniLM on my data, watch the job,
land on the new version linked to its base."""

from __future__ import annotations

import pytest

from adapters import demo_data
from adapters.base import PHASES
from tests.catalog.finetune_helpers import MINILM, seed_starter
from tests.e2e.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.training,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def test_finetune_from_the_model_page(page, screenshot, make_user, live_worker, tmp_path):
    base = seed_starter(MINILM)
    make_user("fran", "browser-pass-1")
    train, _ = demo_data.bbc_split(train_per_class=16, test_per_class=0, seed=7)
    csv_path = demo_data.write_text_csv(tmp_path / "my-news.csv", train)

    log_in(page, "fran", "browser-pass-1")
    page.goto(f"/{base.full_name}")
    screenshot("starter-model-page")
    page.click("#finetune-button")
    page.set_input_files("input[name=file]", str(csv_path))
    page.click("button:has-text('Check dataset')")
    summary = page.locator("#dataset-summary")
    assert "80" in summary.inner_text() and "5" in summary.inner_text()
    page.fill("input[name=epochs]", "25")
    page.fill("input[name=target_name]", "my-news-classifier")
    screenshot("finetune-review")
    page.click("button:has-text('Start fine-tuning')")
    page.wait_for_url("**/jobs/*")
    # While it runs: every phase listed in order, the current one marked, the bar not full.
    page.wait_for_selector('#job-panel[data-status="running"]', timeout=120_000)
    phases = page.locator("#job-phases li")
    assert phases.evaluate_all("els => els.map(e => e.dataset.phase)") == list(PHASES)
    assert page.locator('#job-phases li[aria-current="step"]').count() == 1
    assert int(page.locator("#job-overall").inner_text().rstrip(" %")) < 100
    screenshot("finetune-job-running")
    page.wait_for_selector("#job-result", timeout=240_000)
    assert page.locator("#job-status").inner_text() == "succeeded"
    assert phases.evaluate_all("els => els.map(e => e.dataset.state)") == ["done"] * len(PHASES)
    assert page.locator("#job-overall").inner_text() == "100 %"
    assert "fit" not in page.locator("#job-phases").inner_text()  # finished: durations
    # The learning curve has axes with values: loss (left), accuracy (right), epochs.
    chart = page.locator("svg.chart")
    assert chart.count() == 1
    assert chart.locator(".loss-tick").all_text_contents()[0] == "0"
    assert len(chart.locator(".loss-tick").all_text_contents()) >= 3
    assert chart.locator(".acc-tick").all_text_contents() == ["0", "0.25", "0.5", "0.75", "1"]
    assert chart.locator(".epoch-tick").all_text_contents()[-1] == "25"
    assert chart.locator(".axis-title").all_text_contents() == ["epoch", "loss", "accuracy"]
    log = page.locator("#job-log").inner_text().splitlines()
    assert all(line[:2].isdigit() and line[2] == ":" for line in log)  # HH:MM:SS first
    screenshot("finetune-job-done")

    page.click("#job-result a")
    page.wait_for_url("**/fran/my-news-classifier#v1")
    assert base.full_name in page.locator(".lineage").inner_text()
    assert "finetune" in page.locator(".versions").inner_text()
    files = page.locator("table.files").inner_text()
    assert "3_Dense/model.safetensors" in files and "model.onnx" in files
    screenshot("finetuned-model-page")


def test_models_without_an_adapter_say_why(page, make_user):
    from catalog.services.models import model_create

    user = make_user("gus", "browser-pass-1")
    model_create(user=user, name="no-files")
    log_in(page, "gus", "browser-pass-1")
    page.goto("/gus/no-files/finetune")
    assert "cannot be fine-tuned here" in page.locator("#no-adapter").inner_text()


def test_lora_on_an_uploaded_transformers_model_from_its_page(
    page, screenshot, make_user, live_worker, tmp_path, publish
):
    """A model pushed from the user's own tools (save_pretrained output, no README) is
    fine-tunable from its page, and the result page says how to load it."""
    from catalog.services.models import model_create
    from tests.hf.test_derived_clients import write_dataset
    from tests.standard_models import bert_base, files_in

    user = make_user("hana", "browser-pass-1")
    folder = bert_base(tmp_path / "bert")
    model = model_create(user=user, name="my-bert")
    publish(model, {path: (folder / path).read_bytes() for path in files_in(folder)})
    log_in(page, "hana", "browser-pass-1")
    page.goto("/hana/my-bert")
    page.click("#finetune-button")
    page.set_input_files("input[name=file]", str(write_dataset(tmp_path / "reviews.csv")))
    page.click("button:has-text('Check dataset')")
    page.select_option("select[name=strategy]", "lora")
    page.fill("input[name=epochs]", "2")
    page.fill("input[name=target_name]", "my-bert-reviews")
    screenshot("finetune-review-lora")
    page.click("button:has-text('Start fine-tuning')")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("#job-result", timeout=240_000)
    assert page.locator("#job-status").inner_text() == "succeeded"
    page.click("#job-result a")
    page.wait_for_url("**/hana/my-bert-reviews#v1")
    body = page.locator("body").inner_text()
    assert "adapter_config.json" in body and "AutoPeftModelForSequenceClassification" in body
    screenshot("finetuned-lora-model-page")
