"""Silero VAD: its ONNX file only (the package also has TorchScript, which we do not ship).

Kept as before (model.onnx copied unchanged + the same config.json bytes, so a seeded hub
sees no new version), plus a README.md card with front matter like every starter."""

from __future__ import annotations

from pathlib import Path

import onnx

from .common import StarterInfo, package_dir, starter_finish, write_json
from .onnxcount import count_onnx_values
from .table import SILERO as FACTS

ONNX = "model.onnx"
CONFIG = "config.json"


def run_config(graph: onnx.GraphProto, n_values: int) -> dict:
    """How to call the graph (windows, context, state); the format the hub has served."""
    return {
        "hub_format": 1,
        "architecture": "silero-vad",
        "task": "voice-activity-detection",
        "labels": None,
        "preprocessing": {
            "type": "audio",
            "channels": 1,
            "sample_rates": [8000, 16000],
            "window_samples": {"8000": 256, "16000": 512},
            "context_samples": {"8000": 32, "16000": 64},  # previous samples prepended
            "onnx_inputs": [i.name for i in graph.input],
            "onnx_outputs": [o.name for o in graph.output],
        },
        "model_config": {"state_shape": [2, "batch", 128]},
        "num_parameters": n_values,
        "files": {"onnx": ONNX},
    }


def export(out_dir: Path) -> StarterInfo:
    src = package_dir("silero_vad", FACTS.key) / "data"
    (out_dir / ONNX).write_bytes((src / "silero_vad.onnx").read_bytes())
    graph = onnx.load(str(src / "silero_vad.onnx")).graph
    n_values = count_onnx_values(graph)
    write_json(out_dir / CONFIG, run_config(graph, n_values), sort_keys=True)
    return starter_finish(out_dir, FACTS, files=[CONFIG, ONNX], num_parameters=n_values)
