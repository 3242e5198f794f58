"""No input answers 500: one test per cause schema fuzzing found (tests/catalog/
test_schema_fuzz.py runs the fuzzer itself), through Django's real request handling."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from catalog.finetune.selectors import dataset_id_parse
from catalog.models import Dataset, FineTuneJob
from catalog.services.models import model_create
from catalog.services.orgs import member_set, org_create

pytestmark = pytest.mark.django_db

NOT_OBJECTS = ["[]", '"x"', "1", "null", "true", "[{}]"]
# Every endpoint that reads a JSON body: (method, path, signed in?)
JSON_ENDPOINTS = [
    ("post", "/api/models", True),
    ("patch", "/api/models/alice/demo", True),
    ("put", "/api/models/alice/demo/aliases/stable", True),
    ("post", "/api/models/alice/demo/duplicate", True),
    ("put", "/api/models/alice/demo/settings", True),
    ("post", "/api/models/alice/demo/preupload/main", True),
    ("post", "/api/organizations", True),
    ("put", "/api/organizations/acme/members/bob", True),
    ("post", "/api/finetunes", True),
    ("post", "/api/repos/create", True),
    ("delete", "/api/repos/delete", True),
    ("post", "/api/validate-yaml", False),
    ("post", "/api/repos/move", True),
    ("post", "/api/models/alice/demo/tag/main", True),
    ("post", "/api/models/alice/demo/paths-info/main", False),
    ("post", "/alice/demo.git/info/lfs/objects/batch", True),
]


@pytest.fixture
def demo(alice, bob, publish):
    model = model_create(user=alice, name="demo")
    version = publish(model, {"config.json": b"{}", "data.csv": b"text,label\na,1\n"})
    member_set(actor=alice, org=org_create(user=alice, name="acme"), username="bob", role="read")
    return model, version


@pytest.fixture
def http(alice_token) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {alice_token}")


def assert_json_error(response, status: int, fragment: str = "") -> str:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert "json" in response["Content-Type"]
    message = response.json()["error"]
    assert fragment in message, message
    return message


@pytest.mark.parametrize(("method", "path", "signed_in"), JSON_ENDPOINTS)
def test_a_json_body_that_is_not_an_object_is_a_400(demo, http, method, path, signed_in):
    client = http if signed_in else Client()
    media = "application/vnd.git-lfs+json" if path.endswith("/batch") else "application/json"
    for body in NOT_OBJECTS:
        response = getattr(client, method)(path, body, content_type=media)
        message = assert_json_error(response, 400, "must be a JSON object")
        assert "not a" in message or "not null" in message, message


def test_an_object_body_still_works_where_lists_are_nested(demo, http):
    """The bodies the Hugging Face client sends hold lists inside an object: still accepted."""
    body = {"files": [{"path": "a.txt", "size": 2, "sample": "aGk="}]}
    response = http.post("/api/models/alice/demo/preupload/main", body, "application/json")
    assert response.status_code == 200 and response.json()["files"][0]["path"] == "a.txt"
    batch = {"operation": "upload", "objects": [{"oid": "a" * 64, "size": 2}]}
    response = http.post(
        "/alice/demo.git/info/lfs/objects/batch",
        json.dumps(batch),
        content_type="application/vnd.git-lfs+json",
    )
    assert response.status_code == 200 and response.json()["objects"][0]["oid"] == "a" * 64


@pytest.mark.parametrize(
    "body",
    [
        '{"revision": "ma\\u0000in"}',
        '{"revision": "\\ud800"}',
        '{"x\\u0000": 1}',
        '{"deep": [{"deeper": ["\\udfff"]}]}',
    ],
)
def test_text_the_database_cannot_store_is_a_400(demo, http, body):
    response = http.put("/api/models/alice/demo/aliases/stable", body, "application/json")
    assert_json_error(response, 400, "NUL character")


@pytest.mark.parametrize("content_type", ["form", "multipart"])
def test_a_nul_in_a_form_field_is_a_400(demo, http, content_type):
    fields = {"revision": "ma\x00in"}
    if content_type == "form":
        response = http.put(
            "/api/models/alice/demo/aliases/stable",
            "revision=ma%00in",
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = http.post("/api/organizations", fields)  # the test client's multipart
    assert_json_error(response, 400, "NUL character")


@pytest.mark.parametrize(
    "path",
    [
        "/api/models/alice/demo/revision/ma%00in",
        "/api/models/alice/demo/tree/%00",
        "/alice/demo/resolve/%00/config.json",
    ],
)
def test_a_nul_in_a_url_is_never_a_server_error(demo, path):
    response = Client().get(path)
    assert response.status_code in (400, 404), response.status_code
    assert response.json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/models/a%0Ab/c",
        "/api/models/a%0D%0AX-Injected:%201/c",
        "/api/models/a%00b/c",
        "/api/models/%E2%82%AC%F0%9F%98%80/x/refs",
        "/api/models/alice/demo/tree/main%0A",
        "/alice/demo/resolve/main/a%0Ab.txt",
        "/alice/demo/resolve/ma%0Din/config.json",
    ],
)
def test_control_and_non_latin_characters_in_a_path_never_reach_a_header(demo, path):
    for client in (Client(), Client(HTTP_AUTHORIZATION="Bearer hub_nonsense")):
        response = client.get(path)
        assert response.status_code in (400, 401, 404), (path, response.status_code)
        for header in ("X-Error-Message", "X-Error-Code"):
            value = response.get(header, "")
            assert value.isascii() and value.isprintable(), (header, value)
        if "json" in response["Content-Type"]:
            assert response.json()["error"]


def test_the_error_header_keeps_what_the_body_says_escaped(demo):
    response = Client().get("/api/models/a%0Ab/c")
    assert "\n" in response.json()["error"]
    assert "a\\nb" in response["X-Error-Message"]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "path", ["/api/nope", "/api/models/a/b/c/d/e", "/api/models/", "/api/", "/api/v2/models"]
)
def test_an_unmatched_api_url_is_a_json_404(settings, debug, path):
    settings.DEBUG = debug
    for method in ("get", "post", "delete"):
        response = getattr(Client(), method)(path)
        assert_json_error(response, 404, "No API endpoint")


def test_pages_keep_their_html_404(settings):
    response = Client().get("/nobody/nothing/tree/v9")
    assert response.status_code == 404 and "text/html" in response["Content-Type"]


def test_a_wrong_method_on_a_plain_api_view_is_a_json_405():
    response = Client().get("/api/lfs/objects/" + "a" * 64)
    message = assert_json_error(response, 405, "GET is not allowed")
    assert response["Allow"] == "PUT" and "PUT" in message


def test_a_wrong_method_on_an_api_view_is_a_json_405(demo, http):
    response = http.post("/api/models/alice/demo/refs")
    assert_json_error(response, 405, "POST")


def test_deep_json_nesting_is_a_400(demo, http):
    deep = "[" * 100_000 + "]" * 100_000
    for body in (deep, '{"a": ' + deep + "}"):
        response = http.post("/api/models", body, content_type="application/json")
        assert_json_error(response, 400, "nested too deeply")


def test_a_deeply_nested_commit_line_is_a_400(demo, http):
    header = json.dumps({"key": "header", "value": {"summary": "deep"}})
    body = f"{header}\n{'[' * 100_000}\n"
    response = http.post(
        "/api/models/alice/demo/commit/main", body, content_type="application/x-ndjson"
    )
    assert_json_error(response, 400, "nested too deeply")


def test_deleting_a_model_fine_tuned_by_someone_is_a_409(demo, http, bob):
    version = demo[1]
    csv = version.files.get(path="data.csv")
    dataset = Dataset.objects.create(
        owner=bob, name="d.csv", blob_id=csv.blob_id, kind="text", format="csv", summary={}
    )
    FineTuneJob.objects.create(
        owner=bob, base_version=version, dataset=dataset, adapter="text-classification"
    )
    response = http.delete("/api/models/alice/demo")
    assert_json_error(response, 409, "Make it private instead")
    assert http.get("/api/models/alice/demo").status_code == 200


def test_an_upload_without_a_multipart_body_is_refused(demo, http):
    empty = http.generic("POST", "/api/models/alice/demo/versions")
    assert_json_error(empty, 400, "")
    as_json = http.post("/api/models/alice/demo/versions", {"mode": {}}, "application/json")
    assert_json_error(as_json, 415, "multipart")


@pytest.mark.parametrize("transfers", [1.5, 7, {"basic": 1}, "basic", [["basic"]]])
def test_lfs_transfers_that_are_not_a_list_are_a_400(demo, http, transfers):
    batch = {"operation": "upload", "transfers": transfers, "objects": []}
    response = http.post(
        "/alice/demo.git/info/lfs/objects/batch", batch, "application/vnd.git-lfs+json"
    )
    assert_json_error(response, 400, "basic")


@pytest.mark.parametrize("limit", ["%C2%B2", "%D9%A3", "9" * 5000, "-1", "0", "1000000001", "1e2"])
def test_a_limit_that_is_not_a_small_ascii_number_is_a_400(limit):
    for path in ("/api/models", "/api/search/facets"):
        assert_json_error(Client().get(f"{path}?limit={limit}"), 400, "limit must be")


@pytest.mark.parametrize("dataset", ["²", "٣", "9" * 5000, 10**30, True, -1, "1.0", None])
def test_a_dataset_id_that_is_not_a_small_ascii_number_is_a_400(demo, http, dataset):
    body = {"model": "alice/demo", "dataset": dataset}
    response = http.post("/api/finetunes", body, "application/json")
    assert_json_error(response, 400, "dataset must be the id")


def test_dataset_ids_parse_from_json_numbers_and_form_text():
    assert dataset_id_parse(12) == dataset_id_parse("12") == 12
    assert dataset_id_parse("²") is dataset_id_parse("9" * 5000) is dataset_id_parse(True) is None


def test_a_json_number_that_overflows_to_infinity_is_a_400(demo, http):
    body = '{"model": "alice/demo", "dataset": 1, "params": {"epochs": 1e999}}'
    response = http.post("/api/finetunes", body, content_type="application/json")
    assert_json_error(response, 400, "too large")


def test_a_body_over_the_memory_limit_is_a_json_400(demo, http, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = http.post("/api/models", {"name": "x" * 500}, "application/json")
    assert_json_error(response, 400, "too large")
