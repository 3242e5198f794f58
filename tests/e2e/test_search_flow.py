"""Search in a real browser: type-ahead results, facets, sort, paging and the back button."""

from __future__ import annotations

import pytest
from django.db import connection

from catalog.models import Model
from catalog.services.models import model_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog(make_user):
    user = make_user("hana", "browser-pass-1")
    for index in range(35):
        model_create(
            user=user,
            name=f"vision-net-{index:02d}",
            task="image-classification",
            source_domain="natural-images",
            license="mit" if index % 2 else "apache-2.0",
            summary=f"Vision network number {index}",
        )
    model_create(
        user=user,
        name="news-bert",
        task="text-classification",
        source_domain="news",
        license="mit",
        summary="Classifies news articles",
    )
    Model.objects.filter(name="vision-net-07").update(downloads=999)
    return user


def result_names(page) -> list[str]:
    return [text.split("/")[-1] for text in page.locator(".hit .tile-title").all_inner_texts()]


def test_search_filters_sort_paging_and_back(page, screenshot, catalog):
    page.goto("/models")
    assert page.locator("#result-count").inner_text().startswith("36 models")

    page.fill("#search-input", "news")  # results follow the typing, no submit
    page.wait_for_function(
        "document.querySelector('#result-count').innerText.startsWith('1 model')"
    )
    assert result_names(page) == ["news-bert"]
    assert page.locator(".hit mark").first.inner_text().lower() == "news"
    assert "search=news" in page.url
    screenshot("search-typed")

    page.fill("#search-input", "")
    page.wait_for_function("document.querySelector('#result-count').innerText.startsWith('36')")
    page.click("[data-facet=task] a:has-text('Image classification')")
    page.wait_for_function("document.querySelector('#result-count').innerText.startsWith('35')")
    assert "task=image-classification" in page.url
    page.click("[data-facet=license] a:has-text('MIT')")
    page.wait_for_function("document.querySelector('#result-count').innerText.startsWith('17')")
    screenshot("search-facets")
    page.click("[data-facet=license] a:has-text('MIT')")  # a second click removes the filter
    page.wait_for_function("document.querySelector('#result-count').innerText.startsWith('35')")

    page.select_option("#sort-select", "downloads")
    page.wait_for_function("location.search.includes('sort=downloads')")
    page.wait_for_function(
        "document.querySelector('.hit .tile-title').innerText.includes('vision-net-07')"
    )
    first_page = result_names(page)
    page.click("#next-page")
    page.wait_for_function("location.search.includes('cursor=')")
    second_page = result_names(page)
    assert len(first_page) == 30 and len(second_page) == 5
    assert not set(first_page) & set(second_page)

    page.go_back()  # the URL holds the state: back returns to the first page
    page.wait_for_function("!location.search.includes('cursor=')")
    page.wait_for_function(
        f"document.querySelector('.hit .tile-title').innerText.includes('{first_page[0]}')"
    )
    assert result_names(page) == first_page

    shared = page.url  # a shared link reproduces the same results
    page.goto(shared)
    assert result_names(page) == first_page


def test_no_results_state_offers_a_way_out(page, catalog):
    page.goto("/models?search=news&license=apache-2.0")
    hint = page.locator("#no-results")
    assert "No results with Apache 2.0" in hint.inner_text()
    page.click("#no-results a:has-text('without it')")
    page.wait_for_function(
        "document.querySelector('#result-count').innerText.startsWith('1 model')"
    )
    assert result_names(page) == ["news-bert"]


def test_misspelled_search_shows_corrected_results(page, screenshot, catalog):
    page.goto("/models")
    page.fill("#search-input", "nwes")
    page.wait_for_selector("#spelling")
    assert "Showing results for “news”" in page.locator("#spelling").inner_text()
    assert result_names(page) == ["news-bert"]
    assert page.locator(".hit mark").first.inner_text().lower() == "news"
    screenshot("search-spelling-corrected")
    page.click("#spelling a")
    page.wait_for_function("!document.querySelector('#spelling')")
    assert result_names(page) == ["news-bert"] and "search=news" in page.url


def test_large_catalog_shows_estimated_counts(page, screenshot, catalog, settings):
    if connection.vendor != "postgresql":
        pytest.skip("estimates come from PostgreSQL's sample table")
    settings.HUB_SEARCH_EXACT_LIMIT = 0
    Model.objects.bulk_create(
        [Model(namespace=catalog.namespace, name=f"bulk-{i}") for i in range(300)]
    )
    from catalog.search import postgres

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_search")
    postgres.forget_catalog_size()
    page.goto("/models")
    assert page.locator("#result-count").inner_text().startswith("About ")
    assert "counts estimated" in page.locator("#result-count").inner_text()
    assert page.locator(".facet .count").first.inner_text().startswith("≈")
    screenshot("search-estimated-counts")
    postgres.forget_catalog_size()
