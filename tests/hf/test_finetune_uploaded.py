"""What users upload from their tools is fine-tunable: tiny standard models pushed with
`upload_folder` (no README), fine-tuned through `POST /api/finetunes` by a real worker, and
the result loads in one line of its library. What cannot be trained is refused with why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from tests.catalog.finetune_helpers import dataset_upload, download_version, wait_for_job
from tests.hf.test_derived_clients import write_dataset
from tests.standard_models import bert_base, colour_zip, sentence_transformer, vit_classifier

pytestmark = [pytest.mark.training, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
TERMINAL = {"succeeded", "failed", "cancelled"}


def finetune(api, repo: str, data: Path, adapter: str, params: dict, target: str) -> dict:
    dataset = dataset_upload(api, data, adapter)
    assert dataset.status_code == 201, dataset.content
    submitted = api.post(
        "/api/finetunes",
        {
            "model": repo,
            "dataset": dataset.json()["id"],
            "adapter": adapter,
            "target_name": target,
            "params": params,
        },
        format="json",
    )
    assert submitted.status_code == 202, submitted.content
    job = wait_for_job(api, submitted.json()["id"], TERMINAL, timeout=240)
    assert job["status"] == "succeeded", job
    return job


def test_uploaded_bert_vit_and_sentence_transformer_fine_tune(hf, api, live_worker, tmp_path):
    from sentence_transformers import SentenceTransformer
    from transformers import pipeline

    for name, folder in (
        ("bert", bert_base(tmp_path / "bert")),
        ("vit", vit_classifier(tmp_path / "vit")),
        ("st", sentence_transformer(tmp_path / "st", work=tmp_path / "work")),
    ):
        hf.create_repo(f"alice/{name}")
        hf.upload_folder(repo_id=f"alice/{name}", folder_path=folder)
    assert api.get("/api/models/alice/bert").json()["library_name"] == "transformers"
    assert api.get("/api/models/alice/st").json()["library_name"] == "sentence-transformers"
    assert api.get("/api/models/alice/vit").json()["pipeline_tag"] == "image-classification"

    reviews = write_dataset(tmp_path / "reviews.csv")
    job = finetune(
        api, "alice/bert", reviews, "text-classification",
        {"strategy": "lora", "epochs": 2, "max_length": 16}, "bert-reviews",
    )  # fmt: skip
    adapter_config = api.get("/alice/bert-reviews/resolve/main/adapter_config.json")
    config = json.loads(b"".join(adapter_config.streaming_content))
    assert config["base_model_name_or_path"] == "alice/bert"
    assert config["revision"] == api.get("/api/models/alice/bert").json()["sha"]
    assert job["result"]["id"] == "alice/bert-reviews"

    finetune(api, "alice/vit", colour_zip(tmp_path / "colours.zip"), "image-classification",
             {"epochs": 10, "learning_rate": 0.05}, "vit-colours")  # fmt: skip
    folder = download_version(api, "alice/vit-colours", "main", tmp_path / "vit-out")
    classify = pipeline("image-classification", model=str(folder), device="cpu")
    assert classify(Image.new("RGB", (24, 24), (210, 30, 30)))[0]["label"] in {"red", "blue"}
    assert set(json.loads((folder / "config.json").read_text())["id2label"].values()) == {
        "red",
        "blue",
    }

    finetune(api, "alice/st", reviews, "text-classification", {"epochs": 5}, "st-reviews")
    folder = download_version(api, "alice/st-reviews", "main", tmp_path / "st-out")
    model = SentenceTransformer(str(folder), device="cpu")
    assert model.encode(["good movie"]).shape == (1, 3)
    info = api.get("/api/models/alice/st-reviews").json()
    assert info["library_name"] == "sentence-transformers"
    assert info["pipeline_tag"] == "text-classification"


REFUSALS = {
    "custom code": ("auto_map", "custom code"),
    "pickled weights": ("pickle", "convert them to safetensors"),
    "no tokenizer": ("no-tokenizer", "tokenizer"),
}


def refusal_folder(kind: str, tmp_path: Path) -> Path:
    folder = bert_base(tmp_path / kind)
    if kind == "auto_map":
        config = json.loads((folder / "config.json").read_text())
        config["auto_map"] = {"AutoModel": "modeling_evil.EvilModel"}
        (folder / "config.json").write_text(json.dumps(config))
    elif kind == "pickle":
        (folder / "model.safetensors").unlink()
        (folder / "pytorch_model.bin").write_bytes(b"not a real pickle, never read")
    elif kind == "no-tokenizer":
        for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt"):
            (folder / name).unlink(missing_ok=True)
        (folder / "special_tokens_map.json").unlink(missing_ok=True)
    return folder


@pytest.mark.parametrize("case", list(REFUSALS))
def test_what_cannot_be_trained_is_refused_with_why(hf, api, tmp_path, case):
    kind, phrase = REFUSALS[case]
    folder = refusal_folder(kind, tmp_path)
    hf.create_repo(f"alice/{kind}")
    try:
        hf.upload_folder(repo_id=f"alice/{kind}", folder_path=folder)
    except Exception as exc:  # the upload scanner may refuse the file itself: also fine
        assert "pickle" in str(exc).lower() or "unsafe" in str(exc).lower(), exc
        return
    dataset = dataset_upload(api, write_dataset(tmp_path / "d.csv"), "text-classification")
    response = api.post(
        "/api/finetunes",
        {"model": f"alice/{kind}", "dataset": dataset.json()["id"],
         "adapter": "text-classification"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400, response.content
    assert phrase in response.json()["error"], response.json()
    page = api.get(f"/alice/{kind}").content.decode()
    assert phrase in page
