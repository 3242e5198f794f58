"""Test helpers for the adapter tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

import onnx


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    """A deflated ZIP holding ``members`` (name -> bytes) as given, odd names included."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def external_locations(onnx_path: Path) -> set[str]:
    """Files the graph's external-data tensors point into."""
    model = onnx.load(str(onnx_path), load_external_data=False)
    return {
        entry.value
        for init in model.graph.initializer
        if init.data_location == onnx.TensorProto.EXTERNAL
        for entry in init.external_data
        if entry.key == "location"
    }


class Recorder:
    """Collects what an adapter reports, and can ask it to cancel."""

    def __init__(self, cancel_after: int | None = None):
        self.progress: list = []
        self.lines: list[str] = []
        self.checks = 0
        self.cancel_after = cancel_after

    def on_progress(self, p) -> None:
        self.progress.append(p)

    def is_cancelled(self) -> bool:
        self.checks += 1
        return self.cancel_after is not None and self.checks > self.cancel_after

    def log(self, line: str) -> None:
        self.lines.append(line)

    def hooks(self) -> dict:
        return {"on_progress": self.on_progress, "is_cancelled": self.is_cancelled, "log": self.log}
