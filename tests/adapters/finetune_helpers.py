"""Shared by the training tests: run an adapter on a folder, read what it wrote."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml

from adapters.base import HyperParams, TrainRequest
from adapters.formats import ModelFormat, model_format
from adapters.registry import get_adapter
from tests import standard_models as sm

from .helpers import Recorder, external_locations

BASE_REPO = {"id": "owner/tiny-base", "revision": "b" * 40, "license": "mit"}
DOCUMENTS = ("README.md", "metrics.json")  # what a fine-tune writes about itself
# What a (base, strategy) case adds to the fast settings: the smallest trained part.
STRATEGY_EXTRA = {"last-k": {"unfreeze_layers": 1}, "lora": {"lora_rank": 2, "lora_alpha": 4}}


def detect(folder: Path) -> ModelFormat:
    return model_format(sm.files_in(folder), sm.read_json_in(folder))


def request(key: str, base: Path, data: Path, out: Path, dataset: str, **params) -> TrainRequest:
    fmt = detect(base).to_dict()
    reason = get_adapter(key).accepts(fmt)
    assert reason is None, reason
    out.mkdir(parents=True, exist_ok=True)
    return TrainRequest(
        base_dir=base,
        dataset_path=data,
        params=HyperParams.from_dict(params),
        output_dir=out,
        base_format=fmt,
        base_repo=BASE_REPO,
        dataset_name=dataset,
        device="cpu",
    )


def train(key: str, base: Path, data: Path, out: Path, dataset: str = "toy", **params):
    req = request(key, base, data, out, dataset, **params)
    recorder = Recorder()
    result = get_adapter(key).train(req, **recorder.hooks())
    return result, recorder


def cached_bases(builders: dict[str, Callable[[Path], Path]], work: Path):
    """name -> the base's folder, built on first use (once per session)."""

    @functools.cache
    def get(name: str) -> Path:
        return builders[name](work / "bases" / name)

    return get


def cached_runs(key: str, bases, data: Path, work: Path, **fast):
    """(name, strategy) -> (base dir, result, recorder, output dir), trained on first use."""

    @functools.cache
    def get(name: str, strategy: str):
        out = work / "out" / f"{name}-{strategy}"
        params = {"strategy": strategy, **fast, **STRATEGY_EXTRA.get(strategy, {})}
        result, recorder = train(key, bases(name), data, out, **params)
        return bases(name), result, recorder, out

    return get


def front_matter(folder: Path) -> dict:
    text = (folder / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def onnx_path(out: Path, result) -> Path:
    return out / result.layout["onnx"]


def onnx_logits(path: Path, inputs: dict) -> np.ndarray:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return session.run(["logits"], {n: inputs[n].numpy() for n in names})[0]


def assert_onnx_links_into_folder(path: Path) -> None:
    """Initializers are external data in files beside the graph, never a second copy."""
    import onnx

    locations = external_locations(path)
    assert locations, "no initializer points into a safetensors file"
    for name in locations:
        assert (path.parent / name).is_file(), name
        assert name.endswith(".safetensors"), name
    graph = onnx.load(str(path), load_external_data=False).graph
    linked = inline = 0
    for init in graph.initializer:
        if init.data_location == onnx.TensorProto.EXTERNAL:
            linked += int({e.key: e.value for e in init.external_data}["length"])
        else:
            inline += len(init.raw_data) + 4 * len(init.float_data)
    assert inline < linked / 20, (inline, linked)  # only tiny tensors (< 16 values) inline


def assert_card(out: Path, result, *, library: str, relation: str, task: str, dataset: str):
    meta = front_matter(out)
    assert meta["base_model"] == BASE_REPO["id"]
    assert meta["base_model_relation"] == relation
    assert meta["library_name"] == library
    assert meta["pipeline_tag"] == task
    assert meta["datasets"] == [dataset]
    assert meta["license"] == BASE_REPO["license"]
    [entry] = meta["model-index"]
    *_, res = entry["results"]  # the estimate (a user's test set comes first)
    assert res["task"]["type"] == task
    estimate = result.metrics["estimate"]
    metrics = {m["type"]: m for m in res["metrics"]}
    for kind, key in (("accuracy", "accuracy"), ("f1", "macro_f1")):
        figure = estimate[key]
        assert metrics[kind]["value"] == figure["value"]
        assert metrics[kind]["args"]["confidence_interval"] == [figure["low"], figure["high"]]
        assert metrics[kind]["args"]["n"] == estimate["n"]
    assert json.loads((out / "metrics.json").read_text()) == result.metrics


def new_bytes(out: Path, base: Path) -> int:
    """Bytes the hub must store for ``out`` when it already holds ``base``'s files
    (content-addressed: identical files are stored once)."""
    known = {sha256(p) for p in base.rglob("*") if p.is_file()}
    blobs: dict[str, int] = {}
    for p in out.rglob("*"):
        if p.is_file() and (digest := sha256(p)) not in known:
            blobs[digest] = p.stat().st_size
    return sum(blobs.values())


def id2label(folder: Path) -> list[str]:
    config = json.loads((folder / "config.json").read_text())
    return [config["id2label"][k] for k in sorted(config["id2label"], key=int)]
