"""The job list in a real browser: /jobs with its filters, the profile's Jobs tab, and a job's
result link landing on the model page with that version highlighted (not a pinned page)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Blob, Dataset, FineTuneJob
from catalog.services.models import model_create
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def seed_jobs(make_user, publish):
    dora = make_user("dora", "browser-pass-1")
    base = publish(model_create(user=dora, name="encoder"), {"config.json": b"{}"})
    tuned_model = model_create(user=dora, name="encoder-reviews")
    tuned = publish(tuned_model, {"README.md": b"# tuned\n"})
    publish(tuned_model, {"notes.txt": b"a later version"})
    blob = Blob.objects.create(sha256="cd" * 32, size=10)
    now = timezone.now()

    def job(status, strategy, name, **fields):
        dataset = Dataset.objects.create(
            owner=dora, name=name, blob=blob, kind="text", format="csv", summary={"rows": 120}
        )
        return FineTuneJob.objects.create(
            owner=dora,
            base_version=base,
            dataset=dataset,
            adapter="text-classification",
            params={"strategy": strategy, "epochs": 4, "unfreeze_layers": 2},
            status=status,
            started_at=now - timedelta(minutes=3),
            **fields,
        )

    done = job(
        "succeeded",
        "head-only",
        "reviews.csv",
        result_version=tuned,
        metrics={"accuracy": 0.9},
        finished_at=now - timedelta(seconds=40),
    )
    job("failed", "lora", "tickets.csv", error="The CSV has one class only ('spam').")
    job("running", "last-k", "emails.jsonl", epoch=1, epochs=6)
    return done


def test_the_job_list_filters_and_leads_to_the_result(page, screenshot, make_user, publish):
    done = seed_jobs(make_user, publish)
    log_in(page, "dora", "browser-pass-1")
    page.click("#site-nav >> text=Jobs")
    page.wait_for_url("**/jobs")
    assert page.locator("#jobs-table tbody tr").count() == 3
    assert "2 min 20 s" in page.inner_text(f"tr[data-job='{done.pk}']")
    screenshot("jobs")
    page.select_option("#job-status-filter", "failed")
    page.click(".job-filters button[type=submit]")
    page.wait_for_url("**/jobs?status=failed**")
    rows = page.locator("#jobs-table tbody tr")
    assert rows.count() == 1 and "one class only" in rows.inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/jobs")
    assert page.evaluate(FITS)
    screenshot("jobs-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto("/jobs")
    page.click(f"tr[data-job='{done.pk}'] .job-result a")
    page.wait_for_url("**/dora/encoder-reviews#v1")
    assert page.locator(".notice:has-text('Go to latest')").count() == 0  # the model page
    assert page.evaluate("document.querySelector(':target').id") == "v1"
    screenshot("job-result-on-model-page", full_page=False)


def test_the_job_page_result_link_goes_to_the_model_page(page, make_user, publish):
    done = seed_jobs(make_user, publish)
    log_in(page, "dora", "browser-pass-1")
    page.goto(f"/jobs/{done.pk}")
    page.click("#job-result a")
    page.wait_for_url("**/dora/encoder-reviews#v1")
    assert page.evaluate("document.querySelector(':target').id") == "v1"


def test_the_profile_jobs_tab(page, screenshot, make_user, publish):
    seed_jobs(make_user, publish)
    log_in(page, "dora", "browser-pass-1")
    page.goto("/dora")
    page.click("#jobs-tab")
    page.wait_for_url("**/dora?tab=jobs")
    assert page.get_attribute("#jobs-tab", "aria-current") == "page"
    assert page.locator("#profile-jobs #jobs-table tbody tr").count() == 3
    page.select_option("#job-strategy-filter", "lora")
    page.click(".job-filters button[type=submit]")
    page.wait_for_url("**/dora?tab=jobs&status=&strategy=lora**")
    assert page.locator("#jobs-table tbody tr").count() == 1
    screenshot("profile-jobs")
