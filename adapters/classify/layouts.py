"""Write a fine-tuned model as its ecosystem publishes it, storing only what changed.

- transformers classifier (head-only, last-k): a sharded checkpoint whose first shard is a
  byte-for-byte copy of the base's weight file (same sha256, so the blob store keeps one
  copy) and whose last shard holds only the tensors that training changed;
- transformers classifier (full): ``save_pretrained``;
- peft adapter (LoRA): ``adapter_config.json`` naming the base repo on this hub and its
  40-hex revision, plus ``adapter_model.safetensors``;
- sentence-transformers (head-only on a sentence-transformers base): the base's files
  unchanged plus a ``Dense`` module whose outputs are the logits.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn

INDEX = "model.safetensors.index.json"
NEW_SHARD = "model-finetuned.safetensors"
# Files a loader needs beside the weights; copied unchanged from the base (no new bytes).
SIDE_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "spiece.model",
    "sentencepiece.bpe.model",
    "spm.model",
    "preprocessor_config.json",
)


def copy_side_files(base_dir: Path, out: Path) -> list[str]:
    copied = []
    for name in SIDE_FILES:
        if (base_dir / name).is_file():
            shutil.copyfile(base_dir / name, out / name)
            copied.append(name)
    return copied


def base_weight_files(base_dir: Path, base_format: dict) -> list[str]:
    return list(base_format.get("weights") or ["model.safetensors"])


def read_keys(path: Path) -> list[str]:
    with safe_open(str(path), framework="pt") as fh:
        return list(fh.keys())


def file_key_for(name: str, prefix: str, keys: set[str]) -> str | None:
    """The key under which a model parameter is stored in a base file: as is, or without
    the body prefix (a bare ``BertModel`` checkpoint under a classifier)."""
    if name in keys:
        return name
    short = name.removeprefix(f"{prefix}.")
    return short if short != name and short in keys else None


def changed_tensors(model: nn.Module, base_dir: Path, file_keys: dict[str, set[str]]) -> dict:
    """The tensors training changed (or added), by checkpoint key; every other tensor is
    byte-equal to one in the base files and is read from there."""
    from transformers.core_model_loading import revert_weight_conversion

    prefix = model.base_model_prefix
    # Keys as save_pretrained writes them: transformers 5 renames some architectures' weights
    # on load (ViT: encoder.layer.0.attention.attention.query -> layers.0.attention.q_proj).
    state = revert_weight_conversion(model, model.state_dict())
    state = {k: v.detach().cpu() for k, v in state.items()}
    kept: set[str] = set()
    for name, keys in file_keys.items():
        with safe_open(str(base_dir / name), framework="pt") as fh:
            for model_key, tensor in state.items():
                key = file_key_for(model_key, prefix, keys)
                if key is None or model_key in kept:
                    continue
                stored = fh.get_tensor(key)
                if stored.shape == tensor.shape and torch.equal(stored, tensor):
                    kept.add(model_key)
    return {k: v.contiguous() for k, v in state.items() if k not in kept}


def write_transformers_sharded(
    model: nn.Module, base_dir: Path, base_format: dict, out: Path
) -> None:
    """Base weight files copied unchanged + one shard with what training changed."""
    files = base_weight_files(base_dir, base_format)
    file_keys = {name: set(read_keys(base_dir / name)) for name in files}
    new = changed_tensors(model, base_dir, file_keys)
    names = {f: _shard_name(f, i, len(files)) for i, f in enumerate(files)}
    for src, dst in names.items():
        shutil.copyfile(base_dir / src, out / dst)
    save_file(new, str(out / NEW_SHARD), metadata={"format": "pt"})
    weight_map = {key: names[src] for src, keys in file_keys.items() for key in keys}
    # A tensor that training changed must be read from the new shard only.
    prefix = model.base_model_prefix
    for key in new:
        weight_map.pop(key.removeprefix(f"{prefix}."), None)
        weight_map[key] = NEW_SHARD
    total = sum((out / f).stat().st_size for f in {*names.values(), NEW_SHARD})
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    (out / INDEX).write_text(json.dumps(index, indent=2) + "\n")
    # save_pretrained would name the classifier class; the base's config names the base's
    # (BertModel, ...ForMaskedLM), which would make the output look like the base's task.
    model.config.architectures = [type(model).__name__]
    model.config.save_pretrained(out)


def _shard_name(src: str, i: int, n: int) -> str:
    # A single model.safetensors becomes shard 1 of 2 (the new shard is named apart).
    return f"model-{i + 1:05d}-of-{n + 1:05d}.safetensors" if src == "model.safetensors" else src


def write_transformers_full(model: nn.Module, out: Path) -> None:
    model.save_pretrained(out, safe_serialization=True)


def write_peft_adapter(model, out: Path, base_repo: dict) -> None:
    model.save_pretrained(out, safe_serialization=True)
    # The base's config with the new labels: peft saves none, and without it neither
    # adapters.formats nor a loader can tell how many classes the saved head has.
    classifier = model.get_base_model()
    classifier.config.architectures = [type(classifier).__name__]
    classifier.config.save_pretrained(out)
    path = out / "adapter_config.json"
    config = json.loads(path.read_text())
    # Loaders fetch the base from this hub, pinned to the exact revision trained on.
    config["base_model_name_or_path"] = base_repo["id"]
    config["revision"] = base_repo["revision"]
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def write_sentence_transformers_classifier(
    base_dir: Path, head: nn.Linear, labels: list[str], out: Path
) -> str:
    """Copies the base repo unchanged (labels added to config.json) and appends a Dense
    module of logits. Returns the Dense module's folder name."""
    from sentence_transformers.sentence_transformer.modules import Dense

    for src in sorted(base_dir.rglob("*")):
        rel = src.relative_to(base_dir)
        if src.is_file() and rel.parts[0] != "README.md" and not rel.name.endswith(".onnx"):
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, out / rel)
    modules = json.loads((base_dir / "modules.json").read_text())
    idx = len(modules)
    folder = f"{idx}_Dense"
    dense = Dense(
        head.in_features,
        head.out_features,
        activation_function=nn.Identity(),
        init_weight=head.weight.detach().cpu(),
        init_bias=head.bias.detach().cpu(),
    )
    (out / folder).mkdir()
    dense.save(str(out / folder))
    # The classic class path: every sentence-transformers release since 2.x resolves it.
    modules.append(
        {"idx": idx, "name": str(idx), "path": folder, "type": "sentence_transformers.models.Dense"}
    )
    (out / "modules.json").write_text(json.dumps(modules, indent=2) + "\n")
    config = json.loads((out / "config.json").read_text())
    config["id2label"] = {str(i): label for i, label in enumerate(labels)}
    config["label2id"] = {label: i for i, label in enumerate(labels)}
    (out / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    return folder
