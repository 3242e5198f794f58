"""The database search backend through the API and the page (same parameters, same results)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from catalog.models import Model
from catalog.services.models import model_create
from tests.helpers import assert_search_answers_or_refuses

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(alice, bob):
    specs = [
        (
            alice,
            "bert-base-news",
            {
                "task": "text-classification",
                "source_domain": "news",
                "license": "mit",
                "languages": ["en"],
                "datasets": ["bbc"],
                "summary": "BERT classifier for news topics",
            },
        ),
        (
            alice,
            "resnet-50",
            {
                "task": "image-classification",
                "source_domain": "natural-images",
                "license": "apache-2.0",
                "datasets": ["imagenet"],
                "summary": "Residual network trained on photos",
            },
        ),
        (
            bob,
            "whisper-small",
            {
                "task": "automatic-speech-recognition",
                "source_domain": "speech",
                "license": "mit",
                "languages": ["en", "de"],
                "summary": "Speech recognition",
            },
        ),
        (
            bob,
            "tiny-classifier",
            {
                "task": "text-classification",
                "source_domain": "web-text",
                "license": "apache-2.0",
                "languages": ["de"],
                "card": "Mentions bert only in the card body.",
                "summary": "A small text model",
            },
        ),
        (
            alice,
            "secret-bert",
            {
                "task": "text-classification",
                "source_domain": "news",
                "license": "mit",
                "private": True,
                "summary": "Alice's private bert",
            },
        ),
    ]
    models = {name: model_create(user=user, name=name, **fields) for user, name, fields in specs}
    Model.objects.filter(name="resnet-50").update(downloads=500, likes=3)
    Model.objects.filter(name="whisper-small").update(downloads=90, likes=30, trending=40)
    Model.objects.filter(name="bert-base-news").update(downloads=10, trending=70)
    return models


def ids(response) -> list[str]:
    return [m["id"] for m in response.json()]


def test_name_match_ranks_above_card_mention(anon, catalog):
    results = ids(anon.get("/api/models?search=bert"))
    assert results[0] == "alice/bert-base-news"
    assert "bob/tiny-classifier" in results  # matched through its card
    assert "alice/secret-bert" not in results


def test_prefix_matching(anon, catalog):
    assert ids(anon.get("/api/models?search=whis")) == ["bob/whisper-small"]
    assert "alice/resnet-50" in ids(anon.get("/api/models?search=resid"))


def test_typo_tolerance(anon, catalog):
    response = anon.get("/api/models?search=wisper-small")
    assert ids(response) == ["bob/whisper-small"]
    assert response.headers["X-Search-Corrected"] == "whisper small"
    response = anon.get("/api/models?search=resnt")
    assert ids(response) == ["alice/resnet-50"]
    # A word only a private model uses is never offered to someone who cannot see it.
    assert anon.get("/api/models?search=secrt").json() == []


def test_filters_combine_and_accept_hub_style_filter_param(anon, catalog):
    assert set(ids(anon.get("/api/models?task=text-classification&license=mit"))) == {
        "alice/bert-base-news"
    }
    assert set(
        ids(anon.get("/api/models?filter=license:apache-2.0&filter=image-classification"))
    ) == {"alice/resnet-50"}
    assert set(ids(anon.get("/api/models?language=de"))) == {
        "bob/whisper-small",
        "bob/tiny-classifier",
    }
    assert set(ids(anon.get("/api/models?license=mit,apache-2.0&language=de"))) == {
        "bob/whisper-small",
        "bob/tiny-classifier",
    }
    assert ids(anon.get("/api/models?dataset=imagenet")) == ["alice/resnet-50"]
    assert ids(anon.get("/api/models?author=bob&sort=downloads")) == [
        "bob/whisper-small",
        "bob/tiny-classifier",
    ]


def test_sorts(anon, catalog):
    assert ids(anon.get("/api/models?sort=downloads"))[:2] == [
        "alice/resnet-50",
        "bob/whisper-small",
    ]
    assert ids(anon.get("/api/models?sort=likes"))[0] == "bob/whisper-small"
    assert ids(anon.get("/api/models?sort=trending"))[:2] == [
        "alice/bert-base-news",
        "bob/whisper-small",
    ]
    assert ids(anon.get("/api/models?sort=createdAt"))[0] == "bob/tiny-classifier"
    assert anon.get("/api/models?sort=sideways").status_code == 400


def test_facet_counts_hide_private_models_and_support_multi_select(anon, alice, catalog):
    body = anon.get("/api/search/facets?task=text-classification").json()
    assert body["total"] == 2
    facets = {
        name: {v["value"]: v["count"] for v in values} for name, values in body["facets"].items()
    }
    # The task facet counts under the other filters only, so other tasks stay selectable.
    assert facets["task"] == {
        "text-classification": 2,
        "image-classification": 1,
        "automatic-speech-recognition": 1,
    }
    assert facets["license"] == {"mit": 1, "apache-2.0": 1}
    assert facets["language"] == {"en": 1, "de": 1}
    owner = APIClient()
    owner.force_authenticate(alice)
    mine = owner.get("/api/search/facets?task=text-classification").json()
    assert mine["total"] == 3  # alice sees her private model, in counts too


def test_cursor_pages_cover_everything_once(anon, catalog):
    seen, url = [], "/api/models?limit=2&sort=downloads"
    while url:
        response = anon.get(url)
        seen += ids(response)
        link = response.get("Link")
        url = link.split(";")[0].strip("<>") if link else None
    assert sorted(seen) == sorted(
        ["alice/bert-base-news", "alice/resnet-50", "bob/whisper-small", "bob/tiny-classifier"]
    )
    assert len(seen) == len(set(seen))


def test_page_and_api_agree(client, anon, catalog):
    api_ids = ids(anon.get("/api/models?search=bert&sort=relevance"))
    html = client.get("/models?search=bert&sort=relevance").content.decode()
    positions = [
        html.index(name.split("/")[1].replace("bert", "<mark>bert</mark>", 1)) for name in api_ids
    ]
    assert positions == sorted(positions)
    assert "Alice&#x27;s private bert" not in html and "secret" not in html


def test_page_shows_facets_highlights_and_no_result_hints(client, catalog):
    html = client.get("/models?search=news&license=apache-2.0").content.decode()
    assert 'id="no-results"' in html
    assert "No results with Apache 2.0" in html and "1 without it" in html
    html = client.get("/models?search=residual").content.decode()
    assert "<mark>Residual</mark> network" in html
    assert 'data-facet="task"' in html and 'data-facet="license"' in html


def test_partial_results_fragment(client, catalog):
    fragment = client.get("/models?search=whisper&partial=1").content.decode()
    assert "<html" not in fragment and "whisper" in fragment


def test_index_follows_edits(anon, catalog, alice):
    from catalog.services.models import model_update

    model_update(model=catalog["resnet-50"], summary="Now about satellites")
    assert ids(anon.get("/api/models?search=satellites")) == ["alice/resnet-50"]
    model_update(model=catalog["resnet-50"], private=True)
    assert ids(anon.get("/api/models?search=satellites")) == []
    catalog["resnet-50"].delete()
    owner = APIClient()
    owner.force_authenticate(alice)
    assert ids(owner.get("/api/models?search=satellites")) == []


ODD_QUERIES = [
    "?search=%25%27%22%3B--",
    "?search=" + "x" * 500,
    "?search=bert&sort=updated&cursor=WyIyMDI1LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgMV0",
    "?search=bert&cursor=not-a-cursor",
    "?sort=downloads&cursor=WyJ4IiwgMV0",
    "?sort=updated&cursor=WyJub3QgYSBkYXRlIiwgMV0",
    "?sort=likes&cursor=W251bGwsIG51bGxd",
    "?license=%27%3B&language=%00&dataset=%E2%9C%93&pipeline_tag=%00",
    "?finetunable=maybe&base_model=a%2Fb&tag=x&author=%00",
]


def test_odd_input_gets_results_or_a_400_never_a_500(anon, catalog):
    assert_search_answers_or_refuses(anon, ODD_QUERIES)


def test_cursors_are_sealed_and_hide_primary_keys(api):
    """A cursor carries the last row's primary key: it is encrypted and authenticated, so
    it tells a client nothing about how many (private) models exist, and a forged or edited
    cursor is a 400."""
    import base64

    from catalog.cursors import cursor_decode, cursor_encode

    cursor = cursor_encode([123, 4567])
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert b"4567" not in raw and cursor != cursor_encode([123, 4567])  # random nonce
    assert cursor_decode(cursor, 2) == [123, 4567]
    forged = base64.urlsafe_b64encode(b"[123,1]").decode()
    tampered = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")
    for bad in (forged, tampered, "%%%"):
        response = api.get("/api/models", {"sort": "downloads", "cursor": bad})
        assert response.status_code == 400, (bad, response.content)
        assert "cursor" in response.json()["error"]
