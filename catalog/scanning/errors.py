"""Scan outcome types: the limits a scan runs under, its verdicts and the refusal error."""

from __future__ import annotations

from dataclasses import dataclass

# What a stored file's metadata["scan"] says: "safe" when every byte a loader could run was
# checked, "unscanned" when the file holds a format the scanner cannot look into (GGUF,
# unknown binaries). Refused files are never stored, so there is no third value.
SAFE = "safe"
UNSCANNED = "unscanned"


def worst(a: str, b: str) -> str:
    return UNSCANNED if UNSCANNED in (a, b) else SAFE


class UnsafeFileError(ValueError):
    """An uploaded file was refused; `str(exc)` is "<repo path>: <what to fix>"."""

    def __init__(self, repo_path: str, problem: str) -> None:
        super().__init__(f"{repo_path}: {problem}")
        self.repo_path = repo_path
        self.problem = problem


class Rejected(Exception):
    """Raised inside the scanners with just the problem; scan_file adds the file name."""


class Malformed(Rejected):
    """The stream is not a well-formed pickle at this point: the unpickler would fail here."""


@dataclass(frozen=True)
class ScanLimits:
    """Work budgets for one uploaded file: a scan that would exceed one refuses the file
    instead of running on. Only decompression multiplies work beyond the bytes uploaded,
    so inflated bytes have their own budget; CPU time bounds the rest."""

    max_pickle_opcodes: int = 5_000_000
    max_pickle_bytes: int = 256 * 1024 * 1024  # bytes read from one pickle stream
    max_members: int = 100_000  # zip or tar members, per archive
    # Bytes produced by decompression, all layers together. Only what a check needs is
    # inflated (a member's first bytes, unless it is a pickle or an archive), so this bounds
    # compressed pickles and compressed archives: ~1 s of CPU to refuse one.
    max_inflated_bytes: int = 256 * 1024 * 1024
    max_spill_bytes: int = 256 * 1024 * 1024  # a nested zip/tar/HDF5 copied to disk
    max_depth: int = 3  # archives and compression layers inside one another
    max_json_bytes: int = 16 * 1024 * 1024  # JSON members read for Keras configs
    max_seconds: float = 60.0  # CPU time of the scanning thread
    read_chunk: int = 1024 * 1024
