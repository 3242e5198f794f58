"""Read metadata out of uploaded files without loading weights or unpickling anything.

`inspect_file` returns a JSON-serialisable dict whose "format" is one of the constants in
`catalog.inspect.sniff` (detected from content, not the file name); formats we only
recognise (pickles, torch checkpoints, zips, text) report just that. Plain Python: no
Django imports, so services, tasks and adapters can all call it.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from catalog.inspect import config_json, onnx_info, safetensors_header, small_formats, sniff
from catalog.inspect.errors import InspectionError
from catalog.inspect.summary import summarize_version

__all__ = ["InspectionError", "detect_format", "inspect_file", "summarize_version"]

detect_format = sniff.detect_format

_SUMMARIZERS = {
    sniff.SAFETENSORS: safetensors_header.summarize,
    sniff.ONNX: onnx_info.summarize,
    sniff.NPY: small_formats.summarize_npy,
    sniff.GGUF: small_formats.summarize_gguf,
}


def inspect_file(path: Path, repo_path: str) -> dict[str, Any]:
    """Describe the file at `path` (uploaded as `repo_path`); raise InspectionError if broken."""
    path = Path(path)
    if PurePosixPath(repo_path).name == "config.json":
        # Parsed even when it does not sniff as JSON, so a broken config is reported.
        return config_json.summarize(path)
    fmt = sniff.detect_format(path, repo_path)
    summarizer = _SUMMARIZERS.get(fmt)
    return summarizer(path) if summarizer else {"format": fmt}
