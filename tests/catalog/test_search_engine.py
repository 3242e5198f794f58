"""The OpenSearch/Elasticsearch backend against a live OpenSearch-API server (osmem-server, one
clone per test). Filter-only queries must give exactly what the database backend gives."""

from __future__ import annotations

import importlib.util
import threading
import urllib.error
import urllib.request
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from catalog.errors import InvalidInput
from catalog.models import Model
from catalog.search.backend import backend_load, get_backend
from catalog.search.base import SORTS, SearchBackend, SearchPage
from catalog.search.database import DatabaseBackend
from catalog.search.params import search_query
from catalog.services.models import model_create, model_update
from tests.conftest import service_unavailable

pytestmark = [pytest.mark.search_engine, pytest.mark.django_db]

# owner, name, editable fields, counters and other columns the services set elsewhere
CATALOG = [
    ("alice", "bert-base-news", {"task": "text-classification", "source_domain": "news",
     "license": "mit", "languages": ["en"], "datasets": ["bbc"], "library": "transformers",
     "tags": ["nlp"], "summary": "BERT classifier for news topics"},
     {"downloads": 10, "likes": 1, "trending": 70}),
    ("alice", "resnet-50", {"task": "image-classification", "source_domain": "natural-images",
     "license": "apache-2.0", "datasets": ["imagenet"], "library": "pytorch", "tags": ["vision"],
     "summary": "Residual network trained on photos"},
     {"downloads": 500, "likes": 3, "trending": 5}),
    ("bob", "whisper-small", {"task": "automatic-speech-recognition", "source_domain": "speech",
     "license": "mit", "languages": ["en", "de"], "library": "transformers",
     "summary": "Speech recognition"},
     {"downloads": 90, "likes": 30, "trending": 40}),
    ("bob", "tiny-classifier", {"task": "text-classification", "source_domain": "web-text",
     "license": "apache-2.0", "languages": ["de"], "base_model": "alice/bert-base-news",
     "card": "Mentions bert only in the card body.", "summary": "A small text model"},
     {"downloads": 90, "finetunable": True}),
    ("bob", "vit-tiny", {"task": "image-classification", "source_domain": "natural-images",
     "license": "mit", "base_model": "alice/resnet-50", "tags": ["vision"],
     "summary": "Vision transformer"},
     {"likes": 2, "finetunable": True}),
    ("alice", "secret-bert", {"task": "text-classification", "source_domain": "news",
     "license": "mit", "languages": ["en"], "tags": ["nlp"], "private": True,
     "summary": "Alice's private bert"},
     {"downloads": 1000, "likes": 100, "trending": 100}),
    ("bob", "hidden-vision", {"task": "image-classification", "source_domain": "natural-images",
     "license": "mit", "datasets": ["imagenet"], "private": True, "summary": "Bob's own"},
     {"downloads": 5, "finetunable": True}),
]  # fmt: skip
# Filter-only queries (and every sort) that both backends must answer identically.
PARITY = [
    {},
    {"task": "text-classification"},
    {"task": "text-classification,image-classification", "license": "mit"},
    {"license": "mit,apache-2.0", "language": "de"},
    {"language": "en"},
    {"dataset": "imagenet"},
    {"library": "transformers"},
    {"base_model": "alice/resnet-50"},
    {"finetunable": "true"},
    {"finetunable": "false", "source_domain": "news,speech"},
    {"tag": "vision"},
    {"author": "bob"},
    {"author": "alice", "task": "image-classification"},
    *({"sort": sort} for sort in SORTS),
]


@pytest.fixture(scope="session")
def osmem_server():
    """Overrides the plugin's: without the Japanese dictionary the server is ready at once."""
    from osmem_server import OsmemServer

    server = OsmemServer.start(japanese=False)
    yield server
    server.close()


@pytest.fixture
def engine(request, settings) -> SearchBackend:
    """The engine backend on a fresh osmem clone; through opensearch-py unless a test asks for
    the elasticsearch client (osmem also answers as Elasticsearch)."""
    for module in ("osmem_server", "opensearchpy", "elasticsearch"):
        if importlib.util.find_spec(module) is None:
            service_unavailable(f"{module} is not installed (pip install -r requirements-dev.txt)")
    clone = request.getfixturevalue("osmem_clone")  # from osmem-server's pytest plugin
    kind = getattr(request, "param", "opensearch")
    settings.HUB_SEARCH_BACKEND = kind
    settings.HUB_SEARCH_URL = clone.url
    if kind == "elasticsearch":
        settings.HUB_SEARCH_URL = request.getfixturevalue("plain_json_proxy")(clone.url)
    settings.HUB_SEARCH_INDEX = "test-models"
    backend_load.cache_clear()
    yield get_backend()
    backend_load.cache_clear()


@pytest.fixture
def plain_json_proxy():
    """elasticsearch-py 8+ always sends `compatible-with` media types, which OpenSearch-API
    servers (osmem included) refuse; this relay rewrites them to plain JSON so the
    elasticsearch client's calls can still be exercised against osmem."""
    servers = []

    def start(upstream: str) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _relay_handler(upstream))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _relay_handler(upstream: str) -> type[BaseHTTPRequestHandler]:
    class Relay(BaseHTTPRequestHandler):
        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
            kind = "x-ndjson" if "ndjson" in self.headers.get("Content-Type", "") else "json"
            request = urllib.request.Request(
                upstream + self.path,
                data=body,
                method=self.command,
                headers={"Content-Type": f"application/{kind}", "Accept": "application/json"},
            )
            try:
                response = urllib.request.urlopen(request, timeout=30)
            except urllib.error.HTTPError as error:
                response = error
            with response:
                data = response.read()
                self.send_response(response.status)
                for name in ("Content-Type", "X-Elastic-Product"):
                    if response.headers.get(name):
                        self.send_header(name, response.headers[name])
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(b"" if self.command == "HEAD" else data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay

        def log_message(self, *args) -> None:
            pass

    return Relay


@pytest.fixture
def users(make_user) -> dict:
    admin = make_user("root-user")
    admin.is_superuser = True
    admin.save()
    return {
        "anon": AnonymousUser(),
        "alice": make_user("alice"),
        "bob": make_user("bob"),
        "carol": make_user("carol"),
        "admin": admin,
    }


@pytest.fixture
def catalog(users) -> dict[str, Model]:
    start = timezone.now() - timedelta(days=30)
    models = {}
    for i, (owner, name, fields, columns) in enumerate(CATALOG):
        model = model_create(user=users[owner], name=name, **fields)
        stamps = {  # distinct and in an order other than the ids'
            "created_at": start + timedelta(hours=(i * 5) % 7),
            "updated_at": start + timedelta(days=1, hours=(i * 3) % 7),
        }
        Model.objects.filter(pk=model.pk).update(**columns, **stamps)
        models[f"{owner}/{name}"] = model
    return models


@pytest.fixture
def indexed(engine, catalog) -> SearchBackend:
    assert engine.rebuild() == len(CATALOG)
    return engine


@pytest.fixture
def eager_celery():
    """Tasks run in-process when queued, and their errors fail the test."""
    from hub.celery import app

    keys = ("task_always_eager", "task_eager_propagates")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(dict.fromkeys(keys, True))
    yield
    app.conf.update(saved)


def run(backend: SearchBackend, user, **params) -> SearchPage:
    return backend.search(search_query(params, user))


def names(page: SearchPage) -> list[str]:
    by_id = {m.pk: m.full_name for m in Model.objects.select_related("namespace")}
    return [by_id[hit.model_id] for hit in page.hits]


@pytest.mark.parametrize("engine", ["opensearch", "elasticsearch"], indirect=True)
def test_filters_facets_and_sorts_match_the_database_backend(indexed, users):
    database = DatabaseBackend()
    for user in ("anon", "alice", "bob", "admin"):
        for params in PARITY:
            expected = run(database, users[user], **params)
            got = run(indexed, users[user], **params)
            context = (user, params)
            assert names(got) == names(expected), context
            assert got.total == expected.total, context
            assert got.facets == expected.facets, context


def test_facets_count_under_every_other_filter(indexed, users):
    page = run(indexed, users["anon"], task="text-classification", license="mit")
    assert names(page) == ["alice/bert-base-news"]
    facets = page.facets
    # task counts ignore the task filter (so a second task can be added) but obey license
    assert dict(facets["task"]) == {
        "text-classification": 1,
        "automatic-speech-recognition": 1,
        "image-classification": 1,
    }
    assert dict(facets["license"]) == {"apache-2.0": 1, "mit": 1}  # within text-classification
    assert dict(facets["finetunable"]) == {"false": 1}
    assert facets["library"] == [("transformers", 1)]  # empty values are not a facet value


def test_name_match_ranks_above_card_mention(indexed, users):
    page = run(indexed, users["anon"], search="bert")
    found = names(page)
    assert found[0] == "alice/bert-base-news"
    assert "bob/tiny-classifier" in found  # matched through its card only
    assert "alice/secret-bert" not in found
    assert page.hits[0].score > page.hits[found.index("bob/tiny-classifier")].score


@pytest.mark.parametrize("engine", ["opensearch", "elasticsearch"], indirect=True)
def test_prefix_typo_and_multi_word_matches(indexed, users):
    anon = users["anon"]
    assert names(run(indexed, anon, search="whis")) == ["bob/whisper-small"]
    assert "alice/resnet-50" in names(run(indexed, anon, search="resid"))  # summary prefix
    assert names(run(indexed, anon, search="wisper-small")) == ["bob/whisper-small"]
    assert names(run(indexed, anon, search="bret"))[0] == "alice/bert-base-news"
    assert names(run(indexed, anon, search="bob whisper")) == ["bob/whisper-small"]
    assert names(run(indexed, anon, search="speech recognition"))[0] == "bob/whisper-small"
    assert names(run(indexed, anon, search="bert for news"))[0] == "alice/bert-base-news"
    classif = set(names(run(indexed, anon, search="classif")))
    assert {"alice/bert-base-news", "bob/tiny-classifier"} <= classif  # label and name prefixes
    assert names(run(indexed, anon, search="zzzqqq")) == []


def test_text_search_obeys_filters_and_sort(indexed, users):
    page = run(indexed, users["anon"], search="bert", sort="downloads", author="bob")
    assert names(page) == ["bob/tiny-classifier"]
    assert page.total == 1
    assert page.hits[0].score > 0  # scores are kept for a non-relevance sort


@pytest.mark.parametrize("backend_name", ["database", "opensearch"])
def test_private_models_hidden_from_hits_counts_and_facets(backend_name, users, catalog, request):
    backend = request.getfixturevalue("indexed") if backend_name == "opensearch" else None
    backend = backend or DatabaseBackend()
    public = [key for key, model in catalog.items() if not model.private]
    for user in ("anon", "carol", "bob"):
        page = run(backend, users[user], search="bert", limit=100)
        assert "alice/secret-bert" not in names(page)
        everything = run(backend, users[user], limit=100)
        assert "alice/secret-bert" not in names(everything)
        assert dict(everything.facets["task"])["text-classification"] == 2
        assert dict(everything.facets["language"])["en"] == 2
        expected_total = len(public) + (1 if user == "bob" else 0)  # bob's own private one
        assert everything.total == expected_total == len(everything.hits)
    for user in ("alice", "admin"):
        page = run(backend, users[user], search="bert")
        assert "alice/secret-bert" in names(page)
        everything = run(backend, users[user], limit=100)
        assert dict(everything.facets["task"])["text-classification"] == 3
    assert "bob/hidden-vision" in names(run(backend, users["bob"], limit=100))
    assert "bob/hidden-vision" not in names(run(backend, users["alice"], limit=100))


@pytest.mark.parametrize("user", ["anon", "alice"])
@pytest.mark.parametrize("text", ["", "bert", "classif", "tiny"])
def test_cursor_pages_cover_every_result_once(indexed, users, user, text):
    for sort in SORTS:
        whole = run(indexed, users[user], search=text, sort=sort, limit=100)
        seen, cursor = [], None
        while True:
            params = {"search": text, "sort": sort, "limit": 2}
            page = run(indexed, users[user], **params, **({"cursor": cursor} if cursor else {}))
            assert page.total == whole.total
            seen += names(page)
            cursor = page.next_cursor
            if not cursor:
                break
        assert seen == names(whole), (sort, text)
        assert len(seen) == len(set(seen)) == whole.total


def test_a_bad_cursor_is_invalid_input(indexed, users):
    with pytest.raises(InvalidInput):
        run(indexed, users["anon"], cursor="not-a-cursor")
    with pytest.raises(InvalidInput):
        run(indexed, users["anon"], cursor="WyJhIiwgImIiXQ")  # ["a", "b"]


@pytest.mark.parametrize("engine", ["opensearch", "elasticsearch"], indirect=True)
def test_edit_visibility_change_and_delete_follow_index_models(indexed, users, catalog):
    whisper = catalog["bob/whisper-small"]
    model_update(model=whisper, summary="Transcribes podcasts")
    indexed.index_models([whisper.pk])
    assert names(run(indexed, users["anon"], search="podcasts")) == ["bob/whisper-small"]

    model_update(model=whisper, private=True)
    indexed.index_models([whisper.pk])
    assert "bob/whisper-small" not in names(run(indexed, users["anon"], limit=100))
    assert run(indexed, users["anon"], author="bob").total == 2
    assert "bob/whisper-small" in names(run(indexed, users["bob"], search="podcasts"))

    pk = whisper.pk
    whisper.delete()
    indexed.index_models([pk])
    assert names(run(indexed, users["bob"], search="podcasts")) == []
    indexed.index_models([pk])  # deleting what is already gone is fine


def test_changes_reach_the_index_through_the_celery_task(
    indexed, users, catalog, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        model_update(model=catalog["alice/secret-bert"], private=False, summary="Now open")
    assert names(run(indexed, users["anon"], search="now open")) == ["alice/secret-bert"]


@pytest.mark.parametrize("engine", ["opensearch", "elasticsearch"], indirect=True)
def test_first_write_creates_the_index_with_its_mapping(engine, catalog, users):
    assert run(engine, users["anon"]).total == 0  # no index yet: an empty page, not an error
    engine.index_models([catalog["bob/whisper-small"].pk])
    assert names(run(engine, users["anon"], search="whis")) == ["bob/whisper-small"]
    mapping = engine.engine.client.indices.get_mapping(index="test-models")
    (properties,) = [body["mappings"]["properties"] for body in mapping.values()]
    assert "prefix" in properties["name"]["fields"]


@pytest.mark.parametrize("engine", ["opensearch", "elasticsearch"], indirect=True)
def test_reindex_command_swaps_in_a_fresh_index(engine, catalog, users):
    client = engine.engine.client
    for _ in range(2):
        out = StringIO()
        call_command("reindex", stdout=out)
        assert f"Indexed {len(CATALOG)} models" in out.getvalue()
    (target,) = engine.engine.alias_targets("test-models")
    assert [row["index"] for row in client.cat.indices(format="json")] == [target]
    assert run(engine, users["anon"]).total == len(CATALOG) - 2


def test_the_api_searches_through_the_engine(indexed, anon):
    response = anon.get("/api/models?search=bert&sort=downloads")
    assert response.status_code == 200
    assert [m["id"] for m in response.json()] == ["bob/tiny-classifier", "alice/bert-base-news"]
