"""Refuse unsafe uploads before they reach the blob store, deciding by content, never by
name (catalog.inspect.sniff tells formats from bytes).

Every file, archive member and decompressed layer is scanned the same way (see
`content.py`): pickles opcode by opcode against an import allowlist, in any protocol and
at any depth; TorchScript refused; .npy headers read with numpy's reader and object dtypes
refused; Keras Lambda layers refused; ONNX external paths kept inside the upload;
safetensors headers checked. Each file's budgets (inflated bytes, depth, CPU time) turn a
costly file into a refusal. A file that passes is "safe", or "unscanned" when it holds a
format the scanner cannot look into (GGUF, unknown binaries). Plain Python, no Django.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.inspect import InspectionError, safetensors_header, sniff
from catalog.scanning import archives, content
from catalog.scanning.allowlist import ALLOWED_GLOBALS
from catalog.scanning.context import ScanContext, file_source
from catalog.scanning.errors import SAFE, UNSCANNED, Rejected, ScanLimits, UnsafeFileError
from catalog.scanning.onnx_paths import scan_onnx

__all__ = [
    "ALLOWED_GLOBALS",
    "SAFE",
    "UNSCANNED",
    "ScanLimits",
    "ScanReport",
    "UnsafeFileError",
    "safe_torch_load",
    "scan_file",
    "scan_report",
    "scan_upload",
]

TORCH_FORMATS = frozenset({sniff.PYTORCH, sniff.PYTORCH_LEGACY, sniff.PICKLE})


@dataclass(frozen=True)
class ScanReport:
    format: str  # detected from content (catalog.inspect.sniff)
    status: str  # SAFE or UNSCANNED


def scan_report(
    path: Path,
    repo_path: str,
    *,
    limits: ScanLimits = ScanLimits(),  # noqa: B008 - frozen dataclass, safe as a default
    sibling_paths: set[str] | None = None,
) -> ScanReport:
    """Raise UnsafeFileError if the file must not be stored; else say what it is.

    `sibling_paths` are the repo paths of the whole upload; when given, ONNX external
    data must be one of them.
    """
    path = Path(path)
    fmt = sniff.detect_format(path, repo_path)
    ctx = ScanContext(limits)
    try:
        status = _scan_whole_file(path, repo_path, fmt, ctx, sibling_paths)
    except Rejected as exc:
        raise UnsafeFileError(repo_path, str(exc)) from None
    finally:
        ctx.close()
    return ScanReport(fmt, status)


def scan_file(
    path: Path,
    repo_path: str,
    *,
    limits: ScanLimits = ScanLimits(),  # noqa: B008
    sibling_paths: set[str] | None = None,
) -> str:
    """Raise UnsafeFileError if the file must not be stored; return its detected format."""
    return scan_report(path, repo_path, limits=limits, sibling_paths=sibling_paths).format


def _scan_whole_file(
    path: Path, repo_path: str, fmt: str, ctx: ScanContext, siblings: set[str] | None
) -> str:
    source = file_source(path)
    status = content.scan_source(source, ctx, fmt=fmt)
    if fmt == sniff.ONNX:
        scan_onnx(path, repo_path, siblings)
    elif fmt == sniff.SAFETENSORS:
        try:
            safetensors_header.read_header(path)
        except InspectionError as exc:
            raise Rejected(str(exc)) from None
    if fmt not in content.ZIPS and zipfile.is_zipfile(path):
        # A zip after other bytes (a self-extracting layout): zip readers still open it.
        with ctx.deeper(), path.open("rb") as f, suppress(archives.CorruptArchive):
            archives.scan_zip(f, ctx, lambda member: content.scan_source(member, ctx))
    return status


def scan_upload(
    files: list[tuple[Path, str]],
    *,
    limits: ScanLimits = ScanLimits(),  # noqa: B008
    kept_paths: Iterable[str] = (),
) -> dict[str, str]:
    """Scan every (path on disk, repo path) of one upload; the first unsafe file raises.
    Returns each repo path's status (SAFE or UNSCANNED), for the file's metadata["scan"].

    `kept_paths` are files the new version keeps from its parent: ONNX external data
    may point at those as well as at the uploaded files.
    """
    siblings = {repo_path for _, repo_path in files} | set(kept_paths)
    return {
        repo_path: scan_report(path, repo_path, limits=limits, sibling_paths=siblings).status
        for path, repo_path in files
    }


def safe_torch_load(
    path: Path,
    repo_path: str | None = None,
    *,
    limits: ScanLimits = ScanLimits(),  # noqa: B008
) -> Any:
    """The only sanctioned way to read a torch checkpoint: scan, then weights-only load.

    There is deliberately no fallback to `weights_only=False`.
    """
    path = Path(path)
    label = repo_path or path.name
    fmt = scan_file(path, label, limits=limits)
    if fmt not in TORCH_FORMATS:
        raise UnsafeFileError(label, f"is {fmt}, not a torch checkpoint")
    import torch  # lazy: scanning itself must not need torch

    return torch.load(path, weights_only=True, map_location="cpu")
