"""Every answer of the REST API has exactly the shape its OpenAPI schema says: the schema is
derived from the serializers that render the answers, so a field added, renamed or retyped
in one place shows in both. Objects are checked strictly here (no key the schema does not
declare, `additionalProperties: false` on every declared object), through real requests on
real rows: a lineage, a fine-tuned version's figures, a job, a dataset and an evaluation."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.generators import SchemaGenerator
from openapi_schema_validator import OAS30Validator

from adapters.evaluation.report import classification_report
from catalog.models import Evaluation
from catalog.services.aliases import alias_set
from catalog.services.models import model_create
from catalog.services.orgs import member_set, org_create
from tests.catalog.finetune_helpers import queued_job_on_file

pytestmark = pytest.mark.django_db

FILES = {
    "config.json": b'{"model_type": "bert", "architectures": ["BertModel"]}',
    "README.md": b"---\nlicense: mit\ntags: [demo]\n---\n# Demo\n",
    "model.safetensors": b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ",
    "data/train.csv": b"text,label\nhello,a\nbye,b\n",
}


@pytest.fixture(scope="module")
def schema() -> dict:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(raw, cls=DjangoJSONEncoder))


def strict(node: object) -> object:
    """The schema with every object that lists its properties closed to other keys. A
    nullable reference, `{allOf: [ref], nullable: true}` as drf-spectacular writes it,
    becomes "the reference or null" (the validator applies `nullable` to each `allOf`)."""
    if isinstance(node, dict):
        node = {key: strict(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        if node.get("nullable") and "allOf" in node:
            rest = {k: v for k, v in node.items() if k not in ("allOf", "nullable")}
            return {**rest, "anyOf": [{"allOf": node["allOf"]}, {"enum": [None], "nullable": True}]}
        return node
    if isinstance(node, list):
        return [strict(value) for value in node]
    return node


def conforms(schema: dict, method: str, path: str, response, status: int = 200) -> None:
    assert response.status_code == status, response.content[:300]
    operation = schema["paths"][path][method]
    body_schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    document = {**strict(copy.deepcopy(body_schema)), "components": strict(schema["components"])}
    errors = sorted(OAS30Validator(document).iter_errors(response.json()), key=str)
    assert not errors, f"{method.upper()} {path}: " + "; ".join(
        f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5]
    )


def report(kind: str) -> dict:
    return classification_report(
        [0, 1, 0, 1, 0, 1],
        [0, 1, 1, 1, 0, 0],
        ["a", "b"],
        procedure={"kind": kind, "folds": 3 if kind == "cv" else None},
        baselines=[{"name": "majority", "y_pred": [0] * 6}],
    )


@pytest.fixture
def world(alice, bob, publish):
    base = model_create(user=alice, name="base", task="text-classification", library="x")
    v1 = publish(base, FILES, message="first")
    v2 = publish(base, {"notes.txt": b"two"}, message="second\n\nmore")
    alias_set(model=base, name="stable", version=v1, actor=alice)
    derived = model_create(user=alice, name="derived", task="text-classification")
    metrics = {"estimate": report("cv"), "test_set": report("test_set")}
    publish(derived, {"config.json": FILES["config.json"]}, parent=v2, metrics=metrics)
    org = org_create(user=alice, name="acme")
    member_set(actor=alice, org=org, username=bob.username, role="read")
    dataset, job = queued_job_on_file(v1, "data/train.csv")
    evaluation = Evaluation.objects.create(
        owner=alice, version=v1, dataset=dataset, status="succeeded", report=report("evaluation")
    )
    return {"dataset": dataset, "job": job, "evaluation": evaluation}


def test_model_answers_match_the_schema(schema, api, world):
    models = "/api/models"
    conforms(schema, "get", models, api.get(models))
    conforms(schema, "get", models, api.get(models, {"full": "true", "cardData": "true"}))
    conforms(schema, "get", models, api.get(models, {"config": "true"}))
    expand = "safetensors,baseModels,usedStorage,trendingScore,spaces,siblings,sha"
    conforms(schema, "get", models, api.get(models, {"expand": expand}))
    conforms(schema, "get", "/api/search/facets", api.get("/api/search/facets"))
    info = "/api/models/{owner}/{name}"
    conforms(schema, "get", info, api.get("/api/models/alice/derived"))
    conforms(schema, "get", info, api.get("/api/models/alice/base"))
    conforms(schema, "get", info + "/versions", api.get("/api/models/alice/base/versions"))
    created = api.post(models, {"name": "fresh", "tags": ["t"]}, format="json")
    conforms(schema, "post", models, created, 201)
    patched = api.patch("/api/models/alice/fresh", {"summary": "s"}, format="json")
    conforms(schema, "patch", info, patched)
    alias = api.put("/api/models/alice/base/aliases/prod", {"version": "v2"}, format="json")
    conforms(schema, "put", info + "/aliases/{alias}", alias)


def test_account_answers_match_the_schema(schema, api, world):
    info = "/api/models/{owner}/{name}"
    conforms(schema, "post", info + "/like", api.post("/api/models/alice/base/like"))
    conforms(schema, "delete", info + "/like", api.delete("/api/models/alice/base/like"))
    fork = api.post("/api/models/alice/base/duplicate", {"repository": "alice/copy"}, format="json")
    conforms(schema, "post", info + "/duplicate", fork)
    conforms(schema, "get", info + "/audit", api.get("/api/models/alice/base/audit"))
    conforms(schema, "get", "/api/whoami-v2", api.get("/api/whoami-v2"))
    org = api.post("/api/organizations", {"name": "widgets"}, format="json")
    conforms(schema, "post", "/api/organizations", org, 201)
    members = "/api/organizations/{org}/members"
    conforms(schema, "get", members, api.get("/api/organizations/acme/members"))
    role = api.put("/api/organizations/acme/members/bob", {"role": "write"}, format="json")
    conforms(schema, "put", members + "/{username}", role)


def test_finetune_and_evaluation_answers_match_the_schema(schema, api, world):
    dataset, job, evaluation = world["dataset"], world["job"], world["evaluation"]
    dataset_path = "/api/datasets/{dataset_id}"
    conforms(schema, "get", dataset_path, api.get(f"/api/datasets/{dataset.pk}"))
    conforms(schema, "get", "/api/finetunes", api.get("/api/finetunes"))
    conforms(schema, "get", "/api/finetunes/{job_id}", api.get(f"/api/finetunes/{job.pk}"))
    cancel = api.post(f"/api/finetunes/{job.pk}/cancel")
    conforms(schema, "post", "/api/finetunes/{job_id}/cancel", cancel)
    one = api.get(f"/api/evaluations/{evaluation.pk}")
    conforms(schema, "get", "/api/evaluations/{evaluation_id}", one)
    listed = api.get("/api/evaluations", {"model": "alice/base"})
    conforms(schema, "get", "/api/evaluations", listed)


def test_a_field_the_schema_does_not_declare_is_caught(schema, api, world):
    """The check above can fail: an answer with one key more than its shape is refused."""
    response = api.get("/api/models/alice/base")
    body = {**response.json(), "undeclared": 1}
    response.json = lambda: body
    with pytest.raises(AssertionError, match="undeclared"):
        conforms(schema, "get", "/api/models/{owner}/{name}", response)
