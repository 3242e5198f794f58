"""Opcode-level pickle scanner: decides what a pickle would import, without running it.

`pickle_ops.ops` parses the stream as the C unpickler does; `PickleState` replays its
stack effects. Never `pickle.load`. Two modes, both over every consecutive pickle (loaders
such as torch's legacy format call `pickle.load` in a loop):
- strict (streams that announce a pickle: a PROTO header, torch's legacy magic): every
  pickle must parse to the end of the data, else reject;
- lenient (any other stream, whatever its name: a protocol 0/1 pickle has no header, and
  a safetensors file named model.bin can still be fed to pickle.load): the unpickler runs
  opcodes up to the first parse error and then fails, so exactly those opcodes are checked.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Protocol

from catalog.scanning.errors import Malformed, Rejected, ScanLimits
from catalog.scanning.pickle_ops import ops
from catalog.scanning.pickle_vm import PickleState

_PARSE_ERRORS = (ValueError, EOFError, OverflowError, struct.error)
_TICK_EVERY = 4096


class Readable(Protocol):
    def read(self, n: int, /) -> bytes: ...
    def readline(self, limit: int, /) -> bytes: ...


class BoundedReader:
    """The parser's reader: never holds more than a byte budget. In lenient mode it skips
    an oversized argument instead of holding it, as the unpickler would read it and go on.

    `position` is where the parser is in the data; `size` its length when known."""

    def __init__(
        self, f: Readable, budget: int, size: int | None, chunk: int, *, lenient: bool
    ) -> None:
        self._f, self._budget, self._size, self._chunk = f, budget, size, chunk
        self.lenient = lenient
        self.position = self._held = 0

    def _truncated(self) -> Malformed:
        return Malformed("pickle is truncated (an opcode reads past the end of the data)")

    def _over_budget(self) -> Rejected:
        return Rejected(f"pickle stream is larger than the {self._budget}-byte scan limit")

    def read(self, n: int) -> bytes:
        if self._size is not None and self.position + n > self._size:
            raise self._truncated()
        if self._held + n > self._budget:
            if self._size is not None:
                raise self._over_budget()
            self.skip(n)  # unknown length: the data may end first, and the unpickler fail
            raise self._over_budget()
        data = self._f.read(n)
        self.position += len(data)
        self._held += len(data)
        return data

    def skip(self, n: int) -> None:
        """Pass over `n` bytes without holding them; Malformed if the data ends first."""
        if self._size is not None and self.position + n > self._size:
            raise self._truncated()
        while n:
            got = len(self._f.read(min(self._chunk, n)))
            if not got:
                raise self._truncated()
            n -= got
            self.position += got

    def readline(self) -> bytes:
        parts: list[bytes] = []
        while not parts or not parts[-1].endswith(b"\n"):
            piece = self._f.readline(self._chunk)
            if not piece:
                break  # no newline before the end: the argument reader reports it
            self.position += len(piece)
            self._held += len(piece)
            if self._held > self._budget:
                self._skip_line(piece)
            parts.append(piece)
        return b"".join(parts)

    def _skip_line(self, piece: bytes) -> None:
        """A line over the budget: refused, unless the data ends first (then the unpickler
        fails here too: lenient mode stops quietly)."""
        while self.lenient and not piece.endswith(b"\n"):
            piece = self._f.readline(self._chunk)
            if not piece:
                raise self._truncated()
            self.position += len(piece)
        raise self._over_budget()

    def at_end(self) -> bool:
        if self._size is not None:
            return self.position >= self._size
        return False  # decided by the next parse: an empty read stops it


class PickleScanner:
    """Scans one or more pickle streams under one opcode budget."""

    def __init__(self, limits: ScanLimits, tick: Callable[[], None] = lambda: None) -> None:
        self.limits = limits
        self.opcodes = 0
        self._tick = tick

    def reader(self, f: Readable, size: int | None, *, lenient: bool) -> BoundedReader:
        limits = self.limits
        return BoundedReader(f, limits.max_pickle_bytes, size, limits.read_chunk, lenient=lenient)

    def scan_stream(self, f: Readable, size: int | None, *, count: int | None = None) -> None:
        """Strict: scan `count` consecutive pickles, or all of them to the end of the data."""
        reader = self.reader(f, size, lenient=False)
        scanned = 0
        while True:
            start = reader.position
            try:
                self._scan_one(reader)
            except Malformed as exc:
                if size is None and scanned and reader.position == start:
                    return  # the stream of unknown length ended after a whole pickle
                raise Rejected(f"{exc}; cannot verify it") from None
            scanned += 1
            if scanned == count or (count is None and reader.at_end()):
                return

    def scan_lenient(self, f: Readable, size: int | None) -> bool:
        """Check what a looping unpickler would run before it fails; True if at least one
        whole pickle parsed (the stream is a pickle, whatever its name)."""
        reader = self.reader(f, size, lenient=True)
        whole = 0
        while not reader.at_end():
            try:
                self._scan_one(reader)
            except Malformed:
                return whole > 0
            whole += 1
        return whole > 0

    def _scan_one(self, reader: BoundedReader) -> None:
        state = PickleState(lenient=reader.lenient)
        skip_over = self.limits.read_chunk if reader.lenient else None
        try:
            for opcode, arg in ops(reader, skip_over=skip_over):
                self._count()
                state.step(opcode, arg)
        except Rejected:
            raise
        except _PARSE_ERRORS as exc:
            # ValueError on truncation, unknown opcodes and bad arguments.
            raise Malformed(f"pickle is truncated or malformed ({exc})") from None

    def _count(self) -> None:
        self.opcodes += 1
        if self.opcodes % _TICK_EVERY == 0:
            self._tick()
        if self.opcodes > self.limits.max_pickle_opcodes:
            raise Rejected(
                f"pickle has more than {self.limits.max_pickle_opcodes} opcodes; scan stopped"
            )
