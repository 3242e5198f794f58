"""Refuse unsafe uploads before they reach the blob store.

`scan_file` dispatches on the format detected from content (see catalog.inspect.sniff):
pickles and torch checkpoints get an opcode-level import check, TorchScript is refused,
zips are streamed for CRC and size, ONNX external paths must stay inside the upload,
safetensors headers must be well formed. Plain Python, no Django imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from catalog.inspect import safetensors_header, sniff
from catalog.inspect.errors import InspectionError
from catalog.inspect.small_formats import MAX_NPY_HEADER
from catalog.scanning.allowlist import ALLOWED_GLOBALS
from catalog.scanning.archives import TORCHSCRIPT_HINT, check_npy_header, scan_zip
from catalog.scanning.errors import Rejected, ScanLimits, UnsafeFileError
from catalog.scanning.onnx_paths import scan_onnx
from catalog.scanning.pickles import PickleScanner

__all__ = [
    "ALLOWED_GLOBALS",
    "ScanLimits",
    "UnsafeFileError",
    "safe_torch_load",
    "scan_file",
    "scan_upload",
]

TORCH_FORMATS = frozenset({sniff.PYTORCH, sniff.PYTORCH_LEGACY, sniff.PICKLE})
_LEGACY_PICKLES = 5  # magic, protocol, sys_info, the object, storage keys; then raw data


def scan_file(
    path: Path,
    repo_path: str,
    *,
    limits: ScanLimits = ScanLimits(),  # noqa: B008 - frozen dataclass, safe as a default
    sibling_paths: set[str] | None = None,
) -> str:
    """Raise UnsafeFileError if the file must not be stored; return its detected format.

    `sibling_paths` are the repo paths of the whole upload; when given, ONNX external
    data must be one of them.
    """
    path = Path(path)
    fmt = sniff.detect_format(path, repo_path)
    try:
        _scan(path, repo_path, fmt, limits, sibling_paths)
    except Rejected as exc:
        raise UnsafeFileError(repo_path, str(exc)) from None
    return fmt


def _scan(
    path: Path, repo_path: str, fmt: str, limits: ScanLimits, siblings: set[str] | None
) -> None:
    if fmt == sniff.TORCHSCRIPT:
        raise Rejected(TORCHSCRIPT_HINT)
    if fmt in (sniff.PYTORCH, sniff.NPZ, sniff.ZIP):
        scan_zip(path, limits)
        return
    if fmt in (sniff.PICKLE, sniff.PYTORCH_LEGACY):
        count = _LEGACY_PICKLES if fmt == sniff.PYTORCH_LEGACY else None
        with path.open("rb") as f:
            PickleScanner(limits).scan_stream(f, path.stat().st_size, count=count)
        return
    _scan_pickle_prefix(path, repo_path, limits)
    if fmt == sniff.ONNX:
        scan_onnx(path, repo_path, siblings)
    elif fmt == sniff.SAFETENSORS:
        _scan_safetensors(path)
    elif fmt == sniff.NPY:
        with path.open("rb") as f:
            check_npy_header(f.read(MAX_NPY_HEADER + 12), "this .npy file")


def _scan_pickle_prefix(path: Path, repo_path: str, limits: ScanLimits) -> None:
    """A file of another format may still be fed to pickle.load (a safetensors/pickle
    polyglot named model.bin): check what that would run before it fails."""
    with path.open("rb") as f:
        named_like_pickle = PurePosixPath(repo_path).suffix.lower() in sniff.PICKLE_SUFFIXES
        if named_like_pickle or f.read(1) == b"\x80":
            f.seek(0)
            PickleScanner(limits).scan_prefix(f, path.stat().st_size)


def _scan_safetensors(path: Path) -> None:
    try:
        safetensors_header.read_header(path)
    except InspectionError as exc:
        raise Rejected(str(exc)) from None


def scan_upload(
    files: list[tuple[Path, str]],
    *,
    limits: ScanLimits = ScanLimits(),  # noqa: B008
    kept_paths: Iterable[str] = (),
) -> None:
    """Scan every (path on disk, repo path) of one upload; the first unsafe file raises.

    `kept_paths` are files the new version keeps from its parent: ONNX external data
    may point at those as well as at the uploaded files.
    """
    siblings = {repo_path for _, repo_path in files} | set(kept_paths)
    for path, repo_path in files:
        scan_file(path, repo_path, limits=limits, sibling_paths=siblings)


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
