"""The interactive API docs render in a real browser from local assets (no CDN)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_lists_the_operations(page, screenshot):
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto("/api/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/models/{owner}/{name}/versions" in p for p in paths)
    assert any("/api/finetunes" in p for p in paths)
    assert failed == []
    screenshot("api-docs")
