"""The imports a tensor checkpoint may make when unpickled.

Everything here only rebuilds tensors, storages, dtypes, numpy arrays and plain
containers. It mirrors torch's own `weights_only` allowlist (plus numpy's array rebuild
functions), written out statically so scanning never imports torch. Anything else, and in
particular os/subprocess/builtins.eval/getattr/importlib, is refused.
"""

from __future__ import annotations

# fmt: off
_DTYPES = [
    "float16", "float32", "float64", "bfloat16", "half", "float", "double",
    "complex32", "complex64", "complex128", "bool",
    "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
    "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7",
    "int1", "int2", "int3", "int4", "int5", "int6", "int7",
    "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz", "float8_e8m0fnu",
    "float4_e2m1fn_x2", "qint8", "quint8", "qint32", "quint4x2", "quint2x4",
    "bits1x8", "bits2x4", "bits4x2", "bits8", "bits16",
]
_QSCHEMES = [
    "per_tensor_affine", "per_tensor_symmetric", "per_channel_affine",
    "per_channel_symmetric", "per_channel_affine_float_qparams",
]
_STORAGE_KINDS = [
    "Float", "Double", "Half", "BFloat16", "Long", "Int", "Short", "Char", "Byte", "Bool",
    "ComplexFloat", "ComplexDouble",
]
_QSTORAGES = ["QInt8", "QUInt8", "QInt32", "QUInt4x2", "QUInt2x4"]
_TENSOR_KINDS = [
    "Float", "Double", "Half", "BFloat16", "Long", "Int", "Short", "Char", "Byte", "Bool",
]
_REBUILDERS = [
    "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_parameter",
    "_rebuild_parameter_with_state", "_rebuild_qtensor", "_rebuild_sparse_tensor",
    "_rebuild_nested_tensor", "_rebuild_device_tensor_from_numpy",
    "_rebuild_device_tensor_from_cpu_tensor", "_rebuild_meta_tensor_no_storage",
    "_rebuild_wrapper_subclass",
]
# fmt: on
_NUMPY_REBUILD = {"_reconstruct", "scalar"}


def _build() -> dict[str, frozenset[str]]:
    storages = [f"{k}Storage" for k in _STORAGE_KINDS + _QSTORAGES]
    tensors = [f"{k}Tensor" for k in _TENSOR_KINDS]
    return {
        "collections": frozenset({"OrderedDict", "Counter"}),
        "torch": frozenset(["Size", "Tensor", "device", *_DTYPES, *_QSCHEMES, *storages, *tensors]),
        "torch.cuda": frozenset([*storages[: len(_STORAGE_KINDS)], *tensors]),
        "torch.storage": frozenset({"TypedStorage", "UntypedStorage"}),
        "torch._utils": frozenset(_REBUILDERS),
        "torch._tensor": frozenset({"_rebuild_from_type_v2"}),
        "torch.nn.parameter": frozenset({"Parameter"}),
        "torch.serialization": frozenset({"_get_layout"}),
        "numpy": frozenset({"ndarray", "dtype"}),
        "numpy.core.multiarray": frozenset(_NUMPY_REBUILD),
        "numpy._core.multiarray": frozenset(_NUMPY_REBUILD),
        "numpy.core.numeric": frozenset({"_frombuffer"}),  # protocol 5 arrays
        "numpy._core.numeric": frozenset({"_frombuffer"}),
        "_codecs": frozenset({"encode"}),  # how protocol-2 pickles spell bytes
        "builtins": frozenset({"set", "frozenset", "bytearray", "complex", "slice"}),
    }


ALLOWED_GLOBALS: dict[str, frozenset[str]] = _build()


def is_allowed(module: str, name: str) -> bool:
    # Exact match only: protocol 4 resolves dotted names ("torch", "_utils.os.system")
    # by walking attributes, so a prefix match would be a hole.
    return name in ALLOWED_GLOBALS.get(module, frozenset())
