"""The card editor: fields edit the YAML, the Markdown is previewed by the server, and saving
makes a new version exactly as a commit of README.md would."""

from __future__ import annotations

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.blobs import blob_open
from catalog.models import Model
from catalog.selectors import version_latest
from catalog.services.card_edit import card_draft, card_field_values
from catalog.services.cards import MAX_CARD_BYTES, card_split
from catalog.services.models import model_create
from catalog.templatetags.hub import card_page_html

pytestmark = pytest.mark.django_db
CARD = (
    b"---\nlicense: mit\nlibrary_name: timm\ntags: [vision, tiny]\n"
    b"widget:\n- src: cat.png\n---\n# Tiny\n\nA card body.\n"
)
EDITOR = "/alice/m/edit/main/README.md"


@pytest.fixture
def model(api, alice) -> Model:
    model = model_create(user=alice, name="m")
    files = [SimpleUploadedFile("README.md", CARD), SimpleUploadedFile("w.bin", b"\x00" * 64)]
    response = api.post("/api/models/alice/m/versions", {"files": files}, format="multipart")
    assert response.status_code == 201
    return model


def form_data(model: Model, **changes) -> dict:
    draft = card_draft(model=model, user=model.created_by)
    data = {**card_field_values(draft), "body": draft.body, "message": ""}
    data["parent"] = draft.head.revision if draft.head else ""
    return {**data, **changes}


def readme_of(model: Model) -> tuple[dict, str]:
    row = version_latest(model).files.get(path="README.md")
    with blob_open(row.blob_id) as handle:
        return card_split(handle.read().decode())


def test_the_editor_shows_the_front_matter_as_fields(client, alice, model):
    client.force_login(alice)
    page = client.get(EDITOR)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="timm"' in html and 'value="vision, tiny"' in html
    assert "<code>widget</code>" in html  # a key without a field: kept, and said so
    assert 'value="mit" selected' in html


def test_saving_makes_a_version_that_carries_the_files_and_keeps_other_keys(client, alice, model):
    client.force_login(alice)
    data = form_data(model, license="apache-2.0", tags="vision", body="# Tiny\n\nBetter words.")
    response = client.post(EDITOR, {**data, "message": "Clearer card"})
    assert response.status_code == 302
    assert response["Location"] == "/alice/m#v2"
    version = version_latest(model)
    assert version.number == 2 and version.message == "Clearer card"
    assert sorted(version.files.values_list("path", flat=True)) == ["README.md", "w.bin"]
    meta, body = readme_of(model)
    assert meta["license"] == "apache-2.0" and meta["tags"] == ["vision"]
    assert meta["widget"] == [{"src": "cat.png"}] and meta["library_name"] == "timm"
    model.refresh_from_db()
    assert model.license == "apache-2.0" and "tiny" not in model.tags
    assert model.card == body == "# Tiny\n\nBetter words.\n"


def test_an_unchanged_card_makes_no_version(client, alice, model):
    client.force_login(alice)
    response = client.post(EDITOR, form_data(model))
    assert response.status_code == 302
    assert version_latest(model).number == 1


def test_an_edit_of_only_the_body_keeps_the_yaml_as_written(client, alice, model):
    client.force_login(alice)
    client.post(EDITOR, form_data(model, body="New body"))
    row = version_latest(model).files.get(path="README.md")
    with blob_open(row.blob_id) as handle:
        text = handle.read().decode()
    assert text.startswith(CARD.decode().split("# Tiny")[0].rstrip("\n"))
    assert text.endswith("\n\nNew body\n")


def test_a_version_published_meanwhile_is_not_overwritten_silently(client, alice, api, model):
    client.force_login(alice)
    stale = form_data(model, body="Mine")
    api.post(
        "/api/models/alice/m/versions",
        {"files": [SimpleUploadedFile("extra.txt", b"x")]},
        format="multipart",
    )
    response = client.post(EDITOR, stale)
    assert response.status_code == 409
    assert b"v2 was published while you edited" in response.content
    assert version_latest(model).number == 2
    head = version_latest(model).revision
    assert f'value="{head}"'.encode() in response.content  # the next save goes on top of v2
    assert client.post(EDITOR, {**stale, "parent": head}).status_code == 302
    assert version_latest(model).number == 3
    assert "extra.txt" in version_latest(model).files.values_list("path", flat=True)


def test_a_model_without_readme_gets_one_from_its_fields(client, alice):
    model = model_create(user=alice, name="bare", license="mit", task="image-classification")
    client.force_login(alice)
    draft = card_draft(model=model, user=alice)
    assert draft.head is None and draft.meta["license"] == "mit"
    data = {**card_field_values(draft), "body": "# Bare\n", "parent": ""}
    assert client.post("/alice/bare/edit/main/README.md", data).status_code == 302
    meta, body = readme_of(model)
    assert meta["pipeline_tag"] == "image-classification" and meta["license"] == "mit"
    assert body == "# Bare\n"


def test_only_writers_reach_the_editor_and_the_preview(client, alice, bob, model):
    assert client.get(EDITOR).status_code == 302  # to the log-in page
    client.force_login(bob)
    assert client.get(EDITOR).status_code == 404
    assert client.post("/alice/m/card-preview", {"body": "x"}).status_code == 404


def test_the_preview_is_the_sanitised_page_rendering(client, alice, model):
    client.force_login(alice)
    body = "# m\n\n## Usage\n\n<script>alert(1)</script>\n\n**bold**"
    response = client.post("/alice/m/card-preview", {"body": body})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html and "<strong>bold</strong>" in html
    assert html == card_page_html(body, "m")  # exactly what the model page shows
    too_long = client.post("/alice/m/card-preview", {"body": "x" * (MAX_CARD_BYTES + 1)})
    assert too_long.status_code == 413 and b"at most" in too_long.content
    assert client.get("/alice/m/card-preview").status_code == 405


def test_unknown_front_matter_values_survive_an_edit_of_other_fields(client, alice, api):
    model = model_create(user=alice, name="odd")
    readme = b"---\npipeline_tag: made-up-task\nlicense: mit\n---\nbody\n"
    api.post(
        "/api/models/alice/odd/versions",
        {"files": [SimpleUploadedFile("README.md", readme)]},
        format="multipart",
    )
    client.force_login(alice)
    data = form_data(model, license="apache-2.0")
    assert client.post("/alice/odd/edit/main/README.md", data).status_code == 302
    meta, _ = readme_of(model)
    assert meta == {"pipeline_tag": "made-up-task", "license": "apache-2.0"}
    assert yaml.safe_dump(meta)


def test_a_card_field_with_front_matter_is_split_into_fields_and_body(client, alice):
    card = "---\nlicense: mit\nlibrary_name: transformers\n---\n# Bare\n\nWords.\n"
    model = model_create(user=alice, name="bare", card=card)
    draft = card_draft(model=model, user=alice)
    assert draft.body == "# Bare\n\nWords.\n"
    assert draft.meta["license"] == "mit" and draft.meta["library_name"] == "transformers"
    client.force_login(alice)
    data = {**card_field_values(draft), "body": draft.body, "parent": ""}
    assert client.post("/alice/bare/edit/main/README.md", data).status_code == 302
    meta, body = readme_of(model)
    assert body == "# Bare\n\nWords.\n" and meta["license"] == "mit"
    model.refresh_from_db()
    assert model.card == body and model.license == "mit"
