"""Every page, as a desktop and as a phone sees it: axe-core finds no critical or serious
violation, nothing scrolls sideways at 390 px, and a screenshot of each page at both widths
lands in var/screenshots/pages (HUB_SCREENSHOT_DIR) for people to look at.

One seeded site and one browser serve every page, so adding a page costs a second or two: add
a `SitePage` to `tests/e2e/site.py`."""

from __future__ import annotations

import json

import pytest

from tests.e2e.axe import axe_source, axe_version, axe_violations, failing
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.site import PASSWORD, pages, seed_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
# The page fits when document.documentElement.scrollWidth <= innerWidth.
WIDTHS_JS = "[document.documentElement.scrollWidth, window.innerWidth]"


def _visitors(browser, base_url: str, users: set[str | None]) -> dict:
    """One page per visitor (anonymous, or logged in once), with axe-core loaded on every
    document it opens."""
    visitors = {}
    for user in users:
        context = browser.new_context(base_url=base_url, reduced_motion="reduce")
        context.add_init_script(script=axe_source())
        page = context.new_page()
        page.set_default_timeout(15_000)
        if user:
            page.goto("/accounts/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_url("**/")
        visitors[user] = page
    return visitors


def test_every_page_has_no_serious_axe_violation_and_fits_a_phone(
    browser, live_server, make_user, publish, tmp_path
):
    site = seed_site(make_user, publish, tmp_path)
    folder = SCREENSHOTS / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    listed = pages()
    visitors = _visitors(browser, live_server.url, {p.user for p in listed})
    problems, summary = [], {"axe": axe_version(), "pages": {}}
    for label, (width, height) in WIDTHS.items():
        for page in visitors.values():
            page.set_viewport_size({"width": width, "height": height})
        for spec in listed:
            page, url = visitors[spec.user], spec.url(site)
            response = page.goto(url)
            page.wait_for_selector(spec.wait_for)
            where = f"{spec.name} at {width} px ({url})"
            if response is None or response.status != spec.status:
                problems.append(f"{where}: HTTP {response and response.status}, not {spec.status}")
            violations = axe_violations(page)
            bad = failing(violations)
            problems += [
                f"{where}: axe {v['impact']} {v['id']} ({v['help']}) on {v['count']} node(s): "
                f"{', '.join(v['nodes'])}"
                for v in bad
            ]
            scroll_width, inner_width = page.evaluate(WIDTHS_JS)
            if label == "phone" and scroll_width > inner_width:
                problems.append(f"{where}: scrolls sideways ({scroll_width} px > {inner_width})")
            page.screenshot(path=str(folder / f"{spec.name}-{width}.png"), full_page=True)
            summary["pages"].setdefault(spec.name, {})[label] = {
                "critical": sum(v["impact"] == "critical" for v in violations),
                "serious": sum(v["impact"] == "serious" for v in violations),
                "other": {v["id"]: v["nodes"] for v in violations if v not in bad},
                "scroll_width": scroll_width,
            }
    for page in visitors.values():
        page.context.close()
    (folder / "summary.json").write_text(json.dumps(summary, indent=1))
    assert not problems, "\n".join(problems)
