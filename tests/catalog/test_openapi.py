"""The OpenAPI schema is valid, covers the API, and documents the error shape everywhere."""

from __future__ import annotations

import pytest
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema?format=json", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 JSON schema
    assert schema["openapi"].startswith("3.")


def test_schema_covers_the_api(schema):
    paths = set(schema["paths"])
    for expected in (
        "/api/models",
        "/api/models/{owner}/{name}",
        "/api/models/{owner}/{name}/versions",
        "/api/datasets",
        "/api/finetunes",
        "/api/finetunes/{job_id}",
        "/api/search/facets",
        "/{owner}/{name}/resolve/{revision}/{path}",
    ):
        assert expected in paths, expected
    upload = schema["paths"]["/api/models/{owner}/{name}/versions"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_error_response_has_the_error_shape(schema):
    error = {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["Error"]["properties"]["error"]["type"] == "string"
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            errors = {code: r for code, r in operation["responses"].items() if code[0] in "45"}
            assert errors, f"{method} {path} documents no error"
            for code, response in errors.items():
                assert response["content"]["application/json"]["schema"] == error, (
                    method,
                    path,
                    code,
                )
                checked += 1
    assert checked > 50


def test_docs_pages_are_served_without_a_cdn(client):
    page = client.get("/api/docs").content.decode()
    assert "swagger-ui" in page and "cdn" not in page.lower()
    assert client.get("/api/redoc").status_code == 200


def test_public_reads_and_validate_yaml_take_anonymous_calls(schema):
    paths = schema["paths"]
    for path, method in (
        ("/api/models", "get"),
        ("/api/models/{owner}/{name}", "get"),
        ("/api/models/{owner}/{name}/tree/{revision}", "get"),
        ("/api/validate-yaml", "post"),
    ):
        assert {} in paths[path][method]["security"], (method, path)
    for path, method in (
        ("/api/models", "post"),
        ("/api/whoami-v2", "get"),
        ("/api/models/{owner}/{name}/audit", "get"),
        ("/api/finetunes/{job_id}", "get"),
    ):
        assert {} not in paths[path][method]["security"], (method, path)


def test_documented_statuses_and_bounds(schema):
    paths = schema["paths"]
    assert "403" in paths["/api/models/{owner}/{name}/audit"]["get"]["responses"]
    assert "412" in paths["/api/models/{owner}/{name}/commit/{revision}"]["post"]["responses"]
    assert "200" in paths["/api/repos/delete"]["delete"]["responses"]
    limit = next(p for p in paths["/api/models"]["get"]["parameters"] if p["name"] == "limit")
    # Any number of models, served 100 to a page (the next page is in the Link header).
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 1_000_000_000}
    assert "100" in limit["description"]
    create = schema["components"]["schemas"]["ModelCreateRequest"]["properties"]["name"]
    assert create["maxLength"] == 96


def test_the_hub_protocol_bodies_are_documented(schema):
    paths = schema["paths"]
    for path, method, media in (
        ("/api/repos/create", "post", "application/json"),
        ("/api/repos/delete", "delete", "application/json"),
        ("/api/models/{owner}/{name}/settings", "put", "application/json"),
        ("/api/validate-yaml", "post", "application/json"),
        ("/api/models/{owner}/{name}/preupload/{revision}", "post", "application/json"),
        ("/api/models/{owner}/{name}/commit/{revision}", "post", "application/x-ndjson"),
        ("/{owner}/{name}.git/info/lfs/objects/batch", "post", "application/vnd.git-lfs+json"),
    ):
        assert media in paths[path][method]["requestBody"]["content"], (method, path)
