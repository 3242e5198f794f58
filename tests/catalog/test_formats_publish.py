"""version_publish records the detected model format, fills the model's fields from it (the
card wins), counts parameters from the safetensors index, and links base models."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.numpy import save as safetensors_bytes

from catalog.services.models import model_create

pytestmark = pytest.mark.django_db

BERT = {
    "model_type": "bert",
    "architectures": ["BertForSequenceClassification"],
    "vocab_size": 10,
    "id2label": {"1": "pos", "0": "neg"},
}
WEIGHTS = safetensors_bytes({"w": np.ones((4, 4), dtype=np.float32)})


def as_json(data: dict) -> bytes:
    return json.dumps(data).encode()


def test_format_recorded_and_model_fields_filled(alice, publish):
    model = model_create(user=alice, name="clf")
    version = publish(model, {"config.json": as_json(BERT), "model.safetensors": WEIGHTS})
    fmt = version.metadata["format"]
    assert (fmt["library"], fmt["task"], fmt["labels"]) == (
        "transformers",
        "text-classification",
        ["neg", "pos"],
    )
    assert fmt["weights"] == ["model.safetensors"] and fmt["problems"] == []
    model.refresh_from_db()
    assert (model.task, model.library) == ("text-classification", "transformers")
    assert {"transformers", "bert", "safetensors"} <= set(model.tags)


def test_inherited_config_is_read_from_the_blob_store(alice, publish):
    model = model_create(user=alice, name="two-steps")
    first = publish(model, {"config.json": as_json(BERT)})
    assert first.metadata["format"]["weights"] == []
    second = publish(model, {"model.safetensors": WEIGHTS})  # config.json is inherited
    assert second.metadata["format"]["task"] == "text-classification"
    assert second.metadata["format"]["weights"] == ["model.safetensors"]


def test_card_front_matter_wins_and_set_fields_are_kept(alice, publish):
    card = b"---\npipeline_tag: fill-mask\nlibrary_name: mylib\ntags: [mine]\n---\n# Card\n"
    model = model_create(user=alice, name="carded")
    publish(model, {"README.md": card, "config.json": as_json(BERT), "model.safetensors": WEIGHTS})
    model.refresh_from_db()
    assert (model.task, model.library, model.card) == ("fill-mask", "mylib", "# Card\n")
    assert model.tags[0] == "mine" and "bert" in model.tags
    chosen = model_create(user=alice, name="chosen", task="image-classification")
    publish(chosen, {"config.json": as_json(BERT), "model.safetensors": WEIGHTS})
    chosen.refresh_from_db()
    assert chosen.task == "image-classification"  # set by the owner: the files do not override


def test_malformed_json_is_a_problem_not_a_failure(alice, publish):
    # (A broken config.json is refused by inspection; the other JSON files are only read.)
    model = model_create(user=alice, name="broken")
    files = {"adapter_config.json": b'{"peft_type": ', "adapter_model.safetensors": WEIGHTS}
    version = publish(model, files)
    problems = version.metadata["format"]["problems"]
    assert any(p.startswith("adapter_config.json could not be read") for p in problems)
    model.refresh_from_db()
    assert model.task == "other"


def test_parameter_count_follows_the_index_and_skips_buffers(alice, publish):
    part_a = safetensors_bytes(
        {
            "conv.weight": np.ones((8, 3), dtype=np.float32),
            "bn.running_mean": np.zeros(8, dtype=np.float32),
            "bn.running_var": np.ones(8, dtype=np.float32),
            "bn.num_batches_tracked": np.zeros((), dtype=np.int64),
        }
    )
    part_b = safetensors_bytes(
        {
            "fc.weight": np.ones((2, 8), dtype=np.float32),
            "embeddings.position_ids": np.arange(16, dtype=np.int64)[None],
        }
    )
    index = {
        "weight_map": {
            "conv.weight": "part-a.safetensors",
            "bn.running_mean": "part-a.safetensors",
            "bn.running_var": "part-a.safetensors",
            "bn.num_batches_tracked": "part-a.safetensors",
            "fc.weight": "part-b.safetensors",
            "embeddings.position_ids": "part-b.safetensors",
        }
    }
    model = model_create(user=alice, name="sharded")
    version = publish(
        model,
        {
            "config.json": as_json({"model_type": "resnet", "num_channels": 3}),
            "model.safetensors.index.json": as_json(index),
            "part-a.safetensors": part_a,
            "part-b.safetensors": part_b,
        },
    )
    assert version.metadata["parameter_count"] == 8 * 3 + 2 * 8
    assert version.metadata["format"]["sharded_index"] == "model.safetensors.index.json"
    assert version.metadata["format"]["modality"] == "image"


def test_missing_shard_is_reported(alice, publish):
    index = {
        "weight_map": {
            "w": "model-00001-of-00002.safetensors",
            "v": "model-00002-of-00002.safetensors",
        }
    }
    model = model_create(user=alice, name="half")
    version = publish(
        model,
        {
            "config.json": as_json(BERT),
            "model.safetensors.index.json": as_json(index),
            "model-00001-of-00002.safetensors": WEIGHTS,
        },
    )
    assert version.metadata["format"]["missing_shards"] == ["model-00002-of-00002.safetensors"]


def test_base_model_front_matter_links_lineage(alice, bob, publish):
    base = model_create(user=alice, name="base")
    base_v = publish(base, {"config.json": as_json(BERT), "model.safetensors": WEIGHTS})
    card = b"---\nbase_model: alice/base\nbase_model_relation: quantized\n---\nq\n"
    derived = model_create(user=alice, name="derived")
    version = publish(derived, {"README.md": card, "model.safetensors": WEIGHTS})
    assert version.parent == base_v
    assert version.metadata["base_model_relation"] == "quantized"
    derived.refresh_from_db()
    assert derived.base_model == "alice/base"

    secret = model_create(user=alice, name="secret", private=True)
    publish(secret, {"model.safetensors": WEIGHTS})
    card = b"---\nbase_model: [elsewhere/x, alice/secret]\n---\n"
    theirs = model_create(user=bob, name="theirs")
    mine = publish(theirs, {"README.md": card, "model.safetensors": WEIGHTS}, user=bob)
    assert mine.parent is None and "base_model_relation" not in mine.metadata


def test_peft_base_on_this_hub_is_an_adapter_link(alice, publish):
    base = model_create(user=alice, name="base")
    base_v = publish(base, {"config.json": as_json(BERT), "model.safetensors": WEIGHTS})
    adapter = {"base_model_name_or_path": "alice/base", "task_type": "SEQ_CLS", "peft_type": "LORA"}
    lora = model_create(user=alice, name="lora")
    version = publish(
        lora,
        {"adapter_config.json": as_json(adapter), "adapter_model.safetensors": WEIGHTS},
    )
    assert version.parent == base_v and version.metadata["base_model_relation"] == "adapter"
    assert version.metadata["format"]["peft_base"] == "alice/base"
    lora.refresh_from_db()
    assert (lora.library, lora.task) == ("peft", "text-classification")


def test_a_peft_adapter_links_the_base_revision_it_pins(alice, publish):
    base = model_create(user=alice, name="pinned-base")
    first = publish(base, {"config.json": as_json(BERT), "model.safetensors": WEIGHTS})
    publish(base, {"config.json": as_json({**BERT, "hidden_size": 8})})  # a newer v2
    adapter = {
        "base_model_name_or_path": "alice/pinned-base",
        "revision": first.revision,
        "task_type": "SEQ_CLS",
        "peft_type": "LORA",
    }
    lora = model_create(user=alice, name="pinned-lora")
    version = publish(
        lora, {"adapter_config.json": as_json(adapter), "adapter_model.safetensors": WEIGHTS}
    )
    assert version.parent == first  # not the latest: the one it was trained on
