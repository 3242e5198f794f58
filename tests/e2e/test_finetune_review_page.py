"""The fine-tune form explains itself, in a real browser: the columns it read from a CSV named
`sentence,category`, examples per class, warnings, the column picker, and settings that
follow the strategy (shown where they apply, with the default the strategy uses)."""

from __future__ import annotations

import pytest

from adapters.base import STRATEGY_DEFAULTS
from catalog.services.models import model_create
from tests.e2e.conftest import log_in
from tests.standard_models import bert_base, files_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FITS = "document.documentElement.scrollWidth <= window.innerWidth"
ROWS = [(f"what a lovely day {n}", "joy") for n in range(24)] + [
    ("grey and cold", "gloom"),
    ("rain again", "gloom"),
    ("no sun at all", "gloom"),
]


def test_the_review_says_what_it_read_and_the_settings_follow_the_strategy(
    page, screenshot, make_user, publish, tmp_path
):
    dora = make_user("dora", "browser-pass-1")
    folder = bert_base(tmp_path / "tiny-bert")
    model = model_create(user=dora, name="tiny-bert")
    publish(model, {path: (folder / path).read_bytes() for path in files_in(folder)})
    data = tmp_path / "moods.csv"
    data.write_text(
        "id,sentence,category,topic,stars\n"
        + "".join(
            f"{n},{text},{mood},weather,{'high' if mood == 'joy' else 'low'}\n"
            for n, (text, mood) in enumerate(ROWS)
        )
    )
    log_in(page, "dora", "browser-pass-1")
    page.goto("/dora/tiny-bert")
    page.click("#finetune-button")
    page.set_input_files("input[name=file]", str(data))
    page.click("#dataset-form button[type=submit]")
    page.wait_for_selector("#dataset-summary")

    columns = page.inner_text("#dataset-columns")
    assert "Text from the column sentence, labels from the column category" in columns
    warnings = page.inner_text("#dataset-warnings")
    assert "Small classes: 'gloom' (3)" in warnings and "Unbalanced classes" in warnings
    joy = page.locator("#dataset-classes tr:has-text('joy') .samples li")
    assert joy.count() == 5 and joy.first.inner_text() == "what a lovely day 0"

    # Settings: "Layers to unfreeze" only for last-k; placeholders show the strategy's default.
    unfreeze = page.locator("[data-param=unfreeze_layers]")
    assert unfreeze.is_hidden()
    assert page.get_attribute("input[name=epochs]", "placeholder") == (
        f"default {STRATEGY_DEFAULTS['head-only']['epochs']}"
    )
    page.select_option("select[name=strategy]", "last-k")
    assert unfreeze.is_visible()
    assert page.get_attribute("input[name=epochs]", "placeholder") == (
        f"default {STRATEGY_DEFAULTS['last-k']['epochs']}"
    )
    assert "Passes over the training examples." in page.inner_text("[data-param=epochs]")
    screenshot("finetune-review")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(FITS)
    screenshot("finetune-review-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Another column as the label: refused when it has one class, else a new dataset.
    page.click("#column-picker summary")
    page.select_option("#pick-label", "topic")
    page.click("#columns-form button[type=submit]")
    page.wait_for_selector(".messages li.error")
    assert "only one class ('weather')" in page.inner_text(".messages")
    page.click("#column-picker summary")
    page.select_option("#pick-label", "stars")
    page.click("#columns-form button[type=submit]")
    page.wait_for_selector("#dataset-columns:has-text('labels from the column stars')")
    assert "two-column copy" in page.inner_text("#dataset-columns")
    classes = page.locator("#dataset-classes tbody tr td:first-child").all_inner_texts()
    assert classes == ["high", "low"]


def test_columns_without_usual_names_are_asked_for(page, screenshot, make_user, publish, tmp_path):
    dora = make_user("dora", "browser-pass-1")
    folder = bert_base(tmp_path / "tiny-bert")
    model = model_create(user=dora, name="tiny-bert")
    publish(model, {path: (folder / path).read_bytes() for path in files_in(folder)})
    data = tmp_path / "tickets.csv"
    data.write_text("body,queue\n" + "".join(f"ticket {n},{'ab'[n % 2]}\n" for n in range(12)))
    log_in(page, "dora", "browser-pass-1")
    page.goto("/dora/tiny-bert/finetune")
    page.set_input_files("input[name=file]", str(data))
    page.click("#dataset-form button[type=submit]")
    page.wait_for_selector("#column-fields[open] select[name=text_column]")
    assert "found columns: 'body', 'queue'" in page.inner_text("#dataset-form")
    screenshot("finetune-columns-asked")
    page.select_option("select[name=text_column]", "body")
    page.select_option("select[name=label_column]", "queue")
    page.set_input_files("input[name=file]", str(data))
    page.click("#dataset-form button[type=submit]")
    page.wait_for_selector("#dataset-columns:has-text('labels from the column queue')")
    assert page.locator("#dataset-classes tbody tr").count() == 2
