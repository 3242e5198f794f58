"""Inspection reads real numbers out of real files, detecting formats by content."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from catalog.inspect import InspectionError, inspect_file, summarize_version
from tests.catalog import fixtures_files as ff


def test_safetensors_counts(tmp_path: Path) -> None:
    info = inspect_file(ff.safetensors_file(tmp_path / "upload"), "model.safetensors")
    assert info == {
        "format": "safetensors",
        "tensor_count": 4,
        "parameter_count": 12 + 3 + 10 + 7,
        "buffer_count": 0,
        "dtypes": {"BF16": 10, "F32": 15, "I64": 7},
        "metadata": {"format": "pt", "note": "tiny"},
    }
    json.dumps(info)  # must be storable as JSON


def test_safetensors_detected_by_content_not_name(tmp_path: Path) -> None:
    info = inspect_file(ff.safetensors_file(tmp_path / "x"), "pytorch_model.bin")
    assert info["format"] == "safetensors"


@pytest.mark.parametrize(
    ("header", "data", "length", "expected"),
    [
        (b"{not json", b"", None, "not valid JSON"),
        (b"[]", b"", None, "not a JSON object"),
        (b"{}", b"", 1000, "past the end of the file"),
        (b"{}", b"", 200 * 1024 * 1024, "over the"),
        (b'{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}', b"", None,
         "data is 0 bytes but the header describes 8"),
        (b'{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}', bytes(8), None,
         "do not match its shape"),
        (b'{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},'
         b' "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}', bytes(12), None,
         "overlaps or leaves a gap"),
        (b'{"a": {"dtype": "X9", "shape": [], "data_offsets": [0, 1]}}', b"\0", None,
         "unknown dtype"),
        (b'{"__metadata__": {"k": 1}}', b"", None, "__metadata__"),
    ],
)  # fmt: skip
def test_broken_safetensors(
    tmp_path: Path, header: bytes, data: bytes, length: int | None, expected: str
) -> None:
    path = ff.safetensors_raw(tmp_path / "b", header, data, length)
    with pytest.raises(InspectionError, match=expected):
        inspect_file(path, "model.safetensors")


def test_onnx_summary(tmp_path: Path) -> None:
    info = inspect_file(ff.onnx_model(tmp_path / "m"), "model.onnx")
    assert info["format"] == "onnx"
    assert info["ir_version"] == 8
    assert info["opsets"] == {"ai.onnx": 17}
    assert info["producer"] == {"name": "hub-tests", "version": "1.0"}
    assert info["inputs"] == [{"name": "x", "elem_type": "FLOAT", "shape": ["batch", 4]}]
    assert info["outputs"] == [{"name": "y", "elem_type": "FLOAT", "shape": ["batch", 3]}]
    assert info["parameter_count"] == 15
    assert info["dtypes"] == {"FLOAT": 15}
    assert info["initializer_count"] == 2
    assert info["node_count"] == 3
    assert info["external_data"] == []


def test_onnx_external_data_counted_by_dims(tmp_path: Path) -> None:
    # The external file does not exist: parameters still come from the dims.
    path = ff.onnx_model(tmp_path / "m", external_location="model.onnx_data")
    info = inspect_file(path, "model.onnx")
    assert info["parameter_count"] == 15
    assert info["external_data"] == ["model.onnx_data"]


def test_config_json_summary(tmp_path: Path) -> None:
    path = tmp_path / "c"
    config = {
        "architectures": ["BertForSequenceClassification"],
        "model_type": "bert",
        "hidden_size": 768,
        "id2label": {"0": "neg", "1": "pos", "2": "neutral"},
        "hub_format": {"task": "text-classification", "weights": "model.safetensors"},
        "layer_norm_eps": 1e-12,
    }
    path.write_text(json.dumps(config))
    assert inspect_file(path, "config.json") == {
        "format": "json",
        "config": {
            "architectures": ["BertForSequenceClassification"],
            "model_type": "bert",
            "hidden_size": 768,
            "id2label_count": 3,
            "num_labels": 3,
            "hub_format": {"task": "text-classification", "weights": "model.safetensors"},
        },
    }


def test_config_json_explicit_num_labels_and_task(tmp_path: Path) -> None:
    path = tmp_path / "c"
    path.write_text(json.dumps({"num_labels": 5, "task": "image-classification"}))
    summary = inspect_file(path, "sub/config.json")["config"]
    assert summary == {"task": "image-classification", "num_labels": 5}


@pytest.mark.parametrize("content", [b"{broken", b"[1, 2]", b"\x80\x02}q\x00."])
def test_malformed_config_json(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "c"
    path.write_bytes(content)
    with pytest.raises(InspectionError, match=r"config\.json"):
        inspect_file(path, "config.json")


def test_recognised_formats(tmp_path: Path) -> None:
    cases = {
        "pytorch": (ff.torch_zip_checkpoint(tmp_path / "a"), "model.safetensors"),
        "pytorch-legacy": (ff.torch_legacy_checkpoint(tmp_path / "b"), "model.bin"),
        "torchscript": (ff.torchscript_archive(tmp_path / "c"), "model.pt"),
        "zip": (ff.many_members_zip(tmp_path / "d", 3), "data.bin"),
        "npz": (ff.npz_file(tmp_path / "e.npz"), "arrays.npz"),
    }
    pkl = tmp_path / "f"
    pkl.write_bytes(pickle.dumps({"a": 1}, protocol=4))
    cases["pickle"] = (pkl, "README.md")
    for expected, (path, repo_path) in cases.items():
        assert inspect_file(path, repo_path) == {"format": expected}, expected


def test_small_formats(tmp_path: Path) -> None:
    gguf = inspect_file(ff.gguf_file(tmp_path / "g"), "model.bin")
    assert gguf == {"format": "gguf", "version": 3, "tensor_count": 2, "metadata_count": 5}
    npy = inspect_file(ff.npy_file(tmp_path / "a.npy"), "a.npy")
    assert npy == {"format": "npy", "dtype": "<f4", "shape": [2, 3], "parameter_count": 6}


def test_text_json_and_unknown(tmp_path: Path) -> None:
    text, data, blob, empty = (tmp_path / n for n in ("t", "j", "u", "e"))
    text.write_text("# Model card\n\nÜnïcode is fine.\n")
    data.write_text('{"vocab": [1, 2]}')
    blob.write_bytes(bytes(range(256)) * 4)
    empty.write_bytes(b"")
    assert inspect_file(text, "README.md") == {"format": "text"}
    assert inspect_file(data, "tokenizer.json") == {"format": "json"}
    assert inspect_file(blob, "weights.raw") == {"format": "unknown"}
    assert inspect_file(empty, ".gitattributes") == {"format": "text"}


def test_protobuf_lookalike_is_not_onnx(tmp_path: Path) -> None:
    # Starts like a ModelProto (ir_version field) but has no graph.
    path = tmp_path / "p"
    path.write_bytes(b"\x08\x08" + b"\x12\x03abc")
    assert inspect_file(path, "blob.data")["format"] != "onnx"


def test_summarize_version_prefers_safetensors_and_groups_shards() -> None:
    def st(path: str, params: int, dtype: str = "F32") -> dict:
        return {"format": "safetensors", "path": path, "parameter_count": params,
                "dtypes": {dtype: params}}  # fmt: skip

    infos = [
        st("model-00001-of-00002.safetensors", 600),
        st("model-00002-of-00002.safetensors", 400),
        st("model.fp16.safetensors", 1000, "F16"),  # same weights again
        {"format": "onnx", "path": "onnx/model.onnx", "parameter_count": 1000,
         "dtypes": {"FLOAT": 1000}},
        {"format": "pytorch"},
        {"format": "json", "config": {}},
    ]  # fmt: skip
    assert summarize_version(infos) == {
        "formats": ["json", "onnx", "pytorch", "safetensors"],
        "file_count": 6,
        "parameter_count": 1000,
        "parameter_source": "safetensors",
        "dtypes": {"F32": 1000},
    }


def test_summarize_version_onnx_variants_not_double_counted() -> None:
    infos = [
        {"format": "onnx", "parameter_count": 15, "dtypes": {"FLOAT": 15}},
        {"format": "onnx", "parameter_count": 15, "dtypes": {"INT8": 15}},
        {"format": "text"},
    ]
    summary = summarize_version(infos)
    assert summary["parameter_count"] == 15
    assert summary["parameter_source"] == "onnx"


def test_summarize_version_without_weights() -> None:
    summary = summarize_version([{"format": "pytorch"}, {"format": "unknown"}])
    assert summary["parameter_count"] is None
    assert summary["parameter_source"] is None
    assert summary["dtypes"] == {}


def test_summarize_real_files(tmp_path: Path) -> None:
    infos = [
        inspect_file(ff.safetensors_file(tmp_path / "s"), "model.safetensors"),
        inspect_file(ff.onnx_model(tmp_path / "o"), "model.onnx"),
    ]
    assert summarize_version(infos)["parameter_count"] == 32  # safetensors wins over ONNX
