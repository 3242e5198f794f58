"""Builders for the files the inspection and scanning tests upload.

Every builder writes into a directory the test owns (tmp_path). The malicious pickles are
real exploits: loaded with `pickle.load` they run `echo pwned > <marker>`, which is how
the tests prove a scan rejected them *without* running them (the marker never appears).
"""

from __future__ import annotations

import os
import pickle
import shlex
import struct
import warnings
import zipfile
from pathlib import Path

import torch

# ---------------------------------------------------------------- raw pickle assembly


def push_str(value: str) -> bytes:
    """SHORT_BINUNICODE: push a str (len < 256)."""
    data = value.encode()
    return pickle.SHORT_BINUNICODE + bytes([len(data)]) + data


def _global(module: str, name: str) -> bytes:
    """GLOBAL: protocol 0-2 import, "module\\nname\\n"."""
    return pickle.GLOBAL + f"{module}\n{name}\n".encode()


def payload_command(marker: Path) -> str:
    return f"echo pwned > {shlex.quote(str(marker))}"


class _RunsShell:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (self.command,))


def reduce_exploit(marker: Path, protocol: int = 2) -> bytes:
    """What `pickle.dumps` makes of an object whose __reduce__ calls os.system."""
    return pickle.dumps(_RunsShell(payload_command(marker)), protocol=protocol)


def memo_stack_global_exploit(marker: Path) -> bytes:
    """os.system via STACK_GLOBAL with both names fetched back from the memo.

    A scanner that only looks at the strings right before STACK_GLOBAL sees nothing.
    """
    return b"".join(
        [
            pickle.PROTO + b"\x04",
            push_str("os"),
            pickle.MEMOIZE,  # memo[0] = "os"
            pickle.POP,
            push_str("harmless"),
            pickle.DUP,
            pickle.POP,
            pickle.LONG_BINPUT + struct.pack("<I", 7),  # memo[7] = "harmless"
            pickle.POP,
            push_str("system"),
            pickle.BINPUT + b"\x07",  # memo[7] = "system" (overwrites)
            pickle.POP,
            pickle.BINGET + b"\x00",
            pickle.LONG_BINGET + struct.pack("<I", 7),
            pickle.STACK_GLOBAL,
            push_str(payload_command(marker)),
            pickle.TUPLE1,
            pickle.REDUCE,
            pickle.STOP,
        ]
    )


def getattr_exploit(marker: Path) -> bytes:
    """getattr(importlib.import_module("os"), "system")(cmd), Python-2 spelling."""
    return b"".join(
        [
            pickle.PROTO + b"\x02",
            _global("__builtin__", "getattr"),  # the unpickler maps this to builtins
            _global("importlib", "import_module"),
            push_str("os"),
            pickle.TUPLE1,
            pickle.REDUCE,
            push_str("system"),
            pickle.TUPLE2,
            pickle.REDUCE,
            push_str(payload_command(marker)),
            pickle.TUPLE1,
            pickle.REDUCE,
            pickle.STOP,
        ]
    )


def import_module_exploit(marker: Path) -> bytes:
    """operator.attrgetter("system")(importlib.import_module("os"))(cmd), no builtins."""
    return b"".join(
        [
            pickle.PROTO + b"\x04",
            push_str("operator"),
            push_str("attrgetter"),
            pickle.STACK_GLOBAL,
            push_str("system"),
            pickle.TUPLE1,
            pickle.REDUCE,
            push_str("importlib"),
            push_str("import_module"),
            pickle.STACK_GLOBAL,
            push_str("os"),
            pickle.TUPLE1,
            pickle.REDUCE,
            pickle.TUPLE1,
            pickle.REDUCE,
            push_str(payload_command(marker)),
            pickle.TUPLE1,
            pickle.REDUCE,
            pickle.STOP,
        ]
    )


def dotted_name_exploit(marker: Path) -> bytes:
    """Protocol 4 resolves dotted names: ("torch", "serialization.os.system")."""
    return b"".join(
        [
            pickle.PROTO + b"\x04",
            push_str("torch"),
            push_str("serialization.os.system"),
            pickle.STACK_GLOBAL,
            push_str(payload_command(marker)),
            pickle.TUPLE1,
            pickle.REDUCE,
            pickle.STOP,
        ]
    )


def inst_exploit(marker: Path) -> bytes:
    """Protocol 0, no PROTO header: INST imports and calls in one opcode."""
    return f"(S{payload_command(marker)!r}\nios\nsystem\n.".encode()


def gguf_pickle_polyglot(marker: Path) -> bytes:
    """Valid GGUF magic, yet pickle.load runs it: 'G' (BINFLOAT) eats the next 8 bytes."""
    return b"GGUF" + b"\x03\x00\x00\x00\x00" + memo_stack_global_exploit(marker)[2:]


def extension_registry_pickle() -> bytes:
    return pickle.PROTO + b"\x02" + pickle.EXT1 + b"\x01" + pickle.STOP


def unresolvable_stack_global() -> bytes:
    """STACK_GLOBAL whose module is not a string we can follow (an empty list)."""
    return pickle.PROTO + b"\x04" + pickle.EMPTY_LIST + push_str("x") + pickle.STACK_GLOBAL + b"."


def build_on_global() -> bytes:
    """BUILD that would set an attribute on torch.Tensor itself."""
    return b"".join(
        [
            pickle.PROTO + b"\x02",
            _global("torch", "Tensor"),
            pickle.NONE,
            pickle.EMPTY_DICT,
            push_str("evil"),
            pickle.NEWTRUE,
            pickle.SETITEM,
            pickle.TUPLE2,
            pickle.BUILD,
            pickle.STOP,
        ]
    )


# ------------------------------------------------------------------- torch checkpoints


def state_dict() -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    sd = dict(torch.nn.Linear(4, 3).state_dict())
    sd["embed"] = torch.randn(10, 2, dtype=torch.bfloat16)
    sd["steps"] = torch.arange(5)
    sd["param"] = torch.nn.Parameter(torch.ones(2))
    return sd


def torch_zip_checkpoint(path: Path) -> Path:
    torch.save(state_dict(), path)
    return path


def torch_legacy_checkpoint(path: Path) -> Path:
    torch.save(state_dict(), path, _use_new_zipfile_serialization=False)
    return path


def torch_legacy_exploit(path: Path, marker: Path) -> Path:
    """Legacy layout (magic, protocol, sys_info, object, keys) with a malicious object."""
    magic = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
    header = [magic, pickle.dumps(1001, protocol=2), pickle.dumps({}, protocol=2)]
    body = [reduce_exploit(marker), pickle.dumps([], protocol=2)]
    path.write_bytes(b"".join(header + body))
    return path


def torch_zip_exploit(path: Path, marker: Path, member: str = "archive/data.pkl") -> Path:
    """A torch-style zip whose pickle member is malicious."""
    with zipfile.ZipFile(path, "w") as zf:
        if member != "archive/data.pkl":
            zf.writestr("archive/data.pkl", pickle.dumps({}, protocol=2))
        zf.writestr(member, reduce_exploit(marker))
        zf.writestr("archive/version", "3\n")
    return path


class TinyNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = torch.nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.fc(x))


def torchscript_archive(path: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit is deprecated
        torch.jit.script(TinyNet()).save(str(path))
    return path


def truncate(path: Path, keep: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def corrupt_member(path: Path, member_suffix: str) -> Path:
    """Flip one byte of a stored member's data so its CRC no longer matches."""
    with zipfile.ZipFile(path) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith(member_suffix))
    data = bytearray(path.read_bytes())
    name_len, extra_len = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_len + extra_len
    data[start] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


# ----------------------------------------------------------------------- other formats


def zip_bomb(path: Path, megabytes: int = 50) -> Path:
    """One member of zeros: ~50 KB on disk, `megabytes` MB when decompressed."""
    block = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("zeros.bin", "w") as f:
        for _ in range(megabytes):
            f.write(block)
    return path


def many_members_zip(path: Path, count: int) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(count):
            zf.writestr(f"f{i}.txt", "")
    return path


def safetensors_file(path: Path) -> Path:
    from safetensors.torch import save_file

    tensors = {
        "encoder.weight": torch.zeros(3, 4),
        "encoder.bias": torch.zeros(3),
        "head.weight": torch.ones(5, 2, dtype=torch.bfloat16),
        "ids": torch.arange(7, dtype=torch.int64),
    }
    save_file(tensors, str(path), metadata={"format": "pt", "note": "tiny"})
    return path


def safetensors_raw(
    path: Path, header: bytes, data: bytes = b"", length: int | None = None
) -> Path:
    """A hand-made safetensors file, for broken headers."""
    size = len(header) if length is None else length
    path.write_bytes(struct.pack("<Q", size) + header + data)
    return path


def onnx_model(
    path: Path, *, external_location: str | None = None, in_constant: bool = False
) -> Path:
    """y = relu(x @ W + b), x: [batch, 4]; W optionally stored as external data.

    `in_constant` moves W from the initializers into a Constant node's attribute inside
    an If branch, where a scanner that only reads graph.initializer would miss it.
    """
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.ones((4, 3), dtype=np.float32), "W")
    bias = numpy_helper.from_array(np.zeros(3, dtype=np.float32), "b")
    if external_location is not None:
        _make_external(weight, external_location)
    nodes = [
        helper.make_node("MatMul", ["x", "W"], ["xw"]),
        helper.make_node("Add", ["xw", "b"], ["z"]),
        helper.make_node("Relu", ["z"], ["y"]),
    ]
    initializers = [weight, bias]
    if in_constant:
        initializers = [bias]
        nodes[:0] = _if_constant(weight)
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])],
        initializer=initializers,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="hub-tests"
    )
    model.ir_version = 8
    model.producer_version = "1.0"
    path.write_bytes(model.SerializeToString())
    assert onnx.load(str(path), load_external_data=False).graph.node  # well-formed
    return path


def _make_external(tensor: object, location: str) -> None:
    from onnx import TensorProto

    tensor.ClearField("raw_data")  # type: ignore[attr-defined]
    tensor.data_location = TensorProto.EXTERNAL  # type: ignore[attr-defined]
    for key, value in (("location", location), ("offset", "0"), ("length", "48")):
        entry = tensor.external_data.add()  # type: ignore[attr-defined]
        entry.key, entry.value = key, value


def _if_constant(weight: object) -> list[object]:
    """cond = Constant(True); W = If(cond) with a Constant node in each branch subgraph."""
    from onnx import TensorProto, helper

    def branch(name: str) -> object:
        out = helper.make_tensor_value_info("W_" + name, TensorProto.FLOAT, [4, 3])
        const = helper.make_node("Constant", [], ["W_" + name], value=weight)
        return helper.make_graph([const], name, [], [out])

    cond = helper.make_tensor("cond_value", TensorProto.BOOL, [], [True])
    return [
        helper.make_node("Constant", [], ["cond"], value=cond),
        helper.make_node(
            "If", ["cond"], ["W"], then_branch=branch("then"), else_branch=branch("else")
        ),
    ]


def gguf_file(path: Path) -> Path:
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 2, 5) + bytes(64))
    return path


def npy_file(path: Path, dtype: str = "float32") -> Path:
    import numpy as np

    array = np.zeros((2, 3), dtype=dtype) if dtype != "object" else np.array([{}, 1], dtype=object)
    np.save(path, array, allow_pickle=True)
    return path


def npz_file(path: Path) -> Path:
    import numpy as np

    np.savez(path, a=np.zeros(3), b=np.ones((2, 2)))
    return path
