"""The card editor in a real browser: open it from the model page, see the preview follow the
typing, change a metadata field, save, and land on the model page with the new version."""

from __future__ import annotations

import pytest

from catalog.models import Model
from catalog.selectors import version_latest
from catalog.services.models import model_create
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CARD = b"---\nlicense: mit\nlibrary_name: timm\ntags: [vision]\n---\n# Tiny\n\nThe first words.\n"
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_edit_the_card_with_a_live_preview_and_save_a_version(page, screenshot, make_user, publish):
    dora = make_user("dora", "browser-pass-1")
    model = model_create(user=dora, name="tiny-cnn", license="mit")
    publish(model, {"README.md": CARD, "weights.bin": bytes(range(256))})
    log_in(page, "dora", "browser-pass-1")
    page.goto("/dora/tiny-cnn")
    page.click("#edit-card")
    page.wait_for_url("**/dora/tiny-cnn/edit/main/README.md")
    assert page.input_value("input[name=library_name]") == "timm"
    assert page.input_value("select[name=license]") == "mit"
    page.wait_for_selector("#card-preview p:has-text('The first words.')")

    page.fill("textarea[name=body]", "# Tiny\n\n## Usage\n\nLoad it with **timm**.")
    page.wait_for_selector("#card-preview :is(h2, h3):has-text('Usage')")  # by the server
    assert page.inner_text("#card-preview strong") == "timm"
    page.select_option("select[name=license]", "apache-2.0")
    page.fill("input[name=tags]", "vision, small")
    page.fill("input[name=message]", "Usage section")
    screenshot("card-editor")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(FITS)
    screenshot("card-editor-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("#card-save")
    page.wait_for_url("**/dora/tiny-cnn#v2")
    assert page.evaluate("document.querySelector(':target').id") == "v2"
    assert "Usage section" in page.inner_text("#v2")
    assert "Load it with timm." in page.inner_text(".markdown")
    screenshot("card-saved")
    model = Model.objects.get(pk=model.pk)
    assert model.license == "apache-2.0" and {"vision", "small"} <= set(model.tags)
    assert sorted(version_latest(model).files.values_list("path", flat=True)) == [
        "README.md",
        "weights.bin",
    ]


def test_readers_see_no_edit_button(page, make_user, publish):
    dora = make_user("dora", "browser-pass-1")
    make_user("eve", "browser-pass-1")
    publish(model_create(user=dora, name="tiny-cnn"), {"README.md": CARD})
    log_in(page, "eve", "browser-pass-1")
    page.goto("/dora/tiny-cnn")
    assert page.locator("#edit-card").count() == 0
    assert page.goto("/dora/tiny-cnn/edit/main/README.md").status == 404
