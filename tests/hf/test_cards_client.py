"""README.md is the card when the Hub client commits it too (the web form and REST multipart
are in tests/catalog/test_cards.py): same body, same metadata, emptied when deleted."""

from __future__ import annotations

import pytest

from catalog.models import Model

pytestmark = pytest.mark.django_db(transaction=True)
CARD = b"---\nlicense: mit\nlibrary_name: timm\ntags: [vision]\n---\n# Tiny\n\nA card body.\n"


def test_a_committed_readme_is_the_card_and_deleting_it_empties_it(hf):
    hf.create_repo("alice/carded")
    hf.upload_file(path_or_fileobj=CARD, path_in_repo="README.md", repo_id="alice/carded")
    model = Model.objects.get(name="carded")
    assert model.card == "# Tiny\n\nA card body.\n"
    assert (model.license, model.library) == ("mit", "timm") and "vision" in model.tags
    hf.upload_file(path_or_fileobj=b"x", path_in_repo="notes.txt", repo_id="alice/carded")
    hf.delete_file("README.md", repo_id="alice/carded")
    model.refresh_from_db()
    assert model.card == ""
