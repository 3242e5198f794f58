"""Tiny standard model folders, written by the libraries' own `save_pretrained`/`save`.

Sizes are a few thousand parameters so that building, uploading and running one takes well
under a second. Each builder writes into `out` and returns it."""

from __future__ import annotations

import json
from pathlib import Path

WORDS = ["good", "bad", "fine", "movie", "great", "awful", "the", "a", "is", "was"]
LABELS = {0: "negative", 1: "neutral", 2: "positive"}
TEXT = {
    "vocab_size": len(WORDS) + 5,
    "hidden_size": 16,
    "num_hidden_layers": 1,
    "num_attention_heads": 2,
    "intermediate_size": 32,
    "max_position_embeddings": 64,
}


def tokenizer_save(out: Path) -> None:
    from transformers import BertTokenizerFast

    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    BertTokenizerFast(vocab={token: i for i, token in enumerate(tokens)}).save_pretrained(out)


def _seed() -> None:
    import torch

    torch.manual_seed(0)


def bert_classifier(out: Path, *, labels: dict | None = None, tokenizer: bool = True) -> Path:
    from transformers import BertConfig, BertForSequenceClassification

    _seed()
    labels = LABELS if labels is None else labels
    config = BertConfig(**TEXT, id2label=labels, label2id={v: k for k, v in labels.items()})
    BertForSequenceClassification(config).save_pretrained(out)
    if tokenizer:
        tokenizer_save(out)
    return out


def bert_base(out: Path) -> Path:
    from transformers import BertConfig, BertModel

    _seed()
    BertModel(BertConfig(**TEXT)).save_pretrained(out)
    tokenizer_save(out)
    return out


def roberta_mlm(out: Path) -> Path:
    from transformers import RobertaConfig, RobertaForMaskedLM

    _seed()
    config = RobertaConfig(**{**TEXT, "max_position_embeddings": 70})
    RobertaForMaskedLM(config).save_pretrained(out)
    return out


def distilbert_tokens(out: Path) -> Path:
    from transformers import DistilBertConfig, DistilBertForTokenClassification

    _seed()
    config = DistilBertConfig(
        vocab_size=20, dim=16, n_layers=1, n_heads=2, hidden_dim=32, id2label={0: "O", 1: "PER"}
    )
    DistilBertForTokenClassification(config).save_pretrained(out)
    return out


def deberta_qa(out: Path) -> Path:
    from transformers import DebertaV2Config, DebertaV2ForQuestionAnswering

    _seed()
    DebertaV2ForQuestionAnswering(DebertaV2Config(**TEXT)).save_pretrained(out)
    return out


def vit_classifier(out: Path) -> Path:
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    _seed()
    config = ViTConfig(
        image_size=32,
        patch_size=8,
        num_channels=3,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        id2label={0: "cat", 1: "dog"},
        label2id={"cat": 0, "dog": 1},
    )
    ViTForImageClassification(config).save_pretrained(out)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(out)
    return out


def convnext_classifier(out: Path) -> Path:
    from transformers import ConvNextConfig, ConvNextForImageClassification

    _seed()
    config = ConvNextConfig(
        num_channels=3, num_stages=2, hidden_sizes=[8, 16], depths=[1, 1], num_labels=4
    )
    ConvNextForImageClassification(config).save_pretrained(out)
    return out


def resnet_classifier(out: Path) -> Path:
    from transformers import ResNetConfig, ResNetForImageClassification

    _seed()
    config = ResNetConfig(
        num_channels=3, embedding_size=8, hidden_sizes=[8, 16], depths=[1, 1], num_labels=2
    )
    ResNetForImageClassification(config).save_pretrained(out)
    return out


def sentence_transformer(out: Path, *, work: Path) -> Path:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer

    base = bert_base(work / "st-base")
    transformer = Transformer(str(base))
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(out))
    return out


def peft_lora(out: Path, *, base_repo: str, work: Path) -> Path:
    """A SEQ_CLS LoRA adapter of bert_classifier, naming `base_repo` as its base."""
    from peft import LoraConfig, get_peft_model
    from transformers import BertForSequenceClassification

    base = BertForSequenceClassification.from_pretrained(bert_classifier(work / "lora-base"))
    base.config._name_or_path = base_repo
    base.name_or_path = base_repo  # as if loaded from the hub by that id
    config = LoraConfig(task_type="SEQ_CLS", r=2, lora_alpha=4, target_modules=["query", "value"])
    get_peft_model(base, config).save_pretrained(out)
    return out


def timm_folder(out: Path) -> Path:
    """What timm's `save_pretrained` writes (timm is not installed here): JSON + weights."""
    import numpy as np
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    config = {
        "architecture": "resnet10t",
        "num_classes": 2,
        "num_features": 512,
        "label_names": ["cat", "dog"],
        "pretrained_cfg": {"input_size": [3, 32, 32], "num_classes": 2},
    }
    (out / "config.json").write_text(json.dumps(config))
    save_file({"fc.weight": np.zeros((2, 4), dtype=np.float32)}, str(out / "model.safetensors"))
    return out


def shard(folder: Path, *, parts: int = 2) -> Path:
    """Split folder/model.safetensors into `parts` shards + model.safetensors.index.json."""
    from safetensors.numpy import load_file, save_file

    tensors = load_file(str(folder / "model.safetensors"))
    names = sorted(tensors)
    weight_map = {}
    for i in range(parts):
        shard_name = f"model-{i + 1:05d}-of-{parts:05d}.safetensors"
        chunk = {n: tensors[n] for n in names[i::parts]}
        save_file(chunk, str(folder / shard_name), metadata={"format": "pt"})
        weight_map.update(dict.fromkeys(chunk, shard_name))
    (folder / "model.safetensors").unlink()
    index = {"metadata": {"total_size": 0}, "weight_map": weight_map}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index))
    return folder


def read_json_in(folder: Path):
    def read_json(path: str):
        try:
            return json.loads((folder / path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc})") from None

    return read_json


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def colour_zip(path: Path) -> Path:
    """Two classes a tiny ViT can tell apart: reddish and bluish squares, with noise."""
    import random

    from PIL import Image

    rng = random.Random(0)
    examples = []
    for label, base in (("red", (200, 40, 40)), ("blue", (40, 40, 200))):
        for _ in range(12):
            colour = tuple(max(0, min(255, c + rng.randint(-30, 30))) for c in base)
            examples.append((Image.new("RGB", (24, 24), colour), label))
    from adapters import demo_data

    return demo_data.write_image_zip(path, examples)
