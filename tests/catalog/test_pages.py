from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Model, Namespace, Version
from catalog.services.models import model_create
from tests.helpers import create_model, upload

pytestmark = pytest.mark.django_db
HOSTILE_CARD = """# Title

<script>alert('x')</script>
<img src=x onerror="alert(1)">
[click](javascript:alert(1))
<a href="https://example.com" onclick="steal()">ok link</a>
"""


def test_home_lists_public_models_only(client, alice, bob):
    model_create(user=alice, name="visible-one", summary="a public model")
    model_create(user=alice, name="hidden-one", private=True)
    page = client.get("/").content.decode()
    assert "alice/visible-one" in page or "visible-one" in page
    assert "hidden-one" not in page


def test_model_page_sanitises_card_and_shows_files(api, client):
    create_model(
        api,
        "carded",
        card=HOSTILE_CARD,
        task="text-classification",
        source_domain="news",
        license="mit",
        library="pytorch",
    )
    upload(api, "alice/carded", [("config.json", b'{"hidden_size": 8}')], message="first files")
    html = client.get("/alice/carded").content.decode()
    assert "<h2>Title</h2>" in html  # one level down: the page's title is the only H1
    assert "<script>alert" not in html and "onerror" not in html and "onclick" not in html
    # nh3 writes every attribute double-quoted; CommonMark keeps the link inside the raw HTML
    # block as inert text, so only an attribute would be a problem.
    assert 'href="javascript:' not in html and 'src="javascript:' not in html
    assert "ok link" in html
    assert "config.json" in html and "/alice/carded/resolve/" in html
    assert "first files" in html and "Text classification" in html and "News articles" in html


def test_private_model_page_is_404_for_others(client, alice):
    model_create(user=alice, name="secret", private=True)
    assert client.get("/alice/secret").status_code == 404


def test_create_model_form_then_upload_form(client, alice):
    client.force_login(alice)
    response = client.post(
        "/new",
        {
            "namespace": "alice",
            "name": "from-form",
            "task": "image-classification",
            "source_domain": "natural-images",
            "license": "mit",
            "tags": "cnn, demo",
            "card": "# Hello",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/alice/from-form/upload"
    model = Model.objects.get(name="from-form")
    assert model.tags == ["cnn", "demo"]
    upload_response = client.post(
        "/alice/from-form/upload",
        {
            "files": [SimpleUploadedFile("a.txt", b"aaa"), SimpleUploadedFile("b.txt", b"bbb")],
            "message": "via the form",
        },
    )
    assert upload_response.status_code == 302
    version = Version.objects.get(model=model)
    assert sorted(version.files.values_list("path", flat=True)) == ["a.txt", "b.txt"]


def test_create_form_shows_errors(client, alice):
    client.force_login(alice)
    model_create(user=alice, name="taken")
    response = client.post(
        "/new",
        {
            "namespace": "alice",
            "name": "taken",
            "task": "other",
            "source_domain": "other",
            "license": "mit",
        },
    )
    assert response.status_code == 400 and "already exists" in response.content.decode()
    response = client.post(
        "/new",
        {
            "namespace": "alice",
            "name": "bad name",
            "task": "other",
            "source_domain": "other",
            "license": "mit",
        },
    )
    assert response.status_code == 400 and "not allowed" in response.content.decode()


def test_upload_page_refuses_empty_file_with_message(client, alice):
    client.force_login(alice)
    model_create(user=alice, name="m")
    response = client.post("/alice/m/upload", {"files": [SimpleUploadedFile("e.bin", b"")]})
    assert response.status_code == 400
    assert Version.objects.count() == 0


def test_pages_need_login_for_writes(client, alice):
    model_create(user=alice, name="m")
    assert client.get("/new").status_code == 302
    assert client.get("/alice/m/upload").status_code == 302


def test_other_user_cannot_open_upload_page(client, alice, bob):
    model_create(user=alice, name="m")
    client.force_login(bob)
    assert client.get("/alice/m/upload").status_code == 404


def test_signup_login_and_tokens_page_shows_secret_once(client):
    response = client.post("/accounts/signup/", {"username": "carol", "password": "pass-word-123"})
    assert response.status_code == 302
    page = client.post(
        "/settings/tokens", {"name": "laptop", "scope": "read"}, follow=True
    ).content.decode()
    assert "hub_" in page and "will not be shown again" in page
    again = client.get("/settings/tokens").content.decode()
    assert "laptop" in again and "will not be shown again" not in again


@pytest.mark.parametrize(
    "username, password, says",
    [
        ("api", "pass-word-123", "is reserved"),
        ("alice", "pass-word-123", "is taken"),
        ("ALICE", "pass-word-123", "is taken"),  # names are URLs: case does not make a new one
        ("carol", "password123", "too common"),  # Django's password validators
    ],
)
def test_signup_refusals_are_400_and_make_no_user(client, alice, username, password, says):
    users = list(get_user_model().objects.values_list("pk", flat=True))
    namespaces = list(Namespace.objects.values_list("pk", flat=True))
    response = client.post("/accounts/signup/", {"username": username, "password": password})
    assert response.status_code == 400
    assert says in response.content.decode()
    assert list(get_user_model().objects.values_list("pk", flat=True)) == users
    assert list(Namespace.objects.values_list("pk", flat=True)) == namespaces
    assert "_auth_user_id" not in client.session  # nobody was signed in


def test_model_index_filters(client, alice):
    model_create(user=alice, name="vision", task="image-classification")
    model_create(user=alice, name="textual", task="text-classification")
    html = client.get("/models?task=image-classification").content.decode()
    assert "vision" in html and "textual" not in html


def test_model_page_explains_why_fine_tuning_is_unavailable(client, api):
    create_model(api, "plain")
    upload(api, "alice/plain", [("config.json", b'{"architecture": "mystery"}')])
    html = client.get("/alice/plain").content.decode()
    assert 'id="finetune-reason"' in html and "no fine-tuning adapter" in html
    assert 'id="finetune-button"' not in html


@pytest.mark.parametrize(
    "url, says",
    [
        ("/nobody", "Namespace &#x27;nobody&#x27; does not exist."),
        ("/alice/ghost/upload", "Model alice/ghost does not exist or is not visible to you."),
        ("/alice/m/tree/v9", "Revision &#x27;v9&#x27; of alice/m does not exist."),
        ("/alice/ghost/settings", "Model alice/ghost does not exist"),
        ("/jobs/00000000-0000-0000-0000-000000000000", "No such fine-tune job."),
    ],
)
def test_not_found_is_the_404_page_with_the_selectors_message(client, alice, url, says):
    """`NotFoundMiddleware` is the one place a page's NotFound becomes a 404."""
    model_create(user=alice, name="m")
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 404
    assert says in response.content.decode()


def test_organization_members_of_no_organization_is_404(client, alice):
    client.force_login(alice)
    response = client.post("/organizations/alice/members", {"username": "bob", "role": "read"})
    assert response.status_code == 404  # alice is a user, not an organization
    assert "No organization named" in response.content.decode()
