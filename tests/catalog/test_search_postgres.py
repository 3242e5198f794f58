"""The PostgreSQL search tables (migration 0004) and what the engine does with them: the sync
trigger, estimates from the sample past HUB_SEARCH_EXACT_LIMIT, and spelling correction."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from catalog.models import Model, Namespace
from catalog.search import postgres
from catalog.search.params import search_query
from catalog.search.postgres import correct_spelling, sample_for
from catalog.search.spelling import edit_distance
from catalog.services.models import model_create
from tests.helpers import assert_search_answers_or_refuses

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL search tables"),
]


def search_row(model_id: int) -> dict | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT private, license, downloads, search_vector::text, languages "
            "FROM catalog_search WHERE model_id = %s",
            [model_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip(("private", "license", "downloads", "vector", "languages"), row, strict=True))


def word_count(word: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT models FROM catalog_search_word WHERE word = %s", [word])
        row = cursor.fetchone()
    return row[0] if row else 0


BULK = 3 * 128
RATE, SAMPLE_TABLE = sample_for(BULK)  # the sample a catalog of this size is estimated from


def in_sample(model_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {SAMPLE_TABLE} WHERE model_id = %s", [model_id])
        return cursor.fetchone() is not None


def test_trigger_follows_create_update_and_delete(alice):
    model = model_create(user=alice, name="zebra-net", languages=["en"], license="mit")
    row = search_row(model.pk)
    assert row["license"] == "mit" and row["languages"] == ["en"] and not row["private"]
    assert "'zebra'" in row["vector"] and word_count("zebra") == 1

    Model.objects.filter(pk=model.pk).update(downloads=42, private=True, license="apache-2.0")
    row = search_row(model.pk)
    assert (row["downloads"], row["private"], row["license"]) == (42, True, "apache-2.0")

    Model.objects.filter(pk=model.pk).update(name="okapi-net", card="Trained on savanna photos")
    row = search_row(model.pk)
    assert "'okapi'" in row["vector"] and "'zebra'" not in row["vector"]
    assert "'savanna'" in row["vector"]  # the card's words match...
    assert word_count("zebra") == 0 and word_count("okapi") == 1

    Model.objects.filter(pk=model.pk).delete()
    assert search_row(model.pk) is None and word_count("okapi") == 0


def test_card_words_match_but_do_not_rank(anon, alice):
    model_create(user=alice, name="plain-model", card="all about giraffes")
    model_create(user=alice, name="giraffe-detector")
    results = [m["id"] for m in anon.get("/api/models?search=giraffe").json()]
    assert results == ["alice/giraffe-detector", "alice/plain-model"]


@pytest.fixture
def big_catalog(alice, bob, settings):
    """Enough models that some land in every sample, with the exact limit at 0
    so every search with matches is 'large'. Alice's private models are all fill-mask."""
    settings.HUB_SEARCH_EXACT_LIMIT = 0
    alice_ns = Namespace.objects.get(name="alice")
    bob_ns = Namespace.objects.get(name="bob")
    rows = [
        Model(
            # i % 3, not i % 2: sampled ids are 16 apart, so parity would put all in one class
            namespace=alice_ns if i % 3 == 0 else bob_ns,
            name=f"bulk-{i}",
            task="fill-mask" if i % 3 == 0 else "text-classification",
            private=i % 3 == 0,
            license="mit",
            downloads=i,
        )
        for i in range(BULK)
    ]
    Model.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_search")
    postgres.forget_catalog_size()
    yield
    postgres.forget_catalog_size()


def test_mid_size_catalogs_use_the_finer_sample():
    assert sample_for(20_000) == (16, "catalog_search_sample_16")
    assert sample_for(1_000_000) == (128, "catalog_search_sample_128")


def test_sample_tables_follow_the_models(alice):
    models = Model.objects.bulk_create(
        [Model(namespace=Namespace.objects.get(name="alice"), name=f"s-{i}") for i in range(130)]
    )
    with connection.cursor() as cursor:
        for rate in (16, 128):
            cursor.execute(
                f"SELECT array_agg(model_id ORDER BY model_id) FROM catalog_search_sample_{rate}"
            )
            assert cursor.fetchone()[0] == [m.pk for m in models if m.pk % rate == 0]
    Model.objects.filter(pk__in=[m.pk for m in models]).update(private=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT bool_and(private) FROM catalog_search_sample_16")
        assert cursor.fetchone()[0] is True


def sampled(**filters) -> list[Model]:
    return [m for m in Model.objects.filter(**filters) if in_sample(m.pk)]


def test_large_results_are_estimated_from_the_sample(big_catalog, alice):
    public_in_sample = len(sampled(private=False))
    assert public_in_sample, "the fixture must put public models in the sample"
    page = postgres.search(search_query({}, AnonymousUser()))
    assert page.total_is_estimate and page.facets_are_estimates
    assert page.total == public_in_sample * RATE
    tasks = dict(page.facets["task"])
    assert tasks == {"text-classification": public_in_sample * RATE}  # no private ones
    # Hits are exact: the most downloaded public models, in order.
    top = list(Model.objects.filter(private=False).order_by("-downloads")[:3])
    assert [hit.model_id for hit in page.hits[:3]] == [m.pk for m in top]

    owner_page = postgres.search(search_query({}, alice))
    assert dict(owner_page.facets["task"]).get("fill-mask") == (
        len(sampled(private=True)) * RATE or None
    )


def test_estimated_total_turns_exact_once_filters_narrow_it(big_catalog):
    assert sampled(private=False), "the fixture must put public models in the sample"
    rare = next(m for m in Model.objects.filter(private=False) if not in_sample(m.pk))
    Model.objects.filter(pk=rare.pk).update(license="apache-2.0")
    page = postgres.search(search_query({"license": "apache-2.0"}, AnonymousUser()))
    assert page.facets_are_estimates  # the words (none) match the whole catalog
    assert not page.total_is_estimate and page.total == 1  # but the filter leaves one
    assert [hit.model_id for hit in page.hits] == [rare.pk]


def test_estimates_are_flagged_in_the_api_and_the_page(big_catalog, anon):
    response = anon.get("/api/models?limit=5")
    assert response.headers["X-Total-Count-Estimated"] == "true"
    body = anon.get("/api/search/facets").json()
    assert body["total_is_estimate"] and body["facets_are_estimates"]
    html = anon.get("/models").content.decode()
    assert "About " in html and "counts estimated" in html and "≈" in html


def test_misspelled_words_are_corrected_to_name_words(anon, alice):
    model_create(user=alice, name="bert-base-news")
    model_create(user=alice, name="whisper-small")
    assert correct_spelling("bret") == "bert"
    assert correct_spelling("wisper smal") == "whisper small"
    assert correct_spelling("bert") == "bert"  # known words stay
    response = anon.get("/api/models?search=bret")
    assert [m["id"] for m in response.json()] == ["alice/bert-base-news"]
    assert response.headers["X-Search-Corrected"] == "bert"
    html = anon.get("/models?search=bret").content.decode()
    assert "Showing results for" in html and "bert-base-news" in html


def test_far_off_words_are_not_corrected(alice):
    model_create(user=alice, name="bert-base-news")
    assert correct_spelling("xylophone") == "xylophone"


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("bret", "bert", 1), ("wisper", "whisper", 1), ("kitten", "sitting", 3), ("", "ab", 2)],
)
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b) == distance


def test_no_correction_when_filters_not_words_rule_everything_out(anon, alice):
    model_create(user=alice, name="plain-model", card="trained on savanna photos", license="mit")
    model_create(user=alice, name="savage-net", license="apache-2.0")
    response = anon.get("/api/models?search=savanna&license=apache-2.0")
    assert response.json() == [] and "X-Search-Corrected" not in response.headers


@pytest.mark.django_db(transaction=True)
def test_truncating_models_empties_the_search_tables(alice):
    """`manage.py flush` and transactional tests TRUNCATE, which fires no row triggers."""
    model_create(user=alice, name="short-lived")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE catalog_model CASCADE")
        cursor.execute(
            "SELECT (SELECT count(*) FROM catalog_search), "
            "(SELECT count(*) FROM catalog_search_word)"
        )
        assert cursor.fetchone() == (0, 0)


def test_relevance_paging_goes_past_the_ranked_candidates(big_catalog, monkeypatch):
    """Estimated results rank only the most-downloaded candidates; paging must still reach
    every match exactly once, the candidates first."""
    monkeypatch.setattr(postgres, "RELEVANCE_CANDIDATES", 10)
    query = search_query({"q": "bulk", "limit": "7"}, AnonymousUser())
    seen, pages = [], 0
    while True:
        page = postgres.search(query)
        assert page.total_is_estimate, (pages, len(seen), query.cursor)
        seen += [hit.model_id for hit in page.hits]
        pages += 1
        if not page.next_cursor:
            break
        query = replace(query, cursor=page.next_cursor)
    public = list(Model.objects.filter(private=False).order_by("-downloads", "-id"))
    assert len(seen) == len(set(seen)) == len(public)
    assert set(seen[:10]) == {m.pk for m in public[:10]}  # the candidates, ranked
    assert seen[10:] == [m.pk for m in public[10:]]  # then the rest by downloads
    assert pages == -(-len(public) // 7)


def test_reindex_refills_the_search_tables(anon, alice):
    """After a restore with triggers off (here: rows deleted behind the trigger's back)."""
    from django.core.management import call_command

    model_create(user=alice, name="restored-model")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_search; DELETE FROM catalog_search_word")
    assert anon.get("/api/models?search=restored").json() == []
    call_command("reindex", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert [m["id"] for m in anon.get("/api/models?search=restored").json()] == [
        "alice/restored-model"
    ]
    assert word_count("restored") == 1


ODD_QUERIES = [
    "?search=%25%27%22%3B--",
    "?search=" + "x" * 500,
    "?search=:*%20%26%20!",
    "?search=bulk&sort=likes",
    "?search=bulk&sort=updated&cursor=WyIyMDI1LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgMV0",
    "?search=bulk&cursor=not-a-cursor",
    "?search=bulk&cursor=WyJ0aGVuLWRvd25sb2FkcyIsICJ4IiwgMV0",
    "?search=bulk&cursor=WyJub3BlIiwgMSwgMl0",
    "?author=nobody&search=bulk",
    "?license=%27%3B&language=%00&dataset=%E2%9C%93",
    "?finetunable=maybe&base_model=a%2Fb&tag=x",
    "?limit=100&sort=trending",
]


@pytest.mark.parametrize("exact_limit", [0, 5000])
def test_odd_input_never_breaks_search(big_catalog, anon, settings, exact_limit):
    settings.HUB_SEARCH_EXACT_LIMIT = exact_limit  # estimated and exact paths
    assert_search_answers_or_refuses(anon, ODD_QUERIES)
