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
    """Reader that refuses reads past a byte budget *before* allocating them."""

    def __init__(self, f: Readable, budget: int, size: int | None, chunk: int) -> None:
        self._f, self._budget, self._size, self._chunk = f, budget, size, chunk
        self.used = 0

    def _over_budget(self) -> Rejected:
        return Rejected(f"pickle stream is larger than the {self._budget}-byte scan limit")

    def read(self, n: int) -> bytes:
        if self._size is not None and self.used + n > self._size:
            raise Malformed("pickle is truncated (an opcode reads past the end of the data)")
        if self.used + n > self._budget:
            self._probe_end(n)
        data = self._f.read(n)
        self.used += len(data)
        return data

    def _probe_end(self, n: int) -> None:
        """A read larger than the budget from a stream of unknown length (decompressed
        data): if the stream ends first the unpickler fails here; otherwise refuse."""
        if self._size is not None:
            raise self._over_budget()
        while self.used < self._budget:
            got = len(self._f.read(min(self._chunk, n)))
            if not got:
                raise Malformed("pickle is truncated (an opcode reads past the end of the data)")
            self.used += got
        raise self._over_budget()

    def readline(self) -> bytes:
        line = self._f.readline(self._budget - self.used + 1)
        self.used += len(line)
        if self.used > self._budget:
            raise self._over_budget()
        return line

    def at_end(self) -> bool:
        if self._size is not None:
            return self.used >= self._size
        return False  # decided by the next parse: an empty read stops it


class PickleScanner:
    """Scans one or more pickle streams under one opcode budget."""

    def __init__(self, limits: ScanLimits, tick: Callable[[], None] = lambda: None) -> None:
        self.limits = limits
        self.opcodes = 0
        self._tick = tick

    def reader(self, f: Readable, size: int | None) -> BoundedReader:
        return BoundedReader(f, self.limits.max_pickle_bytes, size, self.limits.read_chunk)

    def scan_stream(self, f: Readable, size: int | None, *, count: int | None = None) -> None:
        """Strict: scan `count` consecutive pickles, or all of them to the end of the data."""
        reader = self.reader(f, size)
        scanned = 0
        while True:
            start = reader.used
            try:
                self._scan_one(reader)
            except Malformed as exc:
                if size is None and scanned and reader.used == start:
                    return  # the stream of unknown length ended after a whole pickle
                raise Rejected(f"{exc}; cannot verify it") from None
            scanned += 1
            if scanned == count or (count is None and reader.at_end()):
                return

    def scan_lenient(self, f: Readable, size: int | None) -> bool:
        """Check what a looping unpickler would run before it fails; True if at least one
        whole pickle parsed (the stream is a pickle, whatever its name)."""
        reader = self.reader(f, size)
        whole = 0
        while not reader.at_end():
            try:
                self._scan_one(reader)
            except Malformed:
                return whole > 0
            whole += 1
        return whole > 0

    def _scan_one(self, reader: BoundedReader) -> None:
        state = PickleState()
        try:
            for opcode, arg in ops(reader):
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
