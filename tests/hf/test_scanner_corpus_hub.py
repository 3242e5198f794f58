"""The malicious corpus through the Hub commit API (`/api/models/.../commit/main`, inline
and Git-LFS uploads) with the real huggingface_hub client: every payload refused with a
400 naming the file; the benign corpus committed, with each file's `securityFileStatus`."""

from __future__ import annotations

import pytest
from huggingface_hub import CommitOperationAdd
from huggingface_hub.errors import BadRequestError

from catalog.models import Version
from tests import malicious_corpus as mc

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # huggingface_hub's own LFS PUT passes a file object as `data=`: httpx2 warns about it.
    pytest.mark.filterwarnings("ignore:Use 'content=:DeprecationWarning"),
    # The scanner parses protocol-0 text arguments of benign files; pickletools warns on escapes.
    pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning"),
]


def test_commit_api_refuses_every_payload(hf, tmp_path):
    payloads = mc.malicious(tmp_path / "corpus")
    hf.create_repo("alice/evil")
    for payload in payloads:
        add = CommitOperationAdd(path_in_repo=payload.name, path_or_fileobj=str(payload.path))
        with pytest.raises(BadRequestError) as refused:
            hf.create_commit("alice/evil", operations=[add], commit_message="add")
        assert payload.name in str(refused.value), (payload.name, str(refused.value))
        assert not payload.marker.exists()
    assert not Version.objects.filter(model__name="evil").exists()


def test_commit_api_accepts_benign_files_and_reports_their_scan(hf, tmp_path):
    files = mc.benign(tmp_path / "corpus")
    hf.create_repo("alice/good")
    operations = [
        CommitOperationAdd(path_in_repo=name, path_or_fileobj=data)
        for name, (data, _) in files.items()
    ]
    hf.create_commit("alice/good", operations=operations, commit_message="benign corpus")
    tree = hf.list_repo_tree("alice/good", recursive=True, expand=True)
    statuses = {f.path: f.security["status"] for f in tree if hasattr(f, "security")}
    assert statuses == {name: status for name, (_, status) in files.items()}
    assert statuses["model.gguf"] == "unscanned" and statuses["model.safetensors"] == "safe"
