"""Summarise an ONNX model: opsets, I/O signature, parameter count, external data.

`onnx.load(..., load_external_data=False)` parses the protobuf but never opens the
external weight files; parameters are counted from initializer dims, not their bytes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from catalog.inspect.errors import InspectionError


def load_model(path: Path) -> Any:
    """Parse the ModelProto (lazy import: onnx is heavy and only needed here)."""
    import onnx
    from google.protobuf.message import DecodeError

    try:
        return onnx.load(str(path), load_external_data=False)
    except (DecodeError, ValueError, OSError) as exc:
        raise InspectionError(f"not a readable ONNX model ({exc})") from None


def iter_tensors(model: Any) -> Iterator[Any]:
    """Every TensorProto in the model: initializers and attribute tensors, subgraphs too."""
    yield from _graph_tensors(model.graph)
    for function in model.functions:
        for node in function.node:
            yield from _node_tensors(node)


def _graph_tensors(graph: Any) -> Iterator[Any]:
    yield from graph.initializer
    for sparse in graph.sparse_initializer:
        yield sparse.values
        yield sparse.indices
    for node in graph.node:
        yield from _node_tensors(node)


def _node_tensors(node: Any) -> Iterator[Any]:
    for attr in node.attribute:
        if attr.HasField("t"):
            yield attr.t
        yield from attr.tensors
        if attr.HasField("sparse_tensor"):
            yield attr.sparse_tensor.values
            yield attr.sparse_tensor.indices
        for sparse in attr.sparse_tensors:
            yield sparse.values
            yield sparse.indices
        if attr.HasField("g"):
            yield from _graph_tensors(attr.g)
        for graph in attr.graphs:
            yield from _graph_tensors(graph)


def external_locations(model: Any) -> list[str]:
    """The `location` of every tensor stored outside the .onnx file, in first-seen order."""
    import onnx

    seen: dict[str, None] = {}
    for tensor in iter_tensors(model):
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            entries = {e.key: e.value for e in tensor.external_data}
            seen.setdefault(entries.get("location", ""), None)
    return list(seen)


def summarize(path: Path) -> dict[str, Any]:
    import onnx

    model = load_model(path)
    graph = model.graph
    dtypes: dict[str, int] = {}
    for init in graph.initializer:
        name = onnx.TensorProto.DataType.Name(init.data_type)
        dtypes[name] = dtypes.get(name, 0) + math.prod(init.dims)
    initializer_names = {init.name for init in graph.initializer}
    return {
        "format": "onnx",
        "ir_version": model.ir_version,
        "opsets": {(o.domain or "ai.onnx"): o.version for o in model.opset_import},
        "producer": {"name": model.producer_name, "version": model.producer_version},
        # Old IR versions list initializers among the inputs; those are not real inputs.
        "inputs": [_value_info(v) for v in graph.input if v.name not in initializer_names],
        "outputs": [_value_info(v) for v in graph.output],
        "initializer_count": len(graph.initializer),
        "parameter_count": sum(dtypes.values()),
        "dtypes": dict(sorted(dtypes.items())),
        "node_count": len(graph.node),
        "external_data": external_locations(model),
    }


def _value_info(value: Any) -> dict[str, Any]:
    import onnx

    info: dict[str, Any] = {"name": value.name}
    if value.type.HasField("tensor_type"):
        tensor_type = value.type.tensor_type
        info["elem_type"] = onnx.TensorProto.DataType.Name(tensor_type.elem_type)
        if tensor_type.HasField("shape"):
            info["shape"] = [_dim(d) for d in tensor_type.shape.dim]
    else:
        info["type"] = value.type.WhichOneof("value")
    return info


def _dim(dim: Any) -> int | str | None:
    # A dimension is a fixed size, a symbolic name ("batch") or unknown.
    kind = dim.WhichOneof("value")
    return dim.dim_value if kind == "dim_value" else dim.dim_param if kind else None
