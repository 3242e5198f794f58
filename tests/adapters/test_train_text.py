"""Real text fine-tuning (adapters.classify.text) on tiny random encoders, plus one run on
the real all-MiniLM-L6-v2 starter. Each (base, strategy) trains once per session."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors import safe_open

from adapters import demo_data
from adapters.base import Cancelled, DatasetError
from adapters.registry import get_adapter
from tests import standard_models as sm

from . import finetune_helpers as fh
from .helpers import Recorder

pytestmark = pytest.mark.training
KEY = "text-classification"
CLASSES = ["negative", "neutral", "positive"]
WORDS = {
    "negative": ["bad", "awful"],
    "neutral": ["the", "a", "is", "was"],
    "positive": ["good", "great", "fine"],
}
ATOL = 1e-4
# Few epochs and tiny batches: these runs check plumbing and formats, not accuracy.
FAST = {"epochs": 2, "batch_size": 8, "max_length": 32}


# ---- tiny bases (2-layer BERT so last-k has a frozen layer below the trained one) ----------


def bert2(out: Path) -> Path:
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(**{**sm.TEXT, "hidden_size": 32, "intermediate_size": 64,
                           "num_hidden_layers": 2, "num_attention_heads": 4})  # fmt: skip
    BertModel(config).save_pretrained(out)
    sm.tokenizer_save(out)
    return out


def with_tokenizer(build):
    def make(out: Path) -> Path:
        build(out)
        sm.tokenizer_save(out)
        return out

    return make


BASES = {
    "bert": bert2,
    "roberta": with_tokenizer(sm.roberta_mlm),  # a fill-mask base
    "distilbert": with_tokenizer(sm.distilbert_tokens),  # a token classifier: head replaced
    "deberta": with_tokenizer(sm.deberta_qa),  # a QA model; DeBERTa's head has a pooler
}
CASES = [
    ("bert", "head-only"),
    ("bert", "lora"),
    ("bert", "last-k"),
    ("bert", "full"),
    ("roberta", "head-only"),
    ("roberta", "lora"),
    ("distilbert", "head-only"),
    ("deberta", "head-only"),
    ("deberta", "lora"),
]


def toy_rows(per_class: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(per_class):
        for label in CLASSES:
            words = [rng.choice(WORDS[label]) for _ in range(rng.randint(3, 6))]
            rows.append((" ".join([*words, "movie"]), label))
    return rows


SAMPLE = [text for text, _ in toy_rows(3, seed=99)] + ["good", "bad awful movie was bad"]


@pytest.fixture(scope="session")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("text-train")


@pytest.fixture(scope="session")
def toy_csv(work) -> Path:
    return demo_data.write_text_csv(work / "toy.csv", toy_rows(12, seed=1))


@pytest.fixture(scope="session")
def bases(work):
    return fh.cached_bases(BASES, work)


@pytest.fixture(scope="session")
def trained(work, bases, toy_csv):
    """(base dir, result, recorder, output dir) for a case, trained on first use."""
    return fh.cached_runs(KEY, bases, toy_csv, work, **FAST)


def tokenized(folder: Path) -> dict:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(folder)
    enc = tok(SAMPLE, padding=True, truncation=True, max_length=32, return_tensors="pt")
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}


def load_published(base: Path, out: Path):
    """The output loaded with the library its card names."""
    from transformers import AutoModelForSequenceClassification

    library = fh.front_matter(out)["library_name"]
    if library == "transformers":
        model, info = AutoModelForSequenceClassification.from_pretrained(
            out, output_loading_info=True
        )
        assert not info["missing_keys"] and not info["mismatched_keys"], info
    else:
        from peft import PeftModel

        assert library == "peft"
        labels = fh.id2label(out)
        body = AutoModelForSequenceClassification.from_pretrained(
            base, num_labels=len(labels), id2label=dict(enumerate(labels))
        )
        model = PeftModel.from_pretrained(body, out)
    return model.eval()


# ---- every case ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "strategy"), CASES)
def test_output_loads_and_matches_its_onnx(trained, name, strategy):
    base, result, recorder, out = trained(name, strategy)
    assert fh.id2label(out) == CLASSES
    assert result.metrics["estimate"]["labels"] == CLASSES
    model = load_published(base, out)
    assert [model.config.id2label[i] for i in range(3)] == CLASSES
    inputs = tokenized(out)
    with torch.no_grad():
        expected = model(**inputs).logits.numpy()
    got = fh.onnx_logits(fh.onnx_path(out, result), inputs)
    assert got.shape == (len(SAMPLE), 3)
    np.testing.assert_allclose(got, expected, atol=ATOL, rtol=0)
    fh.assert_onnx_links_into_folder(fh.onnx_path(out, result))
    curve = [p for p in recorder.progress if p.curve]  # the first run's epochs, measured
    assert [p.epoch for p in curve] == [1, 2] and all(p.val_loss is not None for p in curve)
    last = recorder.progress[-1]
    assert last.epoch == last.epochs == len(recorder.progress)  # every run counts


@pytest.mark.parametrize(("name", "strategy"), CASES)
def test_card_and_detected_format(trained, name, strategy):
    _, result, _, out = trained(name, strategy)
    library = "peft" if strategy == "lora" else "transformers"
    relation = "adapter" if strategy == "lora" else "finetune"
    fh.assert_card(out, result, library=library, relation=relation, task=KEY, dataset="toy")
    assert result.layout["library"] == library and result.layout["pipeline_tag"] == KEY
    fmt = fh.detect(out)
    assert fmt.library == library and fmt.problems == () and not fmt.missing_shards
    assert fmt.task == KEY and list(fmt.labels) == CLASSES
    assert sorted(result.files) == sm.files_in(out)
    if strategy == "lora":
        config = json.loads((out / "adapter_config.json").read_text())
        assert config["base_model_name_or_path"] == fh.BASE_REPO["id"]
        assert config["revision"] == fh.BASE_REPO["revision"]
        assert fmt.peft_base == fh.BASE_REPO["id"]


@pytest.mark.parametrize(("name", "strategy"), [c for c in CASES if c[1] != "lora"])
def test_transformers_pipeline_predicts_dataset_labels(trained, name, strategy):
    from transformers import pipeline

    _, _, _, out = trained(name, strategy)
    alone = shutil.copytree(out, out.parent / f"{out.name}-alone")  # the folder is enough
    predictions = pipeline(KEY, model=str(alone), device="cpu")(SAMPLE[:3])
    assert {p["label"] for p in predictions} <= set(CLASSES)


# ---- storage -------------------------------------------------------------------------------


def finetuned_keys(out: Path) -> list[str]:
    with safe_open(str(out / "model-finetuned.safetensors"), framework="pt") as fh_:
        return list(fh_.keys())


@pytest.mark.parametrize(
    ("name", "heads"),
    [
        ("bert", ("classifier.",)),
        ("roberta", ("classifier.",)),
        ("distilbert", ("pre_classifier.", "classifier.")),
        ("deberta", ("pooler.", "classifier.")),
    ],
)
def test_head_only_shares_the_base_weight_file(trained, name, heads):
    base, _, _, out = trained(name, "head-only")
    shard = out / "model-00001-of-00002.safetensors"
    assert fh.sha256(shard) == fh.sha256(base / "model.safetensors")
    keys = finetuned_keys(out)
    assert keys and all(k.startswith(heads) for k in keys), keys
    assert (out / "model-finetuned.safetensors").stat().st_size < shard.stat().st_size / 10
    index = json.loads((out / "model.safetensors.index.json").read_text())
    assert set(index["weight_map"].values()) == {shard.name, "model-finetuned.safetensors"}
    assert {k for k, f in index["weight_map"].items() if f == "model-finetuned.safetensors"} == (
        set(keys)
    )
    assert not (out / "model.safetensors").exists()


def test_last_k_stores_only_the_last_layer_and_head(trained):
    base, _, _, out = trained("bert", "last-k")
    assert fh.sha256(out / "model-00001-of-00002.safetensors") == fh.sha256(
        base / "model.safetensors"
    )
    keys = finetuned_keys(out)
    assert any(k.startswith("bert.encoder.layer.1.") for k in keys)
    assert any(k.startswith("classifier.") for k in keys)
    assert not any("embeddings" in k or "encoder.layer.0." in k for k in keys), keys
    base_size = (base / "model.safetensors").stat().st_size
    assert (out / "model-finetuned.safetensors").stat().st_size < base_size * 0.6


def test_full_is_a_plain_checkpoint(trained):
    _, result, _, out = trained("bert", "full")
    assert (out / "model.safetensors").is_file() and not (
        out / "model-finetuned.safetensors"
    ).exists()
    assert result.layout["storage"] == "full"


@pytest.mark.parametrize("name", ["bert", "roberta", "deberta"])
def test_lora_adds_few_new_bytes(trained, name):
    base, _, _, out = trained(name, "lora")
    assert fh.sha256(out / "onnx/model.safetensors") == fh.sha256(base / "model.safetensors")
    assert fh.sha256(out / "onnx/adapter_model.safetensors") == fh.sha256(
        out / "adapter_model.safetensors"
    )
    assert not (out / "model.safetensors").exists()
    weights = (out / "adapter_model.safetensors").stat().st_size
    assert weights < (base / "model.safetensors").stat().st_size / 3
    # The base's weights are not stored again: new bytes are the adapter, configs, the graph
    # (whose own size is structure; its weights are linked, checked above) and the card and
    # metrics.json, whose size does not grow with the model.
    fixed = sum((out / name).stat().st_size for name in ("onnx/model.onnx", *fh.DOCUMENTS))
    assert fh.new_bytes(out, base) - fixed < (base / "model.safetensors").stat().st_size / 2


# ---- determinism and cancellation ----------------------------------------------------------


def test_same_request_gives_the_same_bytes(trained, bases, toy_csv, work):
    _, _, _, first = trained("bert", "head-only")
    again = work / "again"
    fh.train(KEY, bases("bert"), toy_csv, again, strategy="head-only", **FAST)
    for name in ("model-finetuned.safetensors", "model.safetensors.index.json", "config.json"):
        assert (again / name).read_bytes() == (first / name).read_bytes(), name


@pytest.mark.parametrize("strategy", ["head-only", "full"])
def test_cancel_raises_and_writes_no_model(bases, toy_csv, work, strategy):
    out = work / f"cancelled-{strategy}"
    req = fh.request(KEY, bases("bert"), toy_csv, out, "toy", strategy=strategy, **FAST)
    recorder = Recorder(cancel_after=2)
    with pytest.raises(Cancelled):
        get_adapter(KEY).train(req, **recorder.hooks())
    assert recorder.checks == 3 and recorder.progress == []
    assert sorted(p.name for p in out.rglob("*")) == []


# ---- the real MiniLM starter (sentence-transformers head-only) ------------------------------


@pytest.fixture(scope="session")
def minilm_run(minilm_dir, work):
    train_rows, test_rows = demo_data.bbc_split(train_per_class=15, test_per_class=10, seed=3)
    csv = demo_data.write_text_csv(work / "bbc.csv", train_rows)
    out = work / "minilm-head"
    result, _ = fh.train(KEY, minilm_dir, csv, out, dataset="bbc-news", max_length=128)
    return result, out, test_rows


def test_minilm_head_classifies_held_out_news(minilm_run, minilm_dir):
    from sentence_transformers import SentenceTransformer

    result, out, test_rows = minilm_run
    topics = ["business", "entertainment", "politics", "sports", "tech"]
    assert fh.id2label(out) == topics == result.metrics["estimate"]["labels"]
    model = SentenceTransformer(str(out), device="cpu")
    model.max_seq_length = 128
    logits = model.encode([t for t, _ in test_rows], convert_to_numpy=True)
    assert logits.shape == (len(test_rows), 5)
    predicted = [topics[i] for i in logits.argmax(1)]
    accuracy = np.mean([p == y for p, (_, y) in zip(predicted, test_rows, strict=True)])
    assert accuracy >= 0.8, accuracy  # chance is 0.2
    fh.assert_card(
        out, result, library="sentence-transformers", relation="finetune", task=KEY,
        dataset="bbc-news",
    )  # fmt: skip


def test_minilm_head_keeps_base_files_and_matches_onnx(minilm_run, minilm_dir):
    from sentence_transformers import SentenceTransformer
    from transformers import AutoTokenizer

    _, out, test_rows = minilm_run
    rewritten = ("README.md", "config.json", "modules.json")  # card; labels; + Dense
    for src in minilm_dir.rglob("*"):
        rel = src.relative_to(minilm_dir)
        if src.is_file() and rel.name not in rewritten and not rel.name.endswith(".onnx"):
            assert fh.sha256(out / rel) == fh.sha256(src), rel
    dense = [p for p in out.iterdir() if p.name.endswith("_Dense")]
    assert len(dense) == 1 and (dense[0] / "config.json").is_file()
    modules = json.loads((out / "modules.json").read_text())
    assert modules[-1]["path"] == dense[0].name
    fmt = fh.detect(out)
    assert fmt.library == "sentence-transformers" and fmt.problems == ()
    texts = [t for t, _ in test_rows[:4]]
    enc = AutoTokenizer.from_pretrained(out)(
        texts, padding=True, truncation=True, max_length=128, return_tensors="pt"
    )
    inputs = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}
    model = SentenceTransformer(str(out), device="cpu")
    model.max_seq_length = 128
    expected = model.encode(texts, convert_to_numpy=True)
    got = fh.onnx_logits(out / "model.onnx", inputs)
    np.testing.assert_allclose(got, expected, atol=ATOL, rtol=0)
    fh.assert_onnx_links_into_folder(out / "model.onnx")


# ---- how the figures are measured -----------------------------------------------------------


def unseen_rows(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Rows no training row equals: the toy texts all end in "movie"."""
    return [(text.replace("movie", "film"), label) for text, label in rows]


@pytest.fixture(scope="session")
def with_test_set(work, bases, toy_csv):
    """bert head-only with a disjoint test set: (result, output dir, test rows)."""
    rows = unseen_rows(toy_rows(3, seed=5))
    test_csv = demo_data.write_text_csv(work / "test.csv", rows)
    out = work / "out" / "with-test-set"
    req = fh.request(KEY, bases("bert"), toy_csv, out, "toy", strategy="head-only", **FAST)
    req.test_path, req.test_name = test_csv, "my-test"
    result = get_adapter(KEY).train(req, **Recorder().hooks())
    return result, out, rows


def row_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_test_set_is_never_trained_on(with_test_set, toy_csv):
    result, _, rows = with_test_set
    train_rows = toy_rows(12, seed=1)
    assert {row_hash(t) for t, _ in rows}.isdisjoint(row_hash(t) for t, _ in train_rows)
    test = result.metrics["test_set"]
    assert test["n"] == len(rows) and test["procedure"]["kind"] == "test_set"
    # Rows whose content the optimizer was fed, hashed by the adapter: none of the test set's.
    assert test["procedure"]["rows_seen_in_training"] == 0
    assert result.training["examples_trained"] == len(train_rows)
    assert not any("training" in w for w in test["warnings"])
    assert sum(map(sum, test["confusion_matrix"])) == len(rows)


def test_small_head_only_sets_get_a_cross_validated_estimate(with_test_set):
    result, _, _ = with_test_set
    estimate = result.metrics["estimate"]
    assert estimate["procedure"] == {
        "kind": "cv", "folds": 5, "shipped": "all", "trained_on": 36, "n": 36,
        "description": "5-fold CV estimate of the procedure that trained this model, n=36",
    }  # fmt: skip
    assert [b["name"] for b in estimate["baselines"]] == ["majority", "tfidf_logreg"]
    # Balanced classes: each fold's training majority is a class the fold holds less of.
    assert estimate["baselines"][0]["accuracy"]["value"] <= 1 / 3
    # n=36: the interval is wide and the page must say so.
    assert estimate["accuracy"]["high"] - estimate["accuracy"]["low"] > 0.2
    assert any(w.startswith("interval wider than 10 points") for w in estimate["warnings"])
    assert result.training["timings"]["fits"] == 5.0  # 5 folds of 4/5 + the shipped fit


@pytest.mark.parametrize("strategy", ["lora", "last-k", "full"])
def test_body_training_strategies_measure_one_hold_out_run(trained, strategy):
    _, result, _, _ = trained("bert", strategy)
    procedure = result.metrics["estimate"]["procedure"]
    assert procedure["kind"] == "holdout" and procedure["shipped"] == "all"
    assert procedure["n"] == 6 and procedure["trained_on"] == 36  # 20% judged, then all
    assert result.training["timings"]["fits"] == 1.833  # 30/36 + 1: within 2x a single fit
    assert result.training["examples_trained"] == 36


def test_a_hold_out_split_on_request_ships_the_measured_model(bases, toy_csv, work):
    out = work / "out" / "holdout"
    result, _ = fh.train(
        KEY, bases("bert"), toy_csv, out, strategy="head-only", evaluation="holdout", **FAST
    )
    procedure = result.metrics["estimate"]["procedure"]
    assert procedure["kind"] == "holdout" and procedure["shipped"] == "split"
    assert procedure["trained_on"] == result.training["examples_trained"] == 30
    assert "hold-out estimate of this very model" in procedure["description"]


def test_a_test_set_equal_to_the_training_set_is_flagged(bases, toy_csv, work):
    out = work / "out" / "same-test"
    req = fh.request(KEY, bases("bert"), toy_csv, out, "toy", strategy="head-only", **FAST)
    req.test_path, req.test_name = toy_csv, "toy"
    result = get_adapter(KEY).train(req, **Recorder().hooks())
    test = result.metrics["test_set"]
    assert test["warnings"][0].startswith("test set is the training set")
    assert test["procedure"]["rows_seen_in_training"] == 36


def test_test_labels_outside_the_training_labels_are_refused(bases, toy_csv, work):
    rows = [("a great film", "positive"), ("so so", "mixed"), ("meh", "bored")]
    test_csv = demo_data.write_text_csv(work / "bad-test.csv", rows * 2)
    req = fh.request(KEY, bases("bert"), toy_csv, work / "bad", "toy", strategy="head-only")
    req.test_path = test_csv
    with pytest.raises(DatasetError, match="labels the training data does not: 'bored', 'mixed'"):
        get_adapter(KEY).train(req, **Recorder().hooks())


def test_model_index_round_trips_through_huggingface_hub(with_test_set):
    from huggingface_hub import ModelCard, metadata_load

    result, out, _ = with_test_set
    card = ModelCard.load(out / "README.md")
    results = card.data.eval_results
    assert [r.dataset_name for r in results] == ["my-test"] * 2 + ["toy"] * 2  # test set first
    assert metadata_load(out / "README.md")["model-index"] == fh.front_matter(out)["model-index"]
    for report, pair in ((result.metrics["test_set"], results[:2]),
                         (result.metrics["estimate"], results[2:])):  # fmt: skip
        accuracy, f1 = pair
        assert (accuracy.metric_type, f1.metric_type) == ("accuracy", "f1")
        assert accuracy.metric_value == report["accuracy"]["value"]
        assert f1.metric_value == report["macro_f1"]["value"]
        interval = [report["accuracy"]["low"], report["accuracy"]["high"]]
        assert accuracy.metric_args["confidence_interval"] == interval
        assert accuracy.metric_args["n"] == report["n"]
        assert f1.metric_args["average"] == "macro"
    assert results[0].dataset_split == "test" and results[2].dataset_split.startswith("train")
    # The card can be written back by the client and still say the same.
    again = ModelCard(str(card))
    assert [r.metric_value for r in again.data.eval_results] == [r.metric_value for r in results]
