"""A symbolic replay of the unpickler's stack machine, tracking only what imports need.

Values are reduced to three kinds: exact `str` constants (what STACK_GLOBAL consumes),
imported objects, and everything else (opaque). Strings travel through the memo (PUT,
MEMOIZE, GET) and DUP exactly as in the real unpickler; any other opcode's results are
opaque, so a STACK_GLOBAL we cannot resolve to two known strings is refused.
Structural errors raise Malformed: the real unpickler would stop at the same opcode.
"""

from __future__ import annotations

import _compat_pickle
import pickletools
from typing import Any

from catalog.scanning.allowlist import is_allowed
from catalog.scanning.errors import Malformed, Rejected

_MARK = object()  # a MARK on the (flattened) stack
_GLOBAL = object()  # a class/function obtained by an import
_OPAQUE = object()  # any other value
_STRING_OPS = {
    "STRING", "BINSTRING", "SHORT_BINSTRING", "UNICODE",
    "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8",
}  # fmt: skip
_PUT_OPS = {"PUT", "BINPUT", "LONG_BINPUT"}
_GET_OPS = {"GET", "BINGET", "LONG_BINGET"}
_HINT = "only torch/numpy tensor data may be uploaded (convert to safetensors)"


class PickleState:
    """The unpickler's stack, memo and protocol, with values reduced to what matters."""

    def __init__(self) -> None:
        self.stack: list[Any] = []
        self.memo: dict[int, Any] = {}
        self.proto = 0

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

    def pop_to_mark(self) -> None:
        while True:
            if not self.stack:
                raise Malformed("pickle pops a MARK that was never pushed")
            if self.stack.pop() is _MARK:
                return

    def generic(self, opcode: pickletools.OpcodeInfo) -> None:
        # Apply the stack effect pickletools documents; results are opaque values.
        before = opcode.stack_before
        below = len(before)
        if pickletools.markobject in before:
            below = before.index(pickletools.markobject)
            self.pop_to_mark()
        for _ in range(below):
            self.pop()
        marker = pickletools.markobject
        self.stack.extend(_MARK if s is marker else _OPAQUE for s in opcode.stack_after)

    def check_import(self, module: Any, name: Any) -> None:
        if not (isinstance(module, str) and isinstance(name, str)):
            raise Rejected(
                "pickle builds an import from values we cannot follow; cannot verify import"
            )
        if self.proto < 3:
            # The unpickler maps Python 2 names (e.g. __builtin__) for old protocols.
            module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
            module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        if not is_allowed(module, name):
            raise Rejected(f"pickle imports {module}.{name}, which is not allowed; {_HINT}")


def _proto(state: PickleState, arg: int) -> None:
    state.proto = arg


def _global(state: PickleState, arg: str) -> None:
    module, _, name = arg.partition(" ")
    state.check_import(module, name)
    state.stack.append(_GLOBAL)


def _inst(state: PickleState, arg: str) -> None:
    module, _, name = arg.partition(" ")
    state.check_import(module, name)
    state.pop_to_mark()
    state.stack.append(_OPAQUE)


def _stack_global(state: PickleState, _arg: None) -> None:
    name = state.pop()
    module = state.pop()
    state.check_import(module, name)
    state.stack.append(_GLOBAL)


def _extension(_state: PickleState, arg: int) -> None:
    raise Rejected(f"pickle imports through the copyreg extension registry (code {arg})")


def _memoize(state: PickleState, _arg: None) -> None:
    state.memo[len(state.memo)] = state.top()


def _dup(state: PickleState, _arg: None) -> None:
    state.stack.append(state.top())


def _pop(state: PickleState, _arg: None) -> None:
    # POP removes the top item, even a MARK (the unpickler then pops its metastack).
    if not state.stack:
        raise Malformed("pickle stack underflow")
    state.stack.pop()


def _build(state: PickleState, _arg: None) -> None:
    state.pop()  # the state argument
    if state.pop() is _GLOBAL:
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
    "BUILD": _build,
}
