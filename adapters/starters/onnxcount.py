"""Counting the numbers stored in an ONNX graph (initializers and constants, subgraphs too)."""

from __future__ import annotations

import math

import onnx


def count_onnx_values(graph: onnx.GraphProto) -> int:
    total = sum(math.prod(t.dims) for t in graph.initializer)
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                total += count_onnx_values(attr.g)
            elif attr.type == onnx.AttributeProto.TENSOR:
                total += math.prod(attr.t.dims)
    return total
