"""The fine-tune worker reads a version's files only by their place in its manifest. Paths
written inside uploaded files (tokenizer_config.json, config.json, modules.json) never make it
read another model's blob, a file outside the workspace, or anything by `..` or an absolute
path; and the answer is the same whether or not the target exists (no oracle)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.blobs import blob_local_path
from catalog.finetune.options import finetune_options
from catalog.finetune.workspace import version_materialize
from catalog.models import VersionFile
from catalog.services.models import model_create
from tests.standard_models import bert_classifier, files_in, sentence_transformer

pytestmark = pytest.mark.django_db


def folder_files(folder: Path) -> dict[str, bytes]:
    return {path: (folder / path).read_bytes() for path in files_in(folder)}


def edit_json(repo: dict[str, bytes], path: str, changes: dict) -> None:
    repo[path] = json.dumps({**json.loads(repo[path]), **changes}).encode()


@pytest.fixture
def secret_blob(alice, publish) -> Path:
    """A private model's tokenizer, with a vocabulary the attacker wants read."""
    private = model_create(user=alice, name="secret", private=True)
    vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nclassified\n"
    version = publish(private, {"vocab.txt": vocab.encode()})
    return blob_local_path(version.files.get(path="vocab.txt").blob_id)


def test_paths_in_tokenizer_and_config_files_are_not_followed(bob, publish, tmp_path, secret_blob):
    files = folder_files(bert_classifier(tmp_path / "src"))
    edit_json(
        files,
        "tokenizer_config.json",
        {"vocab_file": str(secret_blob), "tokenizer_file": "../../../" + secret_blob.name},
    )
    edit_json(
        files, "config.json", {"_name_or_path": str(secret_blob), "files": {"backbone": ".."}}
    )
    version = publish(model_create(user=bob, name="thief"), files)
    work = version_materialize(version, tmp_path / "work")

    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(work, local_files_only=True)
    assert "classified" not in tokenizer.get_vocab()
    assert tokenizer.get_vocab() == AutoTokenizer.from_pretrained(tmp_path / "src").get_vocab()
    from adapters.classify.network import load_classifier

    model = load_classifier(work, ["a", "b"], "text")
    assert model.config.num_labels == 2  # its own weights, loaded from its own files


@pytest.mark.parametrize(
    "module_path",
    ["../../etc", "/etc", "C:/models/x", "1_Pooling/../../..", "..\\secret", "a\\b"],
)
def test_module_paths_outside_the_repository_make_it_not_finetunable(
    bob, publish, tmp_path, module_path
):
    files = folder_files(sentence_transformer(tmp_path / "st", work=tmp_path))
    modules = json.loads(files["modules.json"])
    modules[-1]["path"] = module_path
    files["modules.json"] = json.dumps(modules).encode()
    version = publish(model_create(user=bob, name="st"), files)
    options = finetune_options(version)
    assert options.adapters == {}
    assert "is not a folder of this repository" in options.reason


def test_a_sentence_transformers_repository_with_its_own_folders_is_finetunable(
    bob, publish, tmp_path
):
    files = folder_files(sentence_transformer(tmp_path / "st", work=tmp_path))
    modules = json.loads(files["modules.json"])
    # A module without weights (Normalize) has a folder name but no files in it.
    modules.append(
        {
            "idx": 2,
            "name": "2",
            "path": "2_Normalize",
            "type": "sentence_transformers.models.Normalize",
        }
    )
    files["modules.json"] = json.dumps(modules).encode()
    version = publish(model_create(user=bob, name="st"), files)
    assert finetune_options(version).adapters, finetune_options(version).reason


@pytest.mark.parametrize("path", ["../outside.txt", "/abs.txt", "a/../../b.txt"])
def test_materialize_never_writes_outside_the_workspace(bob, publish, tmp_path, path):
    version = publish(model_create(user=bob, name="m"), {"ok.txt": b"ok"})
    row = version.files.get()
    VersionFile.objects.filter(pk=row.pk).update(path=path)  # a row no publish could write
    with pytest.raises(ValueError, match="not a path inside the version"):
        version_materialize(version, tmp_path / "work" / "inner")
    assert not (tmp_path / "outside.txt").exists() and not Path("/abs.txt").exists()


@pytest.mark.parametrize(
    "path", ["../x.json", "/etc/passwd", "a/./b.json", "a//b.json", "a\\..\\b.json", ".git/config"]
)
def test_upload_paths_that_escape_or_alias_are_refused(api, path):
    from tests.helpers import create_model, upload

    create_model(api, "m")
    response = upload(api, "alice/m", [(path, b"{}")])
    assert response.status_code == 400, (path, response.content)
    assert response.json()["error"]
