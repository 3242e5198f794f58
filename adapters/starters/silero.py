"""Silero VAD: its ONNX file only (the package also has TorchScript, which we do not ship).

Kept as before (model.onnx copied unchanged + the same config.json bytes, so a seeded hub
sees no new version), plus a README.md card with front matter like every starter."""

from __future__ import annotations

from pathlib import Path

import onnx

from .common import (
    StarterInfo,
    fmt_int,
    package_dir,
    versions,
    with_readme,
    write_json,
)
from .onnxcount import count_onnx_values

PACKAGE = "silero-vad"
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
    src = package_dir("silero_vad", PACKAGE) / "data"
    (out_dir / ONNX).write_bytes((src / "silero_vad.onnx").read_bytes())
    graph = onnx.load(str(src / "silero_vad.onnx")).graph
    n_values = count_onnx_values(graph)
    write_json(out_dir / CONFIG, run_config(graph, n_values), sort_keys=True)
    version = versions(PACKAGE)
    info = StarterInfo(
        key=PACKAGE,
        name="silero-vad",
        owner="snakers4",
        task="voice-activity-detection",
        source_domain="speech",
        library="onnx",
        license="mit",
        datasets=[],
        languages=[],
        tags=["onnx", "vad", "audio", "speech"],
        card=card(n_values, version[PACKAGE]),
        files=[],
        num_parameters=n_values,
        packages=version,
    )
    return with_readme(out_dir, info, [CONFIG, ONNX])


def card(n_values: int, version: str) -> str:
    return f"""# Silero VAD

A voice activity detector: for each short window of mono audio it returns the probability
that someone is speaking.

## Where the weights come from
`model.onnx` is `silero_vad/data/silero_vad.onnx` from the PyPI package `{PACKAGE}`
{version}, by the Silero team (github.com/snakers4/silero-vad), copied unchanged. The
package's TorchScript and other variants are not included.

## License
MIT.

## Training data
The authors say it was trained on large corpora covering over 6000 languages with varied
noise and recording quality; they do not publish the list, so none is given here.

## Intended use
Streaming speech detection at 16 kHz (512-sample windows) or 8 kHz (256-sample windows).
Each call takes `input` (the window with the previous 64 / 32 samples prepended),
`state` (float32 [2, batch, 128], zeros at the start) and `sr`; it returns the speech
probability and the next state. Not a speech recogniser.

## Fine-tuning
No fine-tuning adapter exists for this task.

## Size
{fmt_int(n_values)} stored values, counting both sample-rate branches of the graph.
"""
