"""README.md is the card however it arrives (web form, REST multipart; the Hub client is in
tests/hf/test_cards_client.py), and the card editor saves it as a new version."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Model
from catalog.selectors import version_latest
from catalog.services.models import model_create

pytestmark = pytest.mark.django_db
CARD = b"---\nlicense: mit\nlibrary_name: timm\ntags: [vision]\n---\n# Tiny\n\nA card body.\n"


def files(readme: bytes = CARD) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile("README.md", readme),
        SimpleUploadedFile("weights.bin", bytes(range(256))),
    ]


def assert_card_applied(model: Model) -> None:
    model.refresh_from_db()
    assert model.card == "# Tiny\n\nA card body.\n"
    assert (model.license, model.library) == ("mit", "timm")
    assert "vision" in model.tags


def test_web_upload_form_readme_becomes_the_card(client, alice):
    model = model_create(user=alice, name="m", license="apache-2.0")
    client.force_login(alice)
    response = client.post("/alice/m/upload", {"files": files(), "message": "card"})
    assert response.status_code == 302
    assert_card_applied(model)
    page = client.get("/alice/m").content.decode()
    assert "A card body." in page and "no card yet" not in page


def test_rest_multipart_readme_becomes_the_card(api, alice):
    model = model_create(user=alice, name="m", license="apache-2.0")
    response = api.post("/api/models/alice/m/versions", {"files": files()}, format="multipart")
    assert response.status_code == 201, response.content
    assert_card_applied(model)


def test_a_byte_order_mark_does_not_hide_the_front_matter(api, alice):
    model = model_create(user=alice, name="m")
    readme = b"\xef\xbb\xbf" + CARD  # what Notepad writes
    response = api.post(
        "/api/models/alice/m/versions", {"files": files(readme)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert_card_applied(model)


def test_broken_front_matter_is_refused_by_every_upload_path(api, client, alice):
    model_create(user=alice, name="m")
    broken = b"---\nlicense: [mit\n---\n# Body\n"
    response = api.post(
        "/api/models/alice/m/versions", {"files": files(broken)}, format="multipart"
    )
    assert response.status_code == 400
    assert "not valid YAML" in response.json()["error"]
    client.force_login(alice)
    page = client.post("/alice/m/upload", {"files": files(broken)})
    assert page.status_code == 400 and b"not valid YAML" in page.content
    assert version_latest(Model.objects.get(name="m")) is None  # nothing half-written


def test_deleting_readme_empties_the_card(api, alice):
    model = model_create(user=alice, name="m")
    api.post("/api/models/alice/m/versions", {"files": files()}, format="multipart")
    response = api.post(
        "/api/models/alice/m/versions",
        {"files": [SimpleUploadedFile("notes.txt", b"x")], "delete": ["README.md"]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    model.refresh_from_db()
    assert model.card == ""
