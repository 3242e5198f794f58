"""Schema fuzzing: schemathesis generates requests for every operation of the OpenAPI schema
(the schema's examples, its coverage cases, then random valid and invalid ones) and sends each
over real HTTP to a live server with the owner's token, and also without one where the schema
allows anonymous calls. Half of the random path values are replaced by real ones (a seeded
user, model, version, files, alias, org, dataset and job), and the real ones are the path
examples the coverage cases use, so cases get past the 404s to the code behind them. No input
may produce a 5xx (schemathesis's `not_a_server_error`).

The budget is bounded (HUB_FUZZ_EXAMPLES random cases per operation, besides the schema's
examples and coverage cases) and generation is derandomised, so a failure reproduces;
HUB_FUZZ_RANDOM=1 explores other cases. HUB_FUZZ_KEEP_GOING=1 records every 5xx instead of
stopping at the first. The figures are printed at the end (run with -s to see them)."""

from __future__ import annotations

import json
import os
import time
from collections import Counter

import pytest
import requests
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from catalog.models import Alias, Model
from catalog.services.aliases import alias_set
from catalog.services.models import model_create
from catalog.services.orgs import member_set, org_create
from tests.catalog.finetune_helpers import queued_job_on_file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "20"))  # random cases per operation
KEEP_GOING = os.environ.get("HUB_FUZZ_KEEP_GOING") == "1"
RANDOM = os.environ.get("HUB_FUZZ_RANDOM") == "1"  # explore beyond the fixed CI cases
FILES = {
    "config.json": b'{"model_type": "bert", "architectures": ["BertModel"]}',
    "README.md": b"---\nlicense: mit\ntags: [demo]\n---\n# Demo\n\nA model to fuzz.\n",
    "data/train.csv": b"text,label\nhello,1\nbye,0\n",
}
# The commit body is NDJSON text: send what is generated as it is, like text/plain.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")
# The seeded path values; examples are drawn at collection, before `world` adds the ids.
SEEDED_REVISIONS = ["main", "v1", "stable"]
REAL: dict = {
    "paths": {
        "owner": "alice",
        "name": "demo",
        "path": "config.json",
        "alias": "stable",
        "org": "acme",
        "username": "bob",
    },
    "revisions": SEEDED_REVISIONS,
}
TALLY: Counter = Counter()  # cases generated, requests sent, unsendable
STATUSES: Counter = Counter()
SERVER_ERRORS: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def figures():
    started = time.monotonic()
    yield
    statuses = dict(sorted(STATUSES.items()))
    print(
        f"\nschema fuzz: {TALLY['generated']} cases, {TALLY['requests']} requests, "
        f"{len(SERVER_ERRORS)} 5xx, "
        f"{time.monotonic() - started:.0f} s; statuses {statuses}"
    )
    for failure in SERVER_ERRORS[:50]:
        print(failure[:500])


@pytest.fixture
def world(alice, bob, alice_token, publish, settings):
    settings.HUB_UPLOAD_RATE = "100000/3600"  # fuzzing the endpoints, not the rate limits
    settings.HUB_VALIDATE_YAML_RATE = "100000/60"
    model = model_create(user=alice, name="demo")
    version = publish(model, FILES, message="first")
    alias_set(model=model, name="stable", version=version, actor=alice)
    model_create(user=alice, name="scratch")  # what DELETE cases delete
    org = org_create(user=alice, name="acme")
    member_set(actor=alice, org=org, username=bob.username, role="read")
    # The job also keeps `demo` itself from being deleted (a 409): the coverage cases name it.
    dataset, job = queued_job_on_file(version, "data/train.csv")
    # Known only now: the ids of this test's rows.
    REAL["paths"].update(dataset_id=dataset.pk, job_id=str(job.pk))
    REAL["revisions"] = [*SEEDED_REVISIONS, version.revision]
    return {"token": alice_token, "model": model, "version": version}


def hub_schema() -> schemathesis.BaseSchema:
    """The schema /api/schema serves, generated here at collection (no server needed yet)."""
    raw = json.loads(
        json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=DjangoJSONEncoder)
    )
    # Seeded values as the path parameters' examples: the coverage cases, which vary the
    # query, headers and body, then reach the code behind the 404.
    for operations in raw["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                value = {**REAL["paths"], "revision": "main"}.get(parameter["name"])
                if parameter["in"] == "path" and value is not None:
                    parameter["example"] = value
    loaded = schemathesis.openapi.from_dict(raw)

    @loaded.hook
    def flatmap_path_parameters(context, path_parameters):
        """One case in two keeps the generated values; the others get the seeded ones."""
        if not path_parameters:
            return st.just(path_parameters)
        real = {key: value for key, value in REAL["paths"].items() if key in path_parameters}
        if context.operation.method.upper() == "DELETE" and set(real) == {"owner", "name"}:
            real["name"] = "scratch"
        if not real:
            return st.just(path_parameters)
        options = [{**path_parameters, **real}]
        if "revision" in path_parameters:
            options = [{**options[0], "revision": rev} for rev in REAL["revisions"]]
        return st.one_of(st.just(path_parameters), st.sampled_from(options))

    return loaded


schema = hub_schema()


def restore(world) -> None:
    """Writes made with the owner's token could hide the seeded model from the cases after
    them (made private, alias deleted, `scratch` deleted): put them back."""
    model, version = world["model"], world["version"]
    Model.objects.filter(pk=model.pk, private=True).update(private=False)
    Alias.objects.get_or_create(model=model, name="stable", defaults={"version": version})
    if not Model.objects.filter(namespace__name="alice", name="scratch").exists():
        model_create(user=model.created_by, name="scratch")


def callers(case, token: str) -> list[dict]:
    """The owner's token always; no token where the schema says anonymous calls are allowed
    (elsewhere that is a 401 before any input is read)."""
    security = case.operation.definition.raw.get("security") or [{}]
    owner = [{"Authorization": f"Bearer {token}"}]
    return [{}, *owner] if {} in security else owner


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_a_server_error(case, world, live_server):
    TALLY["generated"] += 1
    for headers in callers(case, world["token"]):
        try:
            response = case.call(base_url=live_server.url, headers=headers, timeout=60)
        except (requests.exceptions.InvalidHeader, requests.exceptions.InvalidURL, ValueError):
            TALLY["unsendable"] += 1  # the HTTP client itself refuses to send it
            continue
        TALLY["requests"] += 1
        STATUSES[response.status_code] += 1
        if case.method.upper() not in ("GET", "HEAD"):
            restore(world)
        try:
            case.validate_response(response, checks=[not_a_server_error], headers=headers)
        except FailureGroup:
            SERVER_ERRORS.append(f"{response.status_code} {case.as_curl_command(headers=headers)}")
            if not KEEP_GOING:
                raise
