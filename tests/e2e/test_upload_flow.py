"""Create a model, upload files, read its page, download a file: all in a real browser."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WEIGHTS = bytes(range(256)) * 64


def test_create_upload_view_download(page, screenshot, make_user, tmp_path):
    make_user("dora", "browser-pass-1")
    log_in(page, "dora", "browser-pass-1")
    page.click("text=+ New model")
    page.fill("input[name=name]", "tiny-cnn")
    page.click("#more-fields summary")  # the short form keeps the rest under "More details"
    page.fill("input[name=summary]", "A tiny CNN for tests")
    page.select_option("select[name=task]", "image-classification")
    page.select_option("select[name=source_domain]", "natural-images")
    page.select_option("select[name=license]", "mit")
    page.fill(
        "textarea[name=card]",
        "# Tiny CNN\n\nTrained on **nothing**.<script>window.pwned=1</script>",
    )
    screenshot("create-model")
    page.click("button:has-text('Create model')")
    page.wait_for_url("**/dora/tiny-cnn/upload")

    weights = tmp_path / "weights.bin"
    weights.write_bytes(WEIGHTS)
    config = tmp_path / "config.json"
    config.write_text('{"architecture": "tiny-cnn", "num_labels": 10}')
    page.set_input_files("input[name=files]", [str(weights), str(config)])
    page.fill("input[name=message]", "first weights")
    screenshot("upload-version")
    page.click("button:has-text('Publish version')")
    page.wait_for_url("**/dora/tiny-cnn")

    assert page.locator("h1").first.inner_text().startswith("dora / tiny-cnn")
    assert page.locator(".markdown h2").inner_text() == "Tiny CNN"  # the page's H1 is the name
    assert page.evaluate("window.pwned") is None  # the card's script never ran
    assert page.locator("table.files a.download").count() == 2
    assert "first weights" in page.locator(".versions").inner_text()
    assert "Image classification" in page.locator(".sidebar").inner_text()
    screenshot("model-page")

    with page.expect_download() as info:
        page.click("table.files tr:has-text('weights.bin') a.download")
    downloaded = info.value.path()
    assert downloaded.read_bytes() == WEIGHTS


def test_home_on_a_phone(page, screenshot, make_user):
    from catalog.services.models import model_create

    user = make_user("erin", "browser-pass-1")
    for name in ("alpha", "beta"):
        model_create(user=user, name=name, summary=f"{name} model", task="feature-extraction")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    assert page.locator(".model-tile").count() >= 2
    # Nothing overflows sideways on a narrow screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("home-phone")
