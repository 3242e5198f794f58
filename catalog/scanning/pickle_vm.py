"""A symbolic replay of the unpickler's stack machine, tracking only what imports need.

Values are reduced to: exact `str` constants (what STACK_GLOBAL consumes), imported
objects, and everything else (opaque). Strings travel through the memo (PUT, MEMOIZE,
GET) and DUP exactly as in the real unpickler; any other opcode's results are opaque.
Structural errors raise Malformed: the real unpickler would stop at the same opcode.

Strict mode (a stream that announces a pickle) refuses a disallowed import at once.
Lenient mode (bytes that may be text or data, such as "cat\\ndog\\n", which parses as a
GLOBAL) refuses it only once the imported object is used (called, passed, built on or
returned); an import the unpickler then fails after runs nothing of the attacker's.
"""

from __future__ import annotations

import _compat_pickle
import pickletools
from dataclasses import dataclass
from typing import Any

from catalog.scanning.allowlist import is_allowed
from catalog.scanning.errors import Malformed, Rejected

_MARK = object()  # a MARK on the (flattened) stack
_GLOBAL = object()  # a class/function obtained by an allowed import
_OPAQUE = object()  # any other value
_STRING_OPS = {
    "STRING", "BINSTRING", "SHORT_BINSTRING", "UNICODE",
    "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8",
}  # fmt: skip
_PUT_OPS = {"PUT", "BINPUT", "LONG_BINPUT"}
_GET_OPS = {"GET", "BINGET", "LONG_BINGET"}
_HINT = "only torch/numpy tensor data may be uploaded (convert to safetensors)"


@dataclass(frozen=True)
class _Forbidden:
    """A disallowed import still on the stack (lenient mode): refused when used."""

    what: str

    def refusal(self) -> Rejected:
        return Rejected(f"pickle imports {self.what}, which is not allowed; {_HINT}")


class PickleState:
    """The unpickler's stack, memo and protocol, with values reduced to what matters."""

    def __init__(self, *, lenient: bool = False) -> None:
        self.stack: list[Any] = []
        self.memo: dict[int, Any] = {}
        self.proto = 0
        self.lenient = lenient
        # Where the unpickler itself would fail: lenient mode stops, strict mode refuses.
        self.unverifiable: type[Rejected] = Malformed if lenient else Rejected

    def step(self, opcode: pickletools.OpcodeInfo, arg: Any) -> None:
        name = opcode.name
        handler = _SPECIAL.get(name)
        if handler is not None:
            handler(self, arg)
        elif name in _STRING_OPS:
            self.stack.append(arg)
        elif name in _PUT_OPS:
            self.memo[arg] = self.top()
        elif name in _GET_OPS:
            if arg not in self.memo:
                raise Malformed(f"pickle reads memo slot {arg} before writing it")
            self.stack.append(self.memo[arg])
        else:
            self.generic(opcode)

    def top(self) -> Any:
        if not self.stack or self.stack[-1] is _MARK:
            raise Malformed("pickle stack underflow")
        return self.stack[-1]

    def pop(self) -> Any:
        value = self.top()
        self.stack.pop()
        return value

    def pop_to_mark(self) -> list[Any]:
        items: list[Any] = []
        while True:
            if not self.stack:
                raise Malformed("pickle pops a MARK that was never pushed")
            item = self.stack.pop()
            if item is _MARK:
                return items
            items.append(item)

    def generic(self, opcode: pickletools.OpcodeInfo) -> None:
        # Apply the stack effect pickletools documents; results are opaque values.
        before = opcode.stack_before
        below = len(before)
        used = []
        if pickletools.markobject in before:
            below = before.index(pickletools.markobject)
            used = self.pop_to_mark()
        used += [self.pop() for _ in range(below)]
        self.use(used)  # after every pop: on underflow the unpickler stops first
        marker = pickletools.markobject
        self.stack.extend(_MARK if s is marker else _OPAQUE for s in opcode.stack_after)

    @staticmethod
    def use(values: list[Any]) -> None:
        for value in values:
            if isinstance(value, _Forbidden):
                raise value.refusal()

    def resolve(self, module: Any, name: Any) -> object:
        """What an import pushes: _GLOBAL, or in lenient mode a _Forbidden placeholder."""
        if not (isinstance(module, str) and isinstance(name, str)):
            # Strings are tracked exactly; the unpickler requires exact str operands.
            raise self.unverifiable(
                "pickle builds an import from values we cannot follow; cannot verify import"
            )
        if self.proto < 3:
            # The unpickler maps Python 2 names (e.g. __builtin__) for old protocols.
            module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
            module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        if is_allowed(module, name):
            return _GLOBAL
        forbidden = _Forbidden(f"{module}.{name}")
        if not self.lenient:
            raise forbidden.refusal()
        if not (_dotted_identifier(module) and _dotted_identifier(name)):
            # No module or attribute has such a name: the unpickler's import fails here.
            raise Malformed(f"pickle imports {module!r}, which cannot exist")
        return forbidden


def _dotted_identifier(text: str) -> bool:
    return all(part.isidentifier() for part in text.split("."))


def _proto(state: PickleState, arg: int) -> None:
    state.proto = arg


def _global(state: PickleState, arg: str) -> None:
    module, _, name = arg.partition(" ")
    state.stack.append(state.resolve(module, name))


def _inst(state: PickleState, arg: str) -> None:
    # The C unpickler finds the MARK before it imports; INST then calls what it imported.
    args = state.pop_to_mark()
    module, _, name = arg.partition(" ")
    state.use([state.resolve(module, name), *args])
    state.stack.append(_OPAQUE)


def _stack_global(state: PickleState, _arg: None) -> None:
    name = state.pop()
    module = state.pop()
    state.stack.append(state.resolve(module, name))


def _extension(state: PickleState, arg: int) -> None:
    # No extension code is registered in a standard Python: the unpickler fails on one.
    raise state.unverifiable(f"pickle imports through the copyreg extension registry (code {arg})")


def _memoize(state: PickleState, _arg: None) -> None:
    state.memo[len(state.memo)] = state.top()


def _dup(state: PickleState, _arg: None) -> None:
    state.stack.append(state.top())


def _pop(state: PickleState, _arg: None) -> None:
    # POP removes the top item, even a MARK (the unpickler then pops its metastack).
    if not state.stack:
        raise Malformed("pickle stack underflow")
    state.stack.pop()  # discarded unused: a forbidden import popped here ran nothing


def _pop_mark(state: PickleState, _arg: None) -> None:
    state.pop_to_mark()  # discarded unused, as with POP


def _build(state: PickleState, _arg: None) -> None:
    argument = state.pop()
    target = state.pop()
    state.use([argument, target])
    if target is _GLOBAL:
        # BUILD on a class or function would set attributes on torch itself.
        raise Rejected("pickle modifies attributes of an imported class or function")
    state.stack.append(_OPAQUE)


_SPECIAL = {
    "PROTO": _proto,
    "GLOBAL": _global,
    "INST": _inst,
    "STACK_GLOBAL": _stack_global,
    "EXT1": _extension,
    "EXT2": _extension,
    "EXT4": _extension,
    "MEMOIZE": _memoize,
    "DUP": _dup,
    "POP": _pop,
    "POP_MARK": _pop_mark,
    "BUILD": _build,
}
