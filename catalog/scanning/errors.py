"""Scan outcome types: the limits a scan runs under and the error that refuses a file."""

from __future__ import annotations

from dataclasses import dataclass


class UnsafeFileError(ValueError):
    """An uploaded file was refused; `str(exc)` is "<repo path>: <what to fix>"."""

    def __init__(self, repo_path: str, problem: str) -> None:
        super().__init__(f"{repo_path}: {problem}")
        self.repo_path = repo_path
        self.problem = problem


class Rejected(Exception):
    """Raised inside the scanners with just the problem; scan_file adds the file name."""


@dataclass(frozen=True)
class ScanLimits:
    """Work budgets: a scan that would exceed one rejects instead of running on."""

    max_pickle_opcodes: int = 5_000_000
    max_pickle_bytes: int = 256 * 1024 * 1024  # bytes read from one pickle stream
    max_zip_members: int = 100_000
    max_zip_bytes: int = 64 * 1024**3  # bytes actually decompressed, all members together
    read_chunk: int = 1024 * 1024


class Malformed(Rejected):
    """The stream is not a well-formed pickle at this point: the unpickler would fail here."""
