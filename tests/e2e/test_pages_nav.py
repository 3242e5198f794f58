"""How a person gets around: the phone menu and filter drawer, the skip link, chips and owner
links that lead somewhere, liking when logged out, the short new-model form, copying a new
token, and confirmations before revoking a token, removing a member or leaving."""

from __future__ import annotations

import pytest

from catalog.models import ApiToken, Membership
from catalog.services.models import model_create
from catalog.services.orgs import member_set, org_create
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.e2e.site import PASSWORD, seed_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = SCREENSHOTS / "pages"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_phone_menu_filter_drawer_and_skip_link(phone, make_user):
    SHOTS.mkdir(parents=True, exist_ok=True)
    user = make_user("ada", PASSWORD)
    for name, task in [("news-a", "text-classification"), ("cats-b", "image-classification")]:
        model_create(user=user, name=name, task=task)
    phone.goto("/")
    nav, menu = phone.locator("#site-nav"), phone.locator(".menu-toggle")
    assert not nav.is_visible() and menu.get_attribute("aria-expanded") == "false"
    menu.click()
    assert nav.is_visible() and menu.get_attribute("aria-expanded") == "true"
    assert nav.locator("a:has-text('Log in')").is_visible()
    phone.screenshot(path=str(SHOTS / "menu-open-390.png"))
    menu.click()
    assert not nav.is_visible()

    phone.goto("/")
    phone.keyboard.press("Tab")  # the first stop is the skip link, and it shows itself
    skip = phone.locator(".skip-link")
    assert phone.evaluate("document.activeElement.className") == "skip-link"
    assert skip.bounding_box()["y"] >= 0
    phone.keyboard.press("Enter")
    assert phone.evaluate("location.hash") == "#main"

    phone.goto("/models")
    assert phone.locator("form.search").count() == 0  # one search box on this page
    facets, toggle = phone.locator("#facets"), phone.locator("[data-filters-toggle]")
    assert not facets.is_visible()
    toggle.click()
    facets.wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    phone.click("[data-facet=task] a:has-text('Image classification')")
    phone.wait_for_function("location.search.includes('task=image-classification')")
    phone.wait_for_function("document.querySelector('#result-count').innerText.startsWith('1 ')")
    assert facets.is_visible()  # the drawer stays open while filters are picked
    phone.screenshot(path=str(SHOTS / "filters-open-390.png"))
    phone.click("[data-filters-close]")
    facets.wait_for(state="hidden")
    assert "Image classification" in phone.locator(".active-filters").inner_text()
    toggle.click()
    facets.wait_for(state="visible")
    phone.keyboard.press("Escape")
    facets.wait_for(state="hidden")
    toggle.click()
    facets.wait_for(state="visible")
    phone.mouse.click(380, 600)  # a tap on the dimmed page beside the drawer closes it
    facets.wait_for(state="hidden")
    assert "task=image-classification" in phone.url  # and follows no link underneath


def test_chips_owner_link_like_prompt_and_job_result(page, make_user, publish, tmp_path):
    site = seed_site(make_user, publish, tmp_path)
    page.goto("/")
    chips = page.locator("#task-chips").inner_text()
    assert "Text classification" in chips and "Feature extraction" in chips
    assert "Object detection" not in chips  # no chip for a task without models
    lists = page.locator(".home-list")
    assert lists.count() == 3
    names = [lists.nth(i).locator(".tile-title").all_inner_texts() for i in range(3)]
    assert len({tuple(n) for n in names}) == 3  # no two lists are the same

    page.goto("/ada/tiny-bert")
    assert page.locator("h1").count() == 1
    assert page.locator(".lead").count() == 0  # the card already starts with the summary
    chips = page.locator(".model-chips").all_inner_texts()[0].split("\n")
    assert len(chips) == len(set(chips)), chips  # nothing shown twice
    page.click(".owner-link")
    page.wait_for_url("**/ada")
    page.go_back()
    page.click(".model-chips a.task")
    page.wait_for_url("**/models?task=feature-extraction")
    assert page.locator("#result-count").inner_text().startswith("1 model")

    page.goto("/ada/tiny-bert")
    page.click("#like-button")  # anonymous: asked to log in, then back on the model
    page.wait_for_url("**/accounts/login/?next=/ada/tiny-bert")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/ada/tiny-bert")
    page.click("#like-button")
    page.wait_for_url("**/ada/tiny-bert")
    assert page.locator("#like-button").get_attribute("aria-pressed") == "true"

    page.goto(f"/jobs/{site.finished_job}")
    page.click("#job-result a")  # the model itself, its version marked in the history
    page.wait_for_url("**/ada/tiny-bert-sentiment#v1")
    assert page.locator("#v1:target").count() == 1

    page.goto("/new")
    assert page.locator("#more-fields").get_attribute("open") is None
    visible = page.locator("#model-new-form :is(input, select, textarea):visible")
    assert visible.count() <= 6  # owner, name, license, two visibility radios
    page.fill("input[name=name]", "quick-one")
    page.click("button:has-text('Create model')")
    page.wait_for_url("**/ada/quick-one/upload")


def test_new_token_copies_and_destructive_actions_ask_first(browser, live_server, make_user):
    context = browser.new_context(
        base_url=live_server.url, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    ada, ben = make_user("ada", PASSWORD), make_user("ben", PASSWORD)
    lab = org_create(user=ada, name="lab")
    member_set(actor=ada, org=lab, username="ben", role="read")

    log_in(page, "ada", PASSWORD)
    page.goto("/settings/tokens")
    page.fill("input[name=name]", "ci")
    page.click("button:has-text('Create token')")
    secret = page.locator("#token-secret").inner_text()
    page.click("#copy-token")
    page.wait_for_function("document.querySelector('#copy-status').innerText.length > 0")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    assert ApiToken.objects.get(name="ci").scope == "read"

    page.click("#token-table summary:has-text('Revoke')")
    confirm = page.locator("button:has-text('Revoke ci')")
    assert confirm.is_visible() and ApiToken.objects.get(name="ci").revoked_at is None
    page.keyboard.press("Escape")  # changes its mind
    assert not confirm.is_visible()
    page.click("#token-table summary:has-text('Revoke')")
    confirm.click()
    page.wait_for_selector("text=Token revoked.")
    assert ApiToken.objects.get(name="ci").revoked_at is not None

    page.goto("/lab")
    page.click("#members summary:has-text('Remove')")
    page.click("button:has-text('Remove ben')")
    page.wait_for_selector("text=Removed ben from lab.")
    assert not Membership.objects.filter(namespace=lab, user=ben).exists()
    page.click("#leave-org summary")
    page.click("#leave-org button:has-text('Leave lab')")  # the last admin may not leave
    page.wait_for_selector("text=last admin of lab")
    assert Membership.objects.filter(namespace=lab, user=ada).exists()

    member_set(actor=ada, org=lab, username="ben", role="read")
    page.click("form.inline button:has-text('Log out')")
    log_in(page, "ben", PASSWORD)
    page.goto("/lab")
    assert page.locator("#members summary").count() == 0  # only admins remove members
    page.click("#leave-org summary")
    page.click("#leave-org button:has-text('Leave lab')")
    page.wait_for_selector("text=You left lab.")
    assert not Membership.objects.filter(namespace=lab, user=ben).exists()
    context.close()
