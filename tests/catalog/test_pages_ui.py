"""Page behaviour that needs no browser: the favicon, styled error pages, the home page's
lists and chips, the short new-model form, safe token defaults and leaving an organization."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from catalog.errors import InvalidInput, NotFound
from catalog.models import Membership, Model
from catalog.selectors import home_lists
from catalog.services.models import model_create
from catalog.services.orgs import member_leave, member_set, org_create

pytestmark = pytest.mark.django_db


def test_favicon_is_served_at_the_root_and_linked_from_pages(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/favicon.ico")
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page


@override_settings(DEBUG=False)
def test_unknown_address_is_a_styled_404_with_a_way_on(client):
    response = client.get("/no/such/page/at/all")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and 'action="/models"' in html and "hub.css" in html
    assert "URLconf" not in html  # never the debug page's list of patterns


def test_500_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html and "hub.css" in html


def test_home_lists_differ_and_chips_count_only_used_tasks(alice):
    for name, task, downloads, trending in [
        ("a", "text-classification", 50, 0),
        ("b", "text-classification", 5, 5),
        ("c", "image-classification", 0, 0),
    ]:
        model = model_create(user=alice, name=name, task=task)
        Model.objects.filter(pk=model.pk).update(downloads=downloads, trending=trending)
    model_create(user=alice, name="hidden", task="object-detection", private=True)

    lists = home_lists(user=AnonymousUser())  # the private one is neither listed nor counted
    titles = [(title, [m.name for m in models]) for title, _, models in lists.sections]
    assert titles == [
        ("Trending this week", ["b"]),
        ("Most downloaded", ["a", "b"]),
        ("Newest", ["c", "b", "a"]),
    ]
    assert lists.task_counts == [("text-classification", 2), ("image-classification", 1)]
    assert lists.model_count == 3


def test_a_list_equal_to_one_above_it_is_left_out(alice):
    model = model_create(user=alice, name="only")
    Model.objects.filter(pk=model.pk).update(downloads=3, trending=3)
    lists = home_lists(user=alice)
    assert [title for title, _, _ in lists.sections] == ["Trending this week"]


def test_short_new_model_form_defaults_to_public(client, alice):
    client.force_login(alice)
    html = client.get("/new").content.decode()
    assert 'id="more-fields"' in html and 'name="visibility" value="public"' in html
    response = client.post("/new", {"namespace": "alice", "name": "quick", "license": "mit"})
    assert response.status_code == 302
    assert Model.objects.get(name="quick").private is False
    client.post(
        "/new",
        {"namespace": "alice", "name": "hushed", "license": "mit", "visibility": "private"},
    )
    assert Model.objects.get(name="hushed").private is True


def test_token_form_offers_read_first_and_by_default(client, alice):
    client.force_login(alice)
    html = client.get("/settings/tokens").content.decode()
    assert html.index('value="read"') < html.index('value="write"')
    assert re.search(r'<input[^>]*name="scope" value="read"[^>]*checked', html)
    assert not re.search(r'<input[^>]*name="scope" value="write"[^>]*checked', html)


def test_members_leave_but_the_last_admin_may_not(alice, bob):
    lab = org_create(user=alice, name="lab")
    member_set(actor=alice, org=lab, username="bob", role="read")
    member_leave(user=bob, org=lab)
    assert not Membership.objects.filter(namespace=lab, user=bob).exists()
    with pytest.raises(NotFound):
        member_leave(user=bob, org=lab)
    with pytest.raises(InvalidInput, match="last admin"):
        member_leave(user=alice, org=lab)
    assert Membership.objects.filter(namespace=lab, user=alice).exists()


def test_leave_and_remove_from_the_page_say_what_happened(client, alice, bob):
    lab = org_create(user=alice, name="lab")
    member_set(actor=alice, org=lab, username="bob", role="read")
    client.force_login(bob)
    page = client.post("/organizations/lab/members", {"leave": "1"}, follow=True)
    assert "You left lab." in page.content.decode()
    client.force_login(alice)
    page = client.post("/organizations/lab/members", {"leave": "1"}, follow=True)
    assert "last admin of lab" in page.content.decode()


def test_model_page_links_owner_and_chips_without_repeats(client, alice):
    model_create(
        user=alice,
        name="chips",
        task="text-classification",
        library="transformers",
        license="mit",
        tags=["transformers", "demo"],
        summary="Sorts news",
        card="# chips\n\nSorts news\n\n## Use\n\nText.",
    )
    html = client.get("/alice/chips").content.decode()
    assert 'class="owner-link" href="/alice"' in html
    assert 'href="/models?task=text-classification"' in html
    assert 'href="/models?license=mit"' in html and 'href="/models?tag=demo"' in html
    assert html.count('href="/models?library=transformers"') == 1
    assert 'href="/models?tag=transformers"' not in html  # the library is not a tag again
    # The card's "# chips" repeats the title: dropped, and "## Use" moves up to an H2.
    assert html.count("<h1") == 1 and "<h2>Use</h2>" in html and "chips</h" not in html
    assert 'class="lead"' not in html  # the card already says it
    assert 'id="like-button" href="/accounts/login/?next=/alice/chips"' in html
