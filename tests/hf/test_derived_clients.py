"""Derived models load in one line of their library, through HF_ENDPOINT pointing at the hub.

A tiny BERT base is published, fine-tuned here by the text adapter (head-only: a sharded
transformers classifier; LoRA: a peft adapter naming the base repo and revision), the outputs
are published as versions, and the real clients fetch them over HTTP. Each gives the same
logits as the trained model (tolerance 1e-4), and the ONNX export runs from its downloads."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import torch

from adapters.base import HyperParams, TrainRequest
from adapters.registry import get_adapter
from catalog.selectors import version_latest
from tests.hf.test_snippets import page_snippets, run
from tests.standard_models import (
    bert_base,
    colour_zip,
    files_in,
    read_json_in,
    sentence_transformer,
    vit_classifier,
)

pytestmark = pytest.mark.database_independent

TEXTS = {
    "positive": ["good movie", "great movie", "the movie is good", "a great good movie"],
    "negative": ["bad movie", "awful movie", "the movie was bad", "a bad awful movie"],
    "neutral": ["the movie", "a movie is a movie", "movie", "the movie was"],
}
PROBE = ["good great movie", "awful bad", "the"]


def write_dataset(path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        for label, texts in TEXTS.items():
            for text in texts * 3:
                writer.writerow([text, label])
    return path


def finetune(base_dir: Path, base, strategy: str, out: Path, data: Path, key: str = "text"):
    from adapters.formats import model_format

    fmt = model_format(files_in(base_dir), read_json_in(base_dir)).to_dict()
    request = TrainRequest(
        base_dir=base_dir,
        dataset_path=data,
        params=HyperParams.from_dict({"strategy": strategy, "epochs": 3, "max_length": 16}),
        output_dir=out,
        base_format=fmt,
        base_repo={"id": base.model.full_name, "revision": base.revision, "license": "mit"},
        dataset_name="reviews",
    )
    out.mkdir()
    return get_adapter(f"{key}-classification").train(
        request, on_progress=lambda e: None, is_cancelled=lambda: False, log=lambda line: None
    )


def publish_folder(publish, model, folder: Path):
    return publish(model, {p: (folder / p).read_bytes() for p in files_in(folder)})


def local_logits(folder: Path, base_dir: Path | None = None) -> np.ndarray:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    if base_dir is None:
        model = AutoModelForSequenceClassification.from_pretrained(folder)
    else:
        from peft import PeftModel

        labels = {0: "negative", 1: "neutral", 2: "positive"}
        base = AutoModelForSequenceClassification.from_pretrained(base_dir, id2label=labels)
        model = PeftModel.from_pretrained(base, folder)
    with torch.no_grad():
        return model.eval()(**tokenizer(PROBE, padding=True, return_tensors="pt")).logits.numpy()


@pytest.fixture
def published(tmp_path, make_model, publish):
    base_dir = bert_base(tmp_path / "base")
    base_model = make_model("tiny-bert")
    base = publish_folder(publish, base_model, base_dir)
    data = write_dataset(tmp_path / "reviews.csv")
    outputs = {}
    for strategy, name in (("head-only", "tiny-cls"), ("lora", "tiny-lora")):
        out = tmp_path / strategy
        finetune(base_dir, base, strategy, out, data)
        publish_folder(publish, make_model(name), out)
        outputs[strategy] = out
    st_dir = sentence_transformer(tmp_path / "st-base", work=tmp_path / "work")
    st_base = publish_folder(publish, make_model("tiny-st-base"), st_dir)
    finetune(st_dir, st_base, "head-only", tmp_path / "st-head", data)
    publish_folder(publish, make_model("tiny-st"), tmp_path / "st-head")
    vit_dir = vit_classifier(tmp_path / "vit-base")
    vit_base = publish_folder(publish, make_model("tiny-vit"), vit_dir)
    colours = colour_zip(tmp_path / "colours.zip")
    finetune(vit_dir, vit_base, "lora", tmp_path / "vit-lora", colours, key="image")
    publish_folder(publish, make_model("tiny-vit-lora"), tmp_path / "vit-lora")
    return {"base_dir": base_dir, "base": base, **outputs}


def test_pipeline_loads_a_head_only_version_through_the_hub(hub_url, published):
    from transformers import AutoModelForSequenceClassification, pipeline

    model, info = AutoModelForSequenceClassification.from_pretrained(
        "alice/tiny-cls", output_loading_info=True
    )
    assert not info["missing_keys"] and not info["mismatched_keys"]
    assert set(model.config.id2label.values()) == set(TEXTS)
    classify = pipeline("text-classification", model="alice/tiny-cls", device="cpu")
    assert classify(PROBE[0])[0]["label"] in TEXTS
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained("alice/tiny-cls")
    with torch.no_grad():
        remote = model.eval()(**tokenizer(PROBE, padding=True, return_tensors="pt")).logits
    np.testing.assert_allclose(remote.numpy(), local_logits(published["head-only"]), atol=1e-4)


def test_autopeft_loads_a_lora_version_and_its_base_from_the_hub(hub_url, published):
    from peft import AutoPeftModelForSequenceClassification
    from transformers import AutoTokenizer

    labels = {0: "negative", 1: "neutral", 2: "positive"}
    model = AutoPeftModelForSequenceClassification.from_pretrained(
        "alice/tiny-lora", id2label=labels
    )
    tokenizer = AutoTokenizer.from_pretrained("alice/tiny-lora")
    with torch.no_grad():
        remote = model.eval()(**tokenizer(PROBE, padding=True, return_tensors="pt")).logits
    expected = local_logits(published["lora"], base_dir=published["base_dir"])
    np.testing.assert_allclose(remote.numpy(), expected, atol=1e-4)


@pytest.mark.parametrize(("repo", "strategy"), [("tiny-cls", "head-only"), ("tiny-lora", "lora")])
def test_onnx_runs_from_its_downloaded_files(hub_url, published, tmp_path, repo, strategy):
    import onnxruntime as ort
    from huggingface_hub import hf_hub_download
    from transformers import AutoTokenizer

    from catalog.models import Model

    version = version_latest(Model.objects.get(name=repo))
    layout = version.files.get(path="README.md")  # the card says where the graph is
    assert layout is not None
    onnx_path = "onnx/model.onnx" if strategy == "lora" else "model.onnx"
    local = Path(hf_hub_download(f"alice/{repo}", onnx_path, local_dir=tmp_path / "dl"))
    for other in version.files.values_list("path", flat=True):
        if other.endswith(".safetensors") and Path(other).parent == Path(onnx_path).parent:
            hf_hub_download(f"alice/{repo}", other, local_dir=tmp_path / "dl")
    tokenizer = AutoTokenizer.from_pretrained(published[strategy])
    enc = tokenizer(PROBE, padding=True, return_tensors="np")
    session = ort.InferenceSession(str(local), providers=["CPUExecutionProvider"])
    got = session.run(["logits"], {k: enc[k] for k in ("input_ids", "attention_mask")})[0]
    base = published["base_dir"] if strategy == "lora" else None
    np.testing.assert_allclose(got, local_logits(published[strategy], base), atol=1e-4)


@pytest.mark.parametrize(
    ("repo", "key", "expected"),
    [
        ("tiny-cls", "transformers-pipeline", "'label': '"),
        ("tiny-lora", "peft", "tensor"),
        ("tiny-st", "sentence-transformers", "['"),
        ("tiny-vit-lora", "peft", "red|blue"),
        ("tiny-cls", "onnxruntime", "input_ids"),
        ("tiny-lora", "onnxruntime", "input_ids"),
        ("tiny-st", "onnxruntime", "input_ids"),
    ],
)
def test_the_model_pages_snippets_run(hub_url, hf_home, published, repo, key, expected):
    """What "Use this model" shows for a derived version works when copied."""
    snippets = page_snippets(hub_url, f"alice/{repo}")
    out = run(snippets[key], hf_home)
    assert any(word in out for word in expected.split("|")), out


def test_sentence_transformers_loads_the_minilm_starter_through_the_hub(hub_url, db):
    """The starter is the sentence-transformers repository itself: one line loads it, and
    its embeddings are the pip package's."""
    from sentence_transformers import SentenceTransformer

    from adapters.starters.minilm import model_dir
    from tests.catalog.finetune_helpers import MINILM, seed_starter

    seed_starter(MINILM)
    remote = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2", device="cpu")
    local = SentenceTransformer(str(model_dir()), device="cpu")
    sentences = ["A man is eating food.", "The new movie is awesome"]
    np.testing.assert_allclose(remote.encode(sentences), local.encode(sentences), atol=1e-4)
