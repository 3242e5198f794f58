"""`HfApi.list_models` with the real client over real HTTP, as against the Hub: `filter`
values are tags (each must be one of the model's), `full` / `cardData` / `fetch_config` /
`expand` choose the fields, `limit` past a page follows `Link: rel=next`, `gated` and
`num_parameters` filter, `apps` is refused. A page costs the same queries whatever its size."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import Client
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError
from safetensors.numpy import save as safetensors_bytes

from catalog.errors import InvalidInput
from catalog.models import Blob, Model, Namespace, Version, VersionFile
from catalog.search.database import DatabaseBackend
from tests.catalog.test_search_engine import (  # noqa: F401 - fixtures
    catalog,
    engine,
    indexed,
    names,
    osmem_server,
    plain_json_proxy,
    run,
    users,
)

pytestmark = pytest.mark.django_db(transaction=True)

CONFIG = b'{"model_type": "bert", "architectures": ["BertForSequenceClassification"]}'
BIG = safetensors_bytes({"w": np.zeros(60_000, dtype=np.float32)})  # 60K parameters
SMALL = safetensors_bytes({"w": np.zeros(1_000, dtype=np.float16)})  # 1K parameters


def ids(models) -> list[str]:
    return sorted(model.id for model in models)


@pytest.fixture
def tagged(make_model, bob):
    """Models whose tags overlap in every way a Hub tag can come about."""
    make_model(
        "news",
        task="text-classification",
        library="transformers",
        license="mit",
        languages=["en"],
        datasets=["imdb"],
        tags=["demo"],
    )
    make_model("bilingual", task="translation", languages=["en", "de"], license="apache-2.0")
    make_model("german", languages=["de"], tags=["en-US"])
    make_model("untagged")
    make_model("vision", user=bob, task="image-classification", library="timm", tags=["en"])


def test_a_filter_value_matches_any_tag_the_model_shows(anon_hf, tagged):
    listed = {model.id: set(model.tags) for model in anon_hf.list_models()}
    values = ["en", "de", "demo", "transformers", "timm", "text-classification"]
    values += ["license:mit", "license:apache-2.0", "dataset:imdb", "en-US", "nothing"]
    for value in values:
        # Exactly the models whose listed tags carry the value, as the Hub answers.
        expected = sorted(name for name, tags in listed.items() if value in tags)
        assert ids(anon_hf.list_models(filter=value)) == expected, value
    assert ids(anon_hf.list_models(filter="en")) == [
        "alice/bilingual",
        "alice/news",
        "bob/vision",
    ]


def test_several_filter_values_must_all_match(anon_hf, tagged):
    assert ids(anon_hf.list_models(filter=["en", "de"])) == ["alice/bilingual"]
    assert ids(anon_hf.list_models(filter=["en", "license:mit", "dataset:imdb"])) == ["alice/news"]
    assert ids(anon_hf.list_models(filter=["en", "timm"], author="bob")) == ["bob/vision"]
    assert ids(anon_hf.list_models(trained_dataset="imdb", filter="de")) == []


def test_a_base_model_filter_names_no_private_base(anon_hf, hf, alice, make_model):
    make_model("secret-base", private=True)
    child = make_model("child")
    Model.objects.filter(pk=child.pk).update(
        base_model="alice/secret-base", tags=["base_model:finetune:alice/secret-base"]
    )
    for value in ("base_model:alice/secret-base", "base_model:finetune:alice/secret-base"):
        assert ids(anon_hf.list_models(filter=value)) == []  # as for a name of no model
        assert ids(hf.list_models(filter=value)) == ["alice/child"]  # the owner sees it
    (listed,) = anon_hf.list_models(search="child", expand=["tags", "baseModels"])
    assert not any("secret" in tag for tag in listed.tags) and listed.base_models is None
    (own,) = hf.list_models(search="child", expand=["baseModels"])
    assert own.base_models["models"] == [{"id": "alice/secret-base"}]


@pytest.fixture
def published(make_model, publish):
    """alice/big (config + 60K parameters), alice/small (1K), alice/empty (no version)."""
    big = make_model("big", license="mit", tags=["demo"])
    publish(big, {"config.json": CONFIG, "model.safetensors": BIG, "README.md": b"# Big\n"})
    small = make_model("small")
    publish(small, {"model.safetensors": SMALL})
    make_model("empty")


def test_full_card_data_and_config_add_files_card_and_config(anon_hf, published):
    plain = {model.id: model for model in anon_hf.list_models(author="alice")}
    assert plain["alice/big"].siblings is None and plain["alice/big"].config is None
    assert plain["alice/big"].card_data is None
    full = {m.id: m for m in anon_hf.list_models(author="alice", full=True, cardData=True)}
    files = sorted(sibling.rfilename for sibling in full["alice/big"].siblings)
    assert files == ["README.md", "config.json", "model.safetensors"]
    assert full["alice/empty"].siblings == []
    assert full["alice/big"].card_data.license == "mit"
    assert full["alice/big"].sha == plain["alice/big"].sha  # the files of that revision
    configs = {m.id: m.config for m in anon_hf.list_models(author="alice", fetch_config=True)}
    assert configs["alice/big"] == {
        "architectures": ["BertForSequenceClassification"],
        "model_type": "bert",
    }
    assert configs["alice/small"] == {}


def test_expand_returns_only_the_named_fields(anon_hf, hub_url, published):
    expanded = {
        model.id: model
        for model in anon_hf.list_models(
            author="alice", expand=["downloads", "siblings", "safetensors", "usedStorage"]
        )
    }
    big = expanded["alice/big"]
    assert big.downloads == 0 and big.safetensors.total == 60_000
    assert big.safetensors.parameters == {"F32": 60_000}
    assert expanded["alice/small"].safetensors.parameters == {"F16": 1_000}
    assert len(big.siblings) == 3 and big.used_storage > len(BIG)
    assert big.author is None and big.tags is None and big.sha is None  # not asked for
    body = Client().get("/api/models?author=alice&expand=likes&expand[]=tags").json()
    assert {frozenset(row) for row in body} == {frozenset({"_id", "id", "likes", "tags"})}


@pytest.mark.parametrize(
    "query",
    ["expand=bogus", "expand=likes,nope", "expand=likes&full=true", "full=maybe"],
)
def test_unknown_expand_values_are_refused_as_the_hub_does(query, published):
    response = Client().get(f"/api/models?{query}")
    assert response.status_code == 400
    assert response.json()["error"] and set(response.json()) == {"error"}


def test_the_client_hears_an_unknown_expand_value(anon_hf, published):
    with pytest.raises(HfHubHTTPError) as caught:
        list(anon_hf.list_models(expand=["bogus"]))
    assert caught.value.response.status_code == 400
    assert "bogus" in str(caught.value)


def test_a_limit_past_a_page_follows_the_link_header(hub_url, proxy, make_user):
    owner = make_user("bulk")
    namespace = Namespace.objects.get(name="bulk")
    Model.objects.bulk_create(
        Model(namespace=namespace, name=f"m{i:03d}", created_by=owner) for i in range(260)
    )
    api = HfApi(endpoint=proxy.url, token=False)
    listed = [model.id for model in api.list_models(author="bulk", limit=250)]
    assert len(listed) == 250 and len(set(listed)) == 250
    pages = proxy.requests(path_contains="/api/models")
    assert len(pages) == 3 and "cursor=" in pages[1].path  # 100 + 100 + 50 of the third
    first = Client().get("/api/models?author=bulk&limit=250")
    assert len(first.json()) == 100 and 'rel="next"' in first["Link"]
    assert Client().get("/api/models?limit=0").status_code == 400


def test_gated_num_parameters_and_apps(anon_hf, published):
    everything = ids(anon_hf.list_models(author="alice"))
    assert everything == ["alice/big", "alice/empty", "alice/small"]
    assert ids(anon_hf.list_models(author="alice", gated=True)) == []  # none is gated here
    assert ids(anon_hf.list_models(author="alice", gated=False)) == everything
    by_count = {
        "min:10K": ["alice/big"],
        "max:10K": ["alice/small"],
        "min:1K,max:60K": ["alice/big", "alice/small"],
        "min:0.06M": ["alice/big"],
        "min:1B": [],
    }
    for text, expected in by_count.items():
        assert ids(anon_hf.list_models(author="alice", num_parameters=text)) == expected, text
    for bad in ("min:lots", "max:1K,max:2K", "min:2K,max:1K", "between:1K"):
        with pytest.raises(HfHubHTTPError) as caught:
            list(anon_hf.list_models(num_parameters=bad))
        assert caught.value.response.status_code == 400
    with pytest.raises(HfHubHTTPError) as caught:
        list(anon_hf.list_models(apps="ollama"))
    assert caught.value.response.status_code == 400 and "not supported" in str(caught.value)
    # The same filters on the facet counts and the search page.
    facets = Client().get("/api/search/facets?filter=demo&gated=true&num_parameters=min:1")
    assert facets.status_code == 200 and facets.json()["total"] == 0
    assert Client().get("/models?filter=demo&gated=true").status_code == 200


# Hub filters both backends must answer identically (on test_search_engine's catalog).
HUB_PARITY = [
    {"filter": "en"},
    {"filter": "en,de"},
    {"filter": "license:mit"},
    {"filter": "license:mit,vision"},
    {"filter": "dataset:imagenet"},
    {"filter": "transformers"},
    {"filter": "text-classification"},
    {"filter": "base_model:alice/resnet-50"},
    {"gated": "true"},
    {"gated": "false", "filter": "nlp"},
]


@pytest.mark.search_engine
@pytest.mark.parametrize("params", HUB_PARITY, ids=str)
def test_the_search_engine_reads_hub_filters_as_the_database(request, params):
    engine_backend, people = request.getfixturevalue("indexed"), request.getfixturevalue("users")
    for user in ("anon", "alice"):
        expected = run(DatabaseBackend(), people[user], limit=100, **params)
        got = run(engine_backend, people[user], limit=100, **params)
        assert sorted(names(got)) == sorted(names(expected)) and got.total == expected.total
    if params == {"filter": "en"}:
        assert sorted(names(got)) == [
            "alice/bert-base-news",
            "alice/secret-bert",
            "bob/whisper-small",
        ]


@pytest.mark.search_engine
def test_the_search_engine_refuses_num_parameters(request):
    engine_backend, people = request.getfixturevalue("indexed"), request.getfixturevalue("users")
    with pytest.raises(InvalidInput, match="num_parameters"):
        run(engine_backend, people["anon"], num_parameters="min:1B")


def test_a_full_page_costs_the_same_queries_as_a_small_one(alice, django_assert_max_num_queries):
    """100 models, each with a version of 3 files: no query per model."""
    namespace = Namespace.objects.get(name="alice")
    models = Model.objects.bulk_create(
        Model(namespace=namespace, name=f"m{i:03d}", created_by=alice) for i in range(100)
    )
    blob = Blob.objects.create(sha256="a" * 64, size=10)
    metadata = {"format": {"model_type": "bert"}, "parameter_count": 5}
    versions = Version.objects.bulk_create(
        Version(model=m, number=1, revision=f"{i:040x}", metadata=metadata)
        for i, m in enumerate(models)
    )
    VersionFile.objects.bulk_create(
        VersionFile(version=v, path=path, blob=blob)
        for v in versions
        for path in ("README.md", "config.json", "model.safetensors")
    )
    client = Client()
    for query in ("full=true&cardData=true&config=true", "expand=siblings&expand=safetensors"):
        with django_assert_max_num_queries(6):  # 5 on SQLite
            rows = client.get(f"/api/models?author=alice&limit=100&{query}").json()
        assert len(rows) == 100 and all(len(row["siblings"]) == 3 for row in rows)
