"""adapters.formats: library, task, labels and weights from real `save_pretrained` folders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.formats import ModelFormat, model_format
from tests import standard_models as sm


def detect(folder: Path) -> ModelFormat:
    return model_format(sm.files_in(folder), sm.read_json_in(folder))


def test_bert_sequence_classifier(tmp_path):
    fmt = detect(sm.bert_classifier(tmp_path / "m"))
    assert (fmt.library, fmt.task, fmt.model_type) == (
        "transformers",
        "text-classification",
        "bert",
    )
    assert fmt.architectures == ("BertForSequenceClassification",)
    assert fmt.labels == ("negative", "neutral", "positive")
    assert fmt.modality == "text" and fmt.has_tokenizer and not fmt.has_image_processor
    assert fmt.weights == ("model.safetensors",) and fmt.sharded_index is None
    assert not fmt.pickle_only and not fmt.custom_code and fmt.problems == ()


@pytest.mark.parametrize(
    ("build", "task", "model_type", "labels"),
    [
        (sm.bert_base, "feature-extraction", "bert", ()),
        (sm.roberta_mlm, "fill-mask", "roberta", ()),
        (sm.distilbert_tokens, "token-classification", "distilbert", ("O", "PER")),
        (sm.deberta_qa, "question-answering", "deberta-v2", ()),
    ],
)
def test_text_heads(tmp_path, build, task, model_type, labels):
    fmt = detect(build(tmp_path / "m"))
    assert (fmt.library, fmt.task, fmt.model_type, fmt.labels) == (
        "transformers",
        task,
        model_type,
        labels,
    )
    assert fmt.modality == "text" and fmt.problems == ()


@pytest.mark.parametrize(
    ("build", "model_type", "labels"),
    [
        (sm.vit_classifier, "vit", ("cat", "dog")),
        (sm.convnext_classifier, "convnext", ("LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3")),
        (sm.resnet_classifier, "resnet", ("LABEL_0", "LABEL_1")),
    ],
)
def test_image_classifiers(tmp_path, build, model_type, labels):
    fmt = detect(build(tmp_path / "m"))
    assert (fmt.library, fmt.task, fmt.model_type) == (
        "transformers",
        "image-classification",
        model_type,
    )
    assert fmt.modality == "image" and fmt.labels == labels and not fmt.has_tokenizer
    assert fmt.has_image_processor is (model_type == "vit")


def test_sentence_transformers_folder(tmp_path):
    fmt = detect(sm.sentence_transformer(tmp_path / "st", work=tmp_path))
    assert (fmt.library, fmt.task, fmt.model_type) == (
        "sentence-transformers",
        "sentence-similarity",
        "bert",
    )
    assert fmt.modality == "text" and fmt.weights == ("model.safetensors",)
    assert fmt.problems == ()


def test_peft_lora_adapter(tmp_path):
    fmt = detect(sm.peft_lora(tmp_path / "lora", base_repo="alice/base", work=tmp_path))
    assert (fmt.library, fmt.task) == ("peft", "text-classification")
    assert fmt.peft_base == "alice/base" and fmt.weights == ("adapter_model.safetensors",)
    assert fmt.problems == ()


def test_timm_folder(tmp_path):
    fmt = detect(sm.timm_folder(tmp_path / "t"))
    assert (fmt.library, fmt.task, fmt.modality) == ("timm", "image-classification", "image")
    assert fmt.architectures == ("resnet10t",) and fmt.labels == ("cat", "dog")


def test_hub_legacy_and_onnx_only():
    config = {
        "hub_format": 1,
        "architecture": "bert",
        "task": "text-classification",
        "labels": ["a", "b"],
        "preprocessing": {"type": "text"},
    }
    fmt = model_format(
        ["config.json", "backbone.safetensors", "head.safetensors"],
        {"config.json": config}.__getitem__,
    )
    assert (fmt.library, fmt.task, fmt.modality, fmt.labels) == (
        "hub-legacy",
        "text-classification",
        "text",
        ("a", "b"),
    )
    assert fmt.weights == ("backbone.safetensors", "head.safetensors")
    onnx = model_format(["model.onnx", "README.md"], {}.__getitem__)
    assert onnx.library == "onnx" and onnx.task is None and onnx.weights == ()


def test_sharded_checkpoint_and_missing_shard(tmp_path):
    folder = sm.shard(sm.bert_classifier(tmp_path / "m"), parts=2)
    fmt = detect(folder)
    assert fmt.sharded_index == "model.safetensors.index.json"
    assert fmt.weights == ("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")
    assert fmt.missing_shards == () and fmt.problems == ()
    (folder / "model-00002-of-00002.safetensors").unlink()
    broken = detect(folder)
    assert broken.missing_shards == ("model-00002-of-00002.safetensors",)
    assert any("model-00002-of-00002.safetensors" in p for p in broken.problems)


def test_malformed_config(tmp_path):
    folder = sm.bert_classifier(tmp_path / "m")
    (folder / "config.json").write_text('{"model_type": "bert",')
    fmt = detect(folder)
    assert fmt.library is None and fmt.task is None
    assert any(p.startswith("config.json could not be read") for p in fmt.problems)


@pytest.mark.parametrize(
    ("path", "content", "problem"),
    [
        ("config.json", "[]", "config.json must hold a JSON object."),
        ("modules.json", "{}", "modules.json must hold a JSON list."),
    ],
)
def test_json_of_the_wrong_kind(path, content, problem):
    files = {"config.json": '{"model_type": "bert"}', "modules.json": "[]", path: content}
    fmt = model_format(files, lambda name: json.loads(files[name]))
    assert problem in fmt.problems


def test_unknown_model_type_and_auto_map(tmp_path):
    folder = sm.bert_classifier(tmp_path / "m")
    config = json.loads((folder / "config.json").read_text())
    config.update(model_type="my-new-arch", auto_map={"AutoModel": "modeling_x.MyModel"})
    (folder / "config.json").write_text(json.dumps(config))
    fmt = detect(folder)
    assert fmt.library == "transformers" and fmt.custom_code
    assert any("my-new-arch" in p for p in fmt.problems)


def test_tokenizer_auto_map_is_custom_code(tmp_path):
    folder = sm.bert_classifier(tmp_path / "m")
    tokenizer = json.loads((folder / "tokenizer_config.json").read_text())
    tokenizer["auto_map"] = {"AutoTokenizer": ["tok.MyTokenizer", None]}
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer))
    assert detect(folder).custom_code


def test_pickle_only(tmp_path):
    folder = sm.bert_classifier(tmp_path / "m", tokenizer=False)
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    fmt = detect(folder)
    assert fmt.pickle_only and fmt.weights == () and fmt.library == "transformers"


def test_round_trip_dict(tmp_path):
    fmt = detect(sm.vit_classifier(tmp_path / "m"))
    data = json.loads(json.dumps(fmt.to_dict()))
    assert ModelFormat.from_dict(data) == fmt
    assert ModelFormat.from_dict({"library": "onnx", "future_key": 1}).library == "onnx"


def test_detection_never_imports_torch():
    code = (
        "import sys; from adapters.formats import model_format; "
        "f = model_format(['config.json'], lambda p: {'model_type': 'bert', "
        "'architectures': ['BertModel']}); "
        "assert f.task == 'feature-extraction', f; "
        "assert 'torch' not in sys.modules and 'django' not in sys.modules"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
