"""Fine-tune on my data, end to end through HTTP with a live Celery worker and real training."""

from __future__ import annotations

import itertools
import time
from datetime import datetime

import pytest

from adapters import demo_data
from adapters.base import PHASES
from catalog.models import FineTuneJob, Version
from tests.catalog.finetune_helpers import (
    MINILM,
    MOBILENET,
    dataset_upload,
    download_version,
    seed_starter,
    wait_for_job,
)

pytestmark = [pytest.mark.training, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def accuracy(predicted: list[str], expected: list[str]) -> float:
    return sum(p == e for p, e in zip(predicted, expected, strict=True)) / len(expected)


def sizes(info: dict) -> dict[str, int]:
    return {s["rfilename"]: s["size"] for s in info["siblings"]}


def blob_ids(info: dict) -> dict[str, str]:
    return {s["rfilename"]: s["blobId"] for s in info["siblings"]}


def test_text_finetune_of_minilm_on_bbc_news(api, live_worker, tmp_path):
    from sentence_transformers import SentenceTransformer

    base = seed_starter(MINILM)
    train, test = demo_data.bbc_split(train_per_class=40, test_per_class=20, seed=1)
    csv_path = demo_data.write_text_csv(tmp_path / "bbc.csv", train)
    dataset = dataset_upload(api, csv_path, "text-classification")
    assert dataset.status_code == 201, dataset.content
    assert dataset.json()["summary"]["rows"] == 200
    assert len(dataset.json()["summary"]["classes"]) == 5
    test_path = demo_data.write_text_csv(tmp_path / "bbc-test.csv", test)
    test_set = dataset_upload(api, test_path, "text-classification").json()

    submitted = api.post(
        "/api/finetunes",
        {
            "model": base.full_name,
            "dataset": dataset.json()["id"],
            "test_dataset": test_set["id"],
            "adapter": "text-classification",
            "target_name": "minilm-bbc",
            "params": {"epochs": 40, "seed": 3},
        },
        format="json",
    )
    assert submitted.status_code == 202, submitted.content
    job, seen = watch_job(api, submitted.json()["id"])
    assert job["status"] == "succeeded", job
    # The learning curve is the first fold's; the counter covers 5 folds + the shipped fit.
    assert len(job["history"]) == 40 and job["history"][-1]["val_accuracy"] > 0.8
    assert job["epoch"] == job["epochs"] == 240
    # Every phase ran, in order, each after the one before; the page's view agrees.
    assert [p["name"] for p in job["phases"]] == list(PHASES)
    assert_in_time_order(job["phases"])
    training = job["phases"][3]
    assert (training["fit"], training["fits"], training["fit_epoch"]) == (6, 6, 40)
    assert job["phases"][2]["done"] == job["phases"][2]["total"] == 300  # 200 rows + 100 test
    assert [p["state"] for p in job["progress"]["phases"]] == ["done"] * len(PHASES)
    assert job["progress"]["overall"] == 1.0 and job["progress"]["etaSeconds"] is None
    # While it ran: phases only moved forward, the bar never went back nor reached 100 %.
    order = [PHASES.index(p["progress"]["phase"]) for p in seen if p["status"] == "running"]
    assert order == sorted(order) and len(set(order)) >= 2
    bars = [p["progress"]["overall"] for p in seen if p["status"] == "running"]
    assert bars == sorted(bars) and max(bars) < 1.0
    print("phase seconds (head-only, MiniLM, 5-fold CV):", phase_seconds(job))
    result = job["result"]
    assert result["id"] == "alice/minilm-bbc" and result["version"] == 1

    info = api.get("/api/models/alice/minilm-bbc").json()
    base_info = api.get(f"/api/models/{base.full_name}").json()
    assert info["parent"] == {"id": base.full_name, "version": 1, "sha": base_info["sha"]}
    assert info["version"]["origin"] == "finetune"
    assert info["pipeline_tag"] == "text-classification"
    assert info["library_name"] == "sentence-transformers"
    figures = info["eval_results"]
    estimate, on_test = figures["estimate"], figures["test_set"]
    assert estimate["procedure"]["description"] == (
        "5-fold CV estimate of the procedure that trained this model, n=200"
    )
    assert estimate["accuracy"]["value"] > 0.8 and len(estimate["confusion_matrix"]) == 5
    assert on_test["n"] == 100 and on_test["procedure"]["rows_seen_in_training"] == 0
    # The estimate is close to the figure on data the job never saw.
    assert abs(estimate["accuracy"]["value"] - on_test["accuracy"]["value"]) < 0.1
    assert [b["name"] for b in on_test["baselines"]] == ["majority", "tfidf_logreg"]
    assert "metrics.json" in sizes(info)
    # Head-only on a sentence-transformers base: its weight file is the base's, stored once.
    assert blob_ids(info)["model.safetensors"] == blob_ids(base_info)["model.safetensors"]
    assert job["metrics"]["stored_bytes"] < 0.02 * sizes(base_info)["model.safetensors"]
    # The base lists its derivative; the derived model's page links back.
    assert "alice/minilm-bbc" in api.get(f"/{base.full_name}").content.decode()

    model_dir = download_version(api, "alice/minilm-bbc", "main", tmp_path / "dl")
    card = (model_dir / "README.md").read_text()
    assert f"base_model: {base.full_name}" in card and "model-index" in card
    model = SentenceTransformer(str(model_dir), device="cpu")
    labels = model[0].auto_model.config.id2label
    logits = model.encode([text for text, _ in test])
    predicted = [labels[int(i)] for i in logits.argmax(1)]
    assert accuracy(predicted, [label for _, label in test]) > 0.85


def test_image_finetune_of_mobilenet_on_digits(api, live_worker, tmp_path):
    from transformers import pipeline

    base = seed_starter(MOBILENET)
    train, test = demo_data.digits_split(train_per_class=25, test_per_class=10, seed=2)
    zip_path = demo_data.write_image_zip(tmp_path / "digits.zip", train, wrapper="digits")
    dataset = dataset_upload(api, zip_path, "image-classification")
    assert dataset.status_code == 201, dataset.content
    submitted = api.post(
        "/api/finetunes",
        {
            "model": base.full_name,
            "dataset": dataset.json()["id"],
            "adapter": "image-classification",
            "target_name": "digits-mobilenet",
        },
        format="json",
    )
    assert submitted.status_code == 202, submitted.content
    job = wait_for_job(api, submitted.json()["id"], {"succeeded", "failed", "cancelled"})
    assert job["status"] == "succeeded", job
    info = api.get("/api/models/alice/digits-mobilenet").json()
    base_info = api.get(f"/api/models/{base.full_name}").json()
    # The sharded checkpoint's first shard is the base's weight file, byte for byte.
    assert (
        blob_ids(info)["model-00001-of-00002.safetensors"]
        == (blob_ids(base_info)["model.safetensors"])
    )
    assert job["metrics"]["stored_bytes"] < 0.02 * sizes(base_info)["model.safetensors"]
    model_dir = download_version(api, "alice/digits-mobilenet", "main", tmp_path / "dl")
    classify = pipeline("image-classification", model=str(model_dir), device="cpu")
    predicted = [out[0]["label"] for out in classify([im.convert("RGB") for im, _ in test])]
    assert accuracy(predicted, [label for _, label in test]) > 0.6  # chance is 0.1


@pytest.mark.parametrize(
    "live_worker",
    [{"HUB_FINETUNE_LEASE_SECONDS": "4", "CELERY_VISIBILITY_TIMEOUT": "8"}],
    indirect=True,
)
def test_worker_killed_mid_job_restarts_and_publishes_exactly_once(
    api, live_worker, tmp_path, settings
):
    base = seed_starter(MINILM)
    train, _ = demo_data.bbc_split(train_per_class=20, test_per_class=0, seed=4)
    dataset = dataset_upload(
        api, demo_data.write_text_csv(tmp_path / "d.csv", train), "text-classification"
    ).json()
    job_id = api.post(
        "/api/finetunes",
        {
            "model": base.full_name,
            "dataset": dataset["id"],
            "adapter": "text-classification",
            "target_name": "survivor",
            # LoRA runs the whole model every epoch: long enough to be killed in the middle.
            # One hold-out run that ships (not a run and then the shipped fit): what is tested
            # here is the restart, and one fit halves the time.
            "params": {
                "strategy": "lora",
                "epochs": 6,
                "max_length": 64,
                "evaluation": "holdout",
            },
        },
        format="json",
    ).json()["id"]
    running = wait_for_job(api, job_id, {"running"}, timeout=120)
    assert running["status"] == "running"
    wait_until(lambda: FineTuneJob.objects.get(pk=job_id).epoch >= 2, timeout=120)
    live_worker.kill()
    assert FineTuneJob.objects.get(pk=job_id).status == "running"  # stranded by the dead worker
    live_worker.start()
    job = wait_for_job(api, job_id, {"succeeded", "failed", "cancelled"}, timeout=400)
    assert job["status"] == "succeeded", job
    assert job["attempts"] >= 2 and "restarted" in job["log"]
    # The restart began the phases again; LoRA trains the body, so no features are cached.
    assert [p["name"] for p in job["phases"]] == [p for p in PHASES if p != "features"]
    assert_in_time_order(job["phases"])
    states = {p["name"]: p["state"] for p in job["progress"]["phases"]}
    assert states["features"] == "skipped" and states["publishing"] == "done"
    print("phase seconds (LoRA, MiniLM, one hold-out run):", phase_seconds(job))
    assert Version.objects.filter(model__name="survivor").count() == 1


def test_cancel_a_running_job(api, live_worker, tmp_path):
    base = seed_starter(MINILM)
    train, _ = demo_data.bbc_split(train_per_class=20, test_per_class=0, seed=5)
    dataset = dataset_upload(
        api, demo_data.write_text_csv(tmp_path / "d.csv", train), "text-classification"
    ).json()
    job_id = api.post(
        "/api/finetunes",
        {
            "model": base.full_name,
            "dataset": dataset["id"],
            "adapter": "text-classification",
            "target_name": "cancelled-one",
            "params": {"strategy": "lora", "epochs": 50, "max_length": 64},
        },
        format="json",
    ).json()["id"]
    wait_until(lambda: FineTuneJob.objects.get(pk=job_id).epoch >= 1, timeout=120)
    assert api.post(f"/api/finetunes/{job_id}/cancel").status_code == 200
    job = wait_for_job(api, job_id, {"succeeded", "failed", "cancelled"}, timeout=120)
    assert job["status"] == "cancelled" and job["result"] is None
    assert not Version.objects.filter(model__name="cancelled-one").exists()


def watch_job(api, job_id: str, timeout: float = 300) -> tuple[dict, list[dict]]:
    """(the finished job, every state the API showed on the way), polled as the page does."""
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        body = api.get(f"/api/finetunes/{job_id}").json()
        seen.append(body)
        if body["status"] in {"succeeded", "failed", "cancelled"}:
            return body, seen
        time.sleep(0.2)
    raise AssertionError(f"job stuck in {seen[-1]['status']}")


def assert_in_time_order(phases: list[dict]) -> None:
    stamps = [datetime.fromisoformat(p["started"]) for p in phases]
    assert stamps == sorted(stamps)
    for phase, following in itertools.pairwise(phases):
        assert phase["ended"] == following["started"]


def phase_seconds(job: dict) -> dict[str, float]:
    """How long each phase took (the last ends with the job): the figures behind
    catalog.finetune.progress.PHASE_COST."""
    ends = [p["ended"] for p in job["phases"][:-1]] + [job["finishedAt"]]
    return {
        p["name"]: round(
            (datetime.fromisoformat(end) - datetime.fromisoformat(p["started"])).total_seconds(), 2
        )
        for p, end in zip(job["phases"], ends, strict=True)
    }


def wait_until(check, timeout: float) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def test_publish_as_the_next_version_of_my_own_fork(api, live_worker, tmp_path):
    base = seed_starter(MINILM)
    fork = api.post(
        f"/api/models/{base.full_name}/duplicate", {"repository": "alice/my-minilm"}, format="json"
    )
    assert fork.status_code == 200
    train, _ = demo_data.bbc_split(train_per_class=10, test_per_class=0, seed=6)
    dataset = dataset_upload(
        api, demo_data.write_text_csv(tmp_path / "d.csv", train), "text-classification"
    ).json()
    job_id = api.post(
        "/api/finetunes",
        {
            "model": "alice/my-minilm",
            "dataset": dataset["id"],
            "adapter": "text-classification",
            "publish_to_base": True,
            "params": {"epochs": 5, "max_length": 64},
        },
        format="json",
    ).json()["id"]
    job = wait_for_job(api, job_id, {"succeeded", "failed", "cancelled"})
    assert job["status"] == "succeeded", job
    assert job["result"]["id"] == "alice/my-minilm" and job["result"]["version"] == 2
    versions = api.get("/api/models/alice/my-minilm/versions").json()
    assert [(v["number"], v["origin"]) for v in versions] == [(2, "finetune"), (1, "fork")]
    assert versions[0]["parent"]["version"] == 1
