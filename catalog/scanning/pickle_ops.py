"""The opcodes of one pickle, parsed as CPython's C unpickler parses them.

`pickletools` decodes the text arguments of protocol 0 more strictly than the unpickler:
the unpickler reads INT and LONG with C's `strtol(s, base 0)` / `PyLong_FromString(s, 0)`
(so "0x10" and "010" are numbers), and stops reading any number at a NUL byte. Where
pickletools gives up earlier than the unpickler, a lenient scan would stop while the real
load went on to an import: so those arguments are read here the C way, and every other
argument with pickletools' own readers (equal to, or stricter only where the unpickler
itself fails).
"""

from __future__ import annotations

import pickletools
import re
import struct
from collections.abc import Callable, Iterator
from typing import Any, Protocol


class LineReader(Protocol):
    def read(self, n: int, /) -> bytes: ...
    def readline(self) -> bytes: ...
    def skip(self, n: int, /) -> None: ...


class Skipped:
    """An argument too large to hold, passed over (lenient mode): never an exact str."""


SKIPPED = Skipped()
# Opcodes whose argument is a length then that many bytes: (length format, decoder).
_SIZED: dict[str, tuple[str, Callable[[bytes], Any]]] = {
    "BINSTRING": ("<i", lambda b: b.decode("latin-1")),
    "BINUNICODE": ("<I", lambda b: b.decode("utf-8", "surrogatepass")),
    "BINUNICODE8": ("<Q", lambda b: b.decode("utf-8", "surrogatepass")),
    "BINBYTES": ("<I", bytes),
    "BINBYTES8": ("<Q", bytes),
    "BYTEARRAY8": ("<Q", bytearray),
    "LONG4": ("<i", lambda b: int.from_bytes(b, "little", signed=True)),
}


# strtol(s, &end, 0): optional space and sign, then hex, octal or decimal digits.
_STRTOL = re.compile(rb"[ \t\n\v\f\r]*[+-]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")


def _line(f: LineReader) -> bytes:
    data = f.readline()
    if not data.endswith(b"\n"):
        raise ValueError("no newline found when trying to read a line argument")
    return data[:-1].split(b"\x00", 1)[0]  # C string functions stop at NUL


def _int(f: LineReader) -> int:
    text = _line(f)
    if _STRTOL.fullmatch(text):
        return 0  # accepted by strtol; the value itself never matters to the scan
    return int(text.decode("ascii"), 0)  # the unpickler's fallback, PyLong_FromString


def _long(f: LineReader) -> int:
    text = _line(f)
    return int(text.removesuffix(b"L").decode("ascii"), 0)


def _float(f: LineReader) -> float:
    return float(_line(f).decode("ascii"))  # float() accepts more than the unpickler: fine


def _memo_key(f: LineReader) -> int:
    return int(_line(f).decode("ascii"), 10)


_READERS: dict[str, Callable[[LineReader], Any]] = {
    "INT": _int,
    "LONG": _long,
    "FLOAT": _float,
    "GET": _memo_key,
    "PUT": _memo_key,
}
_BY_CODE = {op.code.encode("latin-1"): op for op in pickletools.opcodes}


def _sized(f: LineReader, name: str, skip_over: int | None) -> Any:
    fmt, decode = _SIZED[name]
    raw = f.read(struct.calcsize(fmt))
    if len(raw) != struct.calcsize(fmt):
        raise ValueError(f"not enough data to read the length of {name}")
    (n,) = struct.unpack(fmt, raw)
    if n < 0:
        raise ValueError(f"{name} has a negative length")
    if skip_over is not None and n > skip_over:
        f.skip(n)
        return SKIPPED
    data = f.read(n)
    if len(data) != n:
        raise ValueError(f"expected {n} bytes in {name}, but only {len(data)} remain")
    return decode(data)


def ops(
    f: LineReader, *, skip_over: int | None = None
) -> Iterator[tuple[pickletools.OpcodeInfo, Any]]:
    """Like pickletools.genops, up to and including STOP; raises ValueError where the
    unpickler would fail to parse. Length-prefixed arguments over `skip_over` bytes are
    skipped (their value is SKIPPED)."""
    while True:
        code = f.read(1)
        opcode = _BY_CODE.get(code)
        if opcode is None:
            if not code:
                raise ValueError("pickle exhausted before seeing STOP")
            raise ValueError(f"opcode {code!r} unknown")
        reader = _READERS.get(opcode.name)
        if reader is not None:
            arg = reader(f)
        elif opcode.name in _SIZED:
            arg = _sized(f, opcode.name, skip_over)
        else:
            arg = None if opcode.arg is None else opcode.arg.reader(f)
        yield opcode, arg
        if opcode.name == "STOP":
            return
