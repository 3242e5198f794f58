"""The real `huggingface_hub` client sees a private base of a public model as "a private
model": `model_info` carries no name, revision or card text of it, except for its owner."""

from __future__ import annotations

import pytest

from catalog.models import Model

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Use 'content=:DeprecationWarning"),
]

SECRET = "quokkavault"


def test_model_info_hides_a_private_base(hf, anon_hf, tmp_path):
    hf.create_repo(f"alice/{SECRET}", private=True)
    hf.upload_file(
        path_or_fileobj=b"---\nlicense: mit\n---\nInternal zebraomega notes.\n",
        path_in_repo="README.md",
        repo_id=f"alice/{SECRET}",
    )
    base_sha = hf.model_info(f"alice/{SECRET}").sha
    hf.create_repo("alice/tuned")
    card = f"---\nbase_model: alice/{SECRET}\n---\nA public derivative.\n"
    hf.upload_file(path_or_fileobj=card.encode(), path_in_repo="README.md", repo_id="alice/tuned")
    assert Model.objects.get(name="tuned").base_model == f"alice/{SECRET}"

    info = anon_hf.model_info("alice/tuned")
    seen = repr(vars(info))
    assert SECRET not in seen and base_sha not in seen and "zebraomega" not in seen
    assert info.parent == {"id": None, "version": None, "sha": None, "private": True}
    assert info.lineage == [info.parent]

    own = hf.model_info("alice/tuned")
    assert own.parent == {"id": f"alice/{SECRET}", "version": 1, "sha": base_sha}
