"""Registry lookups and hyper-parameters (strategy defaults, validation, form coercion)."""

from __future__ import annotations

import sys

import pytest

from adapters.base import STRATEGY_DEFAULTS, HyperParams
from adapters.registry import ADAPTERS, get_adapter


def test_lazy_registry():
    assert set(ADAPTERS) == {"text-classification", "image-classification"}
    for key in ADAPTERS:
        adapter = get_adapter(key)
        assert adapter.key == key == adapter.task and adapter.title
        assert adapter.training_module.startswith("adapters.classify.")
    assert get_adapter("text-classification") is get_adapter("text-classification")
    with pytest.raises(KeyError, match="unknown adapter 'nope'"):
        get_adapter("nope")


def test_acceptance_does_not_import_torch():
    import subprocess

    code = (
        "import sys, adapters.registry as r;"
        "r.get_adapter('text-classification').accepts({'library': 'onnx'});"
        "r.get_adapter('image-classification');"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("strategy", list(STRATEGY_DEFAULTS))
def test_strategy_defaults_apply_when_only_the_strategy_is_given(strategy):
    params = HyperParams.from_dict({"strategy": strategy})
    assert params.strategy == strategy
    for name, value in STRATEGY_DEFAULTS[strategy].items():
        assert getattr(params, name) == value, name
    assert get_adapter("text-classification").default_params(strategy) == params
    params.validate()


def test_strategy_defaults_differ_from_head_only():
    lora = HyperParams.from_dict({"strategy": "lora"})
    assert (lora.epochs, lora.batch_size, lora.max_length) == (10, 16, 128)
    assert lora.body_learning_rate == 0.002
    assert HyperParams.from_dict({"strategy": "full"}).body_learning_rate == 5e-5
    assert HyperParams.from_dict({"strategy": "last-k"}).body_learning_rate == 1e-4
    assert HyperParams().body_learning_rate == 0.0


def test_explicit_values_win_over_strategy_defaults():
    params = HyperParams.from_dict(
        {"strategy": "lora", "epochs": "3", "learning_rate": 0.05, "backbone_learning_rate": 1e-3}
    )
    assert (params.epochs, params.learning_rate) == (3, 0.05)
    assert params.batch_size == 16  # not given: the strategy's default
    assert params.body_learning_rate == 1e-3
    # Defaults passed in are kept unless the strategy changes.
    mine = HyperParams.from_dict({"epochs": 9})
    assert HyperParams.from_dict({"seed": 4}, mine).epochs == 9
    assert HyperParams.from_dict({"strategy": "full"}, mine).epochs == 4


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"strategy": "all"}, "strategy must be one of head-only, lora, last-k, full"),
        ({"epochs": 0}, "epochs must be between 1 and 500"),
        ({"learning_rate": 0.0}, "learning_rate must be > 0"),
        ({"batch_size": 5000}, "batch_size must be between"),
        ({"validation_split": 0.9}, "validation_split must be"),
        ({"seed": -1}, "seed must be"),
        ({"weight_decay": 2}, "weight_decay must be"),
        ({"max_length": 4}, "max_length must be between 8 and 512"),
        ({"backbone_learning_rate": 2}, "backbone_learning_rate must be"),
        ({"lora_rank": 0}, "lora_rank must be between 1 and 256"),
        ({"lora_alpha": 5000}, "lora_alpha must be between"),
        ({"strategy": "last-k", "unfreeze_layers": 7}, "unfreeze_layers must be between 1 and 6"),
    ],
)
def test_bad_ranges_name_the_field(changes, message):
    params = HyperParams.from_dict(changes)
    with pytest.raises(ValueError, match=message):
        params.validate(max_units=6)


def test_unfreeze_layers_only_checked_for_last_k():
    HyperParams.from_dict({"unfreeze_layers": 99}).validate(max_units=6)


def test_unknown_keys_and_bad_types_are_refused():
    with pytest.raises(ValueError, match="unknown hyper-parameter\\(s\\): epoch, size"):
        HyperParams.from_dict({"epoch": 3, "size": 1})
    with pytest.raises(ValueError, match="epochs must be a whole number"):
        HyperParams.from_dict({"epochs": "many"})
    with pytest.raises(ValueError, match="learning_rate must be a number"):
        HyperParams.from_dict({"learning_rate": "fast"})
    with pytest.raises(ValueError, match="cache_features must be true or false"):
        HyperParams.from_dict({"cache_features": "maybe"})
    with pytest.raises(ValueError, match="evaluation must be one of auto, cv, holdout"):
        HyperParams.from_dict({"evaluation": "guess"}).validate()


def test_form_strings_are_coerced():
    params = HyperParams.from_dict(
        {"epochs": "5", "cache_features": "false", "evaluation": "cv", "learning_rate": "0.1"}
    )
    assert (params.epochs, params.cache_features, params.evaluation) == (5, False, "cv")
    assert params.learning_rate == 0.1
    assert HyperParams.from_dict(params.to_dict()) == params
