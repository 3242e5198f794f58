"""People and organizations in a real browser: sign up, tokens, an organization with a
member, a private model in it, fork, like, settings with the audit log, delete."""

from __future__ import annotations

import pytest

from catalog.models import Model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signup_tokens_org_fork_like_settings(page, screenshot, make_user):
    make_user("ivan", "browser-pass-1")
    page.goto("/accounts/signup/")
    page.fill("input[name=username]", "judy")
    page.fill("input[name=password]", "judys-password-9")
    page.click("button:has-text('Sign up')")
    page.wait_for_url("**/")
    assert "Log out judy" in page.locator("header").inner_text()

    page.goto("/settings/tokens")
    page.fill("input[name=name]", "laptop")
    assert page.is_checked("input[name=scope][value=read]")  # the safer scope by default
    page.click("button:has-text('Create token')")
    secret = page.locator("#token-secret").inner_text()
    assert secret.startswith("hub_")
    screenshot("tokens")
    page.reload()
    assert page.locator("#token-secret").count() == 0  # shown once
    page.click("#token-table summary:has-text('Revoke')")  # asks first
    page.click("button:has-text('Revoke laptop')")
    assert "revoked" in page.locator("table.files").inner_text()

    page.goto("/organizations/new")
    page.fill("input[name=name]", "lab")
    page.click("button:has-text('Create organization')")
    page.wait_for_url("**/lab")
    page.fill("#member-form input[name=username]", "ivan")
    page.select_option("#member-form select[name=role]", "read")
    page.click("#member-form button")
    assert "ivan" in page.locator("#members").inner_text()
    screenshot("organization")

    page.goto("/new")
    page.select_option("select[name=namespace]", "lab")
    page.fill("input[name=name]", "lab-model")
    page.check("input[name=visibility][value=private]")
    page.click("button:has-text('Create model')")
    page.wait_for_url("**/lab/lab-model/upload")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "config.json", "mimeType": "application/json", "buffer": b'{"a": 1}'}],
    )
    page.click("button:has-text('Publish version')")
    page.wait_for_url("**/lab/lab-model")

    page.click("#like-button")
    page.wait_for_url("**/lab/lab-model")
    assert "Liked · 1" in page.locator("#like-button").inner_text()

    page.click("#fork-button")
    page.select_option("select[name=namespace]", "judy")
    page.fill("input[name=name]", "my-fork")
    page.click("button:has-text('Fork')")
    page.wait_for_url("**/judy/my-fork")
    assert "Forked from" in page.locator(".lineage").inner_text()
    screenshot("fork")

    page.goto("/lab/lab-model/settings")
    assert page.locator("#visibility").inner_text() == "private"
    page.click("#toggle-visibility")
    assert page.locator("#visibility").inner_text() == "public"
    log = page.locator("#audit-log").inner_text()
    assert "model.create" in log and "version.publish" in log and "model.update" in log
    screenshot("model-settings")
    page.fill("input[name=confirm]", "lab/lab-model")
    page.click("button:has-text('Delete')")
    page.wait_for_url("**/lab")
    assert not Model.objects.filter(name="lab-model").exists()


def test_readers_see_private_org_models_but_cannot_upload(page, make_user):
    from catalog.models import Membership
    from catalog.services.models import model_create
    from catalog.services.orgs import org_create

    owner = make_user("kate", "browser-pass-1")
    reader = make_user("leo", "browser-pass-1")
    org = org_create(user=owner, name="studio")
    Membership.objects.create(namespace=org, user=reader, role="read")
    model_create(user=owner, name="hidden", namespace=org, private=True)
    from tests.e2e.conftest import log_in

    page.goto("/studio/hidden")
    assert "not found" in page.locator("h1").inner_text().lower()
    log_in(page, "leo", "browser-pass-1")
    page.goto("/studio/hidden")
    assert "hidden" in page.locator("h1").inner_text()
    assert page.locator("text=Upload new version").count() == 0
    response = page.goto("/studio/hidden/upload")
    assert response.status == 404
