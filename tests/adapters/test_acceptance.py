"""Which folders the adapters accept, and why they refuse the rest (JSON only, no training)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.acceptance import ONNX_REASON
from adapters.registry import adapter_choices, get_adapter, why_not_finetunable
from tests import standard_models as sm

from .finetune_helpers import detect

TEXT = get_adapter("text-classification")
IMAGE = get_adapter("image-classification")


def fmt(folder: Path) -> dict:
    return detect(folder).to_dict()


def edit_config(folder: Path, **changes) -> Path:
    path = folder / "config.json"
    config = json.loads(path.read_text())
    config.update(changes)
    path.write_text(json.dumps(config))
    return folder


def test_tiny_encoders_and_vision_models_are_accepted(tmp_path):
    assert TEXT.accepts(fmt(sm.bert_base(tmp_path / "bert"))) is None
    assert TEXT.accepts(fmt(sm.bert_classifier(tmp_path / "cls"))) is None
    st = fmt(sm.sentence_transformer(tmp_path / "st", work=tmp_path))
    assert TEXT.accepts(st) is None
    vit = fmt(sm.vit_classifier(tmp_path / "vit"))
    assert IMAGE.accepts(vit) is None
    assert TEXT.accepts(vit) == "not a text model (image)"
    assert IMAGE.accepts(fmt(sm.bert_base(tmp_path / "bert2"))) == "not an image model"


def test_malformed_config(tmp_path):
    folder = sm.bert_base(tmp_path / "m")
    (folder / "config.json").write_text("{not json")
    reason = TEXT.accepts(fmt(folder))
    assert reason and "config.json could not be read" in reason


def test_unknown_model_type(tmp_path):
    folder = edit_config(sm.bert_base(tmp_path / "m"), model_type="bert-from-the-future")
    reason = TEXT.accepts(fmt(folder))
    assert "'bert-from-the-future' is unknown to the installed transformers" in reason


def test_auto_map_means_custom_code(tmp_path):
    folder = edit_config(sm.bert_base(tmp_path / "m"), auto_map={"AutoModel": "mine.Model"})
    reason = TEXT.accepts(fmt(folder))
    assert "auto_map" in reason and "custom code" in reason


def test_pickle_only_weights(tmp_path):
    folder = sm.bert_base(tmp_path / "m")
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    reason = TEXT.accepts(fmt(folder))
    assert "pytorch_model.bin" in reason and "convert them to safetensors" in reason


def test_sharded_checkpoint_missing_a_shard(tmp_path):
    folder = sm.shard(sm.bert_base(tmp_path / "m"))
    assert TEXT.accepts(fmt(folder)) is None
    (folder / "model-00002-of-00002.safetensors").unlink()
    reason = TEXT.accepts(fmt(folder))
    assert "model-00002-of-00002.safetensors" in reason


def test_no_safetensors_at_all(tmp_path):
    folder = sm.bert_base(tmp_path / "m")
    (folder / "model.safetensors").unlink()
    assert TEXT.accepts(fmt(folder)) == "it has no safetensors weights"


def test_text_model_without_tokenizer(tmp_path):
    reason = TEXT.accepts(fmt(sm.roberta_mlm(tmp_path / "m")))
    assert reason and reason.startswith("it has no tokenizer files")


def test_image_model_without_preprocessor(tmp_path):
    folder = sm.vit_classifier(tmp_path / "m")
    (folder / "preprocessor_config.json").unlink()
    reason = IMAGE.accepts(fmt(folder))
    assert "preprocessor_config.json" in reason
    convnext = fmt(sm.convnext_classifier(tmp_path / "c"))  # saved without one
    assert "preprocessor_config.json" in IMAGE.accepts(convnext)


def test_decoder_refused_for_text(tmp_path):
    from transformers import GPT2Config, GPT2LMHeadModel

    folder = tmp_path / "gpt2"
    GPT2LMHeadModel(GPT2Config(n_embd=16, n_layer=1, n_head=2, vocab_size=20)).save_pretrained(
        folder
    )
    sm.tokenizer_save(folder)
    reason = TEXT.accepts(fmt(folder))
    assert "'gpt2' is not a text encoder" in reason


def test_hub_legacy_refused(tmp_path):
    folder = tmp_path / "legacy"
    folder.mkdir()
    config = {"hub_format": 1, "task": "text-classification", "architecture": "bert",
              "preprocessing": {"type": "text"}, "labels": ["a", "b"]}  # fmt: skip
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "model.safetensors").write_bytes(b"")
    f = fmt(folder)
    assert f["library"] == "hub-legacy"
    assert "legacy format 1" in TEXT.accepts(f)
    assert "legacy format 1" in why_not_finetunable(f)


def test_onnx_refused(tmp_path):
    folder = tmp_path / "onnx"
    folder.mkdir()
    (folder / "model.onnx").write_bytes(b"")
    f = fmt(folder)
    assert f["library"] == "onnx"
    assert TEXT.accepts(f) == IMAGE.accepts(f) == ONNX_REASON
    assert adapter_choices(f) == [] and why_not_finetunable(f) == ONNX_REASON


def test_peft_adapter_refused(tmp_path):
    f = fmt(sm.peft_lora(tmp_path / "lora", base_repo="o/b", work=tmp_path))
    assert TEXT.accepts(f) == "this is an adapter; fine-tune its base model instead"


def test_timm_refused(tmp_path):
    f = fmt(sm.timm_folder(tmp_path / "timm"))
    assert IMAGE.accepts(f) == "no fine-tuning adapter for timm models"
    assert why_not_finetunable(f) == "no fine-tuning adapter for timm models"


@pytest.mark.parametrize(
    ("build", "choices"),
    [
        (sm.bert_base, ["text-classification"]),
        (sm.bert_classifier, ["text-classification"]),
        (sm.vit_classifier, ["image-classification"]),
        (sm.roberta_mlm, []),  # no tokenizer
    ],
)
def test_adapter_choices(tmp_path, build, choices):
    f = fmt(build(tmp_path / "m"))
    assert [key for key, _ in adapter_choices(f)] == choices
    assert (why_not_finetunable(f) == "") is bool(choices)


def test_why_not_picks_the_modality(tmp_path):
    convnext = fmt(sm.convnext_classifier(tmp_path / "c"))
    assert "preprocessor_config.json" in why_not_finetunable(convnext)
    roberta = fmt(sm.roberta_mlm(tmp_path / "r"))
    assert why_not_finetunable(roberta).startswith("it has no tokenizer files")
