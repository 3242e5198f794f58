"""Standard `save_pretrained` folders uploaded with the real `HfApi.upload_folder`, no README:
the hub reads task, library, labels and parameter count from the files themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from catalog.models import Model
from tests import standard_models as sm

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Use 'content=:DeprecationWarning"),
]


def upload(hf, repo: str, folder: Path, *, readme: bool = False) -> dict:
    if not readme:
        (folder / "README.md").unlink(missing_ok=True)  # ST and peft write one
    hf.create_repo(repo, exist_ok=True)
    hf.upload_folder(folder_path=folder, repo_id=repo)
    response = APIClient().get(f"/api/models/{repo}")
    assert response.status_code == 200, response.content
    return response.json()


def torch_parameters(folder: Path, auto: str) -> int:
    import transformers

    model = getattr(transformers, auto).from_pretrained(folder)
    return sum(p.numel() for p in model.parameters())


def test_text_classifier(hf, tmp_path):
    folder = sm.bert_classifier(tmp_path / "bert")
    body = upload(hf, "alice/bert-clf", folder)
    assert (body["pipeline_tag"], body["library_name"]) == ("text-classification", "transformers")
    fmt = body["metadata"]["format"]
    assert fmt["labels"] == ["negative", "neutral", "positive"] and fmt["model_type"] == "bert"
    assert {"transformers", "bert", "safetensors"} <= set(body["tags"])
    expected = torch_parameters(folder, "AutoModelForSequenceClassification")
    assert body["metadata"]["parameter_count"] == expected


def test_image_classifier_counts_parameters_not_batchnorm_buffers(hf, tmp_path):
    folder = sm.resnet_classifier(tmp_path / "resnet")
    body = upload(hf, "alice/resnet", folder)
    assert (body["pipeline_tag"], body["library_name"]) == ("image-classification", "transformers")
    assert body["metadata"]["format"]["modality"] == "image"
    expected = torch_parameters(folder, "AutoModelForImageClassification")
    assert body["metadata"]["parameter_count"] == expected


def test_vit_with_image_processor(hf, tmp_path):
    body = upload(hf, "alice/vit", sm.vit_classifier(tmp_path / "vit"))
    assert body["pipeline_tag"] == "image-classification"
    assert body["metadata"]["format"]["labels"] == ["cat", "dog"]
    assert body["metadata"]["format"]["has_image_processor"] is True


def test_sentence_transformers_folder(hf, tmp_path):
    body = upload(hf, "alice/st", sm.sentence_transformer(tmp_path / "st", work=tmp_path))
    assert (body["pipeline_tag"], body["library_name"]) == (
        "sentence-similarity",
        "sentence-transformers",
    )
    assert "1_Pooling/config.json" in {s["rfilename"] for s in body["siblings"]}


def test_sharded_checkpoint(hf, tmp_path):
    folder = sm.bert_classifier(tmp_path / "bert")
    expected = torch_parameters(folder, "AutoModelForSequenceClassification")
    body = upload(hf, "alice/sharded", sm.shard(folder, parts=3))
    fmt = body["metadata"]["format"]
    assert fmt["sharded_index"] == "model.safetensors.index.json" and len(fmt["weights"]) == 3
    assert fmt["missing_shards"] == [] and fmt["problems"] == []
    assert body["metadata"]["parameter_count"] == expected
    assert body["pipeline_tag"] == "text-classification"


def test_peft_adapter_links_to_its_base_on_this_hub(hf, tmp_path):
    base = upload(hf, "alice/base", sm.bert_classifier(tmp_path / "base"))
    folder = sm.peft_lora(tmp_path / "lora", base_repo="alice/base", work=tmp_path)
    body = upload(hf, "alice/lora", folder)
    assert (body["pipeline_tag"], body["library_name"]) == ("text-classification", "peft")
    assert body["metadata"]["format"]["peft_base"] == "alice/base"
    assert body["parent"] == {"id": "alice/base", "version": 1, "sha": base["sha"]}
    assert body["metadata"]["base_model_relation"] == "adapter"
    assert Model.objects.get(name="lora").base_model == "alice/base"


def test_front_matter_wins_and_names_the_base(hf, tmp_path):
    base = upload(hf, "alice/base", sm.bert_base(tmp_path / "base"))
    folder = sm.bert_classifier(tmp_path / "clf")
    (folder / "README.md").write_text(
        "---\npipeline_tag: zero-shot-classification\nlibrary_name: my-lib\n"
        "base_model: alice/base\nbase_model_relation: finetune\n---\n# Tuned\n"
    )
    body = upload(hf, "alice/tuned", folder, readme=True)
    assert (body["pipeline_tag"], body["library_name"]) == ("zero-shot-classification", "my-lib")
    assert body["parent"]["id"] == "alice/base" and body["parent"]["sha"] == base["sha"]
    assert body["metadata"]["base_model_relation"] == "finetune"
    assert body["metadata"]["format"]["task"] == "text-classification"  # still recorded
