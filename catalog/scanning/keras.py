"""Keras model configs: a Lambda layer is marshalled Python bytecode that Keras runs when
it rebuilds the model (always in tf.keras 2 and legacy .h5 loading, with safe_mode=False
in Keras 3), and a config may name any module for Keras to import a class or function
from. Both are refused wherever a config is found: a .keras archive's config.json, any
JSON document, and the `model_config` attribute of a Keras 2 .h5 file."""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from catalog.scanning.errors import SAFE, UNSCANNED, Rejected

try:
    import h5py
except ImportError:  # without it .h5 files are stored as "unscanned"
    h5py = None

LAMBDA_CLASSES = frozenset({"Lambda", "__lambda__"})
# Where Keras itself may import classes from when it rebuilds a model.
KERAS_PACKAGES = frozenset({"keras", "tf_keras", "keras_hub", "keras_nlp", "keras_cv"})
_H5_CONFIG_ATTRS = ("model_config", "training_config")
_HINT = "Keras would run code from it when loading; rebuild the model without it"


def check_keras_config(value: Any) -> None:
    """Refuse a config holding a Lambda layer or naming a module outside Keras.

    Walks the document with an explicit stack: JSON nests as deep as the sender likes."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            _check_object(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _check_object(node: dict) -> None:
    class_name = node.get("class_name")
    if class_name in LAMBDA_CLASSES or node.get("function_type") == "lambda":
        raise Rejected(f"holds a Keras Lambda layer (Python bytecode); {_HINT}")
    module = node.get("module")
    named = isinstance(class_name, str) and isinstance(module, str) and module
    if named and module.split(".")[0] not in KERAS_PACKAGES:
        raise Rejected(f"Keras config imports {class_name!r} from module {module!r}; {_HINT}")


def scan_hdf5(file: BinaryIO) -> str:
    """The Keras 2 architecture lives in root attributes; the rest of an HDF5 file is data."""
    if h5py is None:
        return UNSCANNED
    try:
        with h5py.File(file, "r") as f:
            texts = [f.attrs.get(name) for name in _H5_CONFIG_ATTRS]
    except (OSError, ValueError, KeyError, RuntimeError):
        return UNSCANNED  # not readable as HDF5 here: no loader reads a config from it either
    for text in texts:
        if text is None:
            continue
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        try:
            config = json.loads(str(text))
        except (ValueError, RecursionError):
            raise Rejected("its Keras model_config attribute is not valid JSON") from None
        check_keras_config(config)
    return SAFE
