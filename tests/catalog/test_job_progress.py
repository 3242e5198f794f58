"""The job's progress as people see it: phases in order with their own progress, an overall
bar weighted by measured cost that is never full while work remains, an ETA after the first
epoch, and a chart with axes. Phases are lists as the worker records them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from adapters.base import PHASES, EpochProgress
from catalog.finetune.charts import nice_ticks, training_chart_svg
from catalog.finetune.listing import duration_text
from catalog.finetune.progress import PHASE_COST, phases_advance, progress_view
from catalog.templatetags.jobs import duration

T0 = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat()


def recorded(*names_and_seconds, **counts) -> list[dict]:
    """Phases as phases_advance records them: each starts when the one before ended."""
    steps: list[dict] = []
    for name, start in names_and_seconds:
        steps = phases_advance(steps, name, at=at(start), **counts.get(name, {}))
    return steps


def view(steps, *, seconds: float, status="running", strategy="head-only", **kwargs):
    return progress_view(
        status=status, steps=steps, strategy=strategy, features_expected=strategy == "head-only",
        now=T0 + timedelta(seconds=seconds), **kwargs,
    )  # fmt: skip


def test_a_queued_job_says_where_it_stands_in_the_queue():
    shown = view([], seconds=5, status="queued", queue_position=3)
    assert [p.name for p in shown.phases] == list(PHASES)
    assert (
        shown.phases[0].state == "current" and shown.phases[0].detail == "position 3 in the queue"
    )
    assert {p.state for p in shown.phases[1:]} == {"pending"}
    assert shown.overall == 0 and shown.eta_seconds is None


def test_training_shows_the_fit_and_epoch_and_weights_the_bar_by_cost():
    epoch = EpochProgress(epoch=43, epochs=60, train_loss=0.4, fits=6)  # 6 fits of 10 epochs
    assert (epoch.fit, epoch.fit_epoch, epoch.per_fit) == (5, 3, 10)
    steps = recorded(("queued", 0), ("preparing", 2), ("features", 5), ("training", 9))
    counts = {"done": 43, "total": 60, "fit": 5, "fits": 6, "fit_epoch": 3, "per_fit": 10}
    steps = phases_advance(steps, "training", at=at(20), **counts)
    shown = view(steps, seconds=20)
    states = {p.name: (p.state, p.detail) for p in shown.phases}
    assert states["features"] == ("done", "4.0 s") and states["preparing"] == ("done", "3.0 s")
    assert states["training"] == ("current", "fit 5 of 6, epoch 3/10")
    assert states["exporting"] == ("pending", "")
    cost = PHASE_COST["head-only"]
    done = cost["preparing"] + cost["features"] + cost["training"] * 43 / 60
    assert shown.overall == pytest.approx(done / sum(cost.values()))
    # More epochs, a fuller bar.
    steps = phases_advance(steps, "training", at=at(21), done=50)
    assert view(steps, seconds=21).overall > shown.overall


def test_the_bar_is_not_full_while_exporting_or_publishing():
    steps = recorded(
        ("queued", 0), ("preparing", 1), ("features", 3), ("training", 5), ("evaluating", 30),
        ("exporting", 31), ("publishing", 45),
        training={"done": 240, "total": 240},
    )  # fmt: skip
    for cut in (5, 6, 7):  # during evaluating, exporting, publishing
        shown = view(steps[:cut], seconds=46)
        assert shown.overall < 0.99 + 1e-9 and shown.percent < 100
        assert shown.phases[cut - 1].state == "current"
    finished = view(steps, seconds=50, status="succeeded", finished=T0 + timedelta(seconds=50))
    assert finished.overall == 1.0 and finished.percent == 100 and finished.eta_seconds is None
    assert finished.phases[-1].detail == "5.0 s" and finished.current is None


def test_eta_appears_after_the_first_epoch_from_the_measured_pace():
    steps = recorded(("queued", 0), ("preparing", 1), ("training", 10))
    steps = phases_advance(steps, "training", at=at(10), done=0, total=16)
    assert view(steps, seconds=20, strategy="lora").eta_seconds is None  # no epoch yet
    steps = phases_advance(steps, "training", at=at(25), done=2, total=16, fit=1, fits=2,
                           fit_epoch=2, per_fit=8)  # fmt: skip
    shown = view(steps, seconds=25, strategy="lora")
    after = sum(PHASE_COST["body"][p] for p in ("evaluating", "exporting", "publishing"))
    assert shown.eta_seconds == pytest.approx(7.5 * 14 + after)  # 15 s for 2 epochs
    assert {p.name: p.state for p in shown.phases}["features"] == "skipped"
    # Exporting: what is left of its measured cost, then publishing's.
    steps = phases_advance(steps, "exporting", at=at(150))
    later = view(steps, seconds=152, strategy="lora").eta_seconds
    body = PHASE_COST["body"]
    assert later == pytest.approx(body["exporting"] - 2 + body["publishing"])


def test_a_failed_job_marks_where_it_stopped():
    steps = recorded(("queued", 0), ("preparing", 1), ("training", 4))
    ended = T0 + timedelta(seconds=9)
    shown = view(steps, seconds=9, status="failed", strategy="lora", finished=ended)
    states = {p.name: (p.state, p.detail) for p in shown.phases}
    assert states["training"] == ("stopped", "") and states["exporting"] == ("pending", "")
    assert states["preparing"] == ("done", "3.0 s")
    never_ran = view([], seconds=9, status="cancelled")
    assert [p.state for p in never_ran.phases][:2] == ["stopped", "pending"]
    assert shown.overall < 1 and shown.current is None


def test_phases_advance_updates_counts_then_closes_the_phase():
    steps = phases_advance([], "features", at=at(0), done=0, total=300)
    steps = phases_advance(steps, "features", at=at(1), done=128, total=300)
    assert steps == [{"name": "features", "started": at(0), "ended": None, "done": 128,
                      "total": 300}]  # fmt: skip
    steps = phases_advance(steps, "training", at=at(2))
    assert steps[0]["ended"] == at(2) and steps[1]["started"] == at(2)


def test_eta_reads_as_minutes():
    shown = [duration(s) for s in (None, 42.4, 59.6, 185, 3725)]
    assert shown == ["—", "42 s", "1 min 00 s", "3 min 05 s", "1 h 02 min"]
    # The same text as the job list's durations: one formatter.
    assert duration(83) == duration_text(timedelta(seconds=83)) == "1 min 23 s"


def test_the_chart_has_labelled_axes_with_values():
    history = [
        {"epoch": e, "train_loss": 1.6 / e, "val_loss": 1.7 / e, "val_accuracy": 1 - 0.5 / e}
        for e in range(1, 26)
    ]
    svg = ET.fromstring(training_chart_svg(history))
    texts: dict[str, list[str]] = {}
    for t in svg.iter("text"):
        texts.setdefault(t.get("class", ""), []).append(t.text)
    assert texts["tick loss-tick"] == ["0", "0.5", "1", "1.5", "2"]  # covers the 1.7 top
    assert texts["tick acc-tick"] == ["0", "0.25", "0.5", "0.75", "1"]
    assert texts["tick epoch-tick"] == ["1", "5", "10", "15", "20", "25"]
    assert texts["axis-title"] == ["epoch", "loss", "accuracy"]
    assert nice_ticks(0.031) == [0, 0.01, 0.02, 0.03, 0.04]


@pytest.fixture
def make_job(alice, publish):
    from catalog.models import Blob, Dataset, FineTuneJob
    from catalog.services.models import model_create

    base = publish(model_create(user=alice, name="encoder"), {"config.json": b'{"model_type": 1}'})
    blob = Blob.objects.create(sha256="ab" * 32, size=10)
    dataset = Dataset.objects.create(
        owner=alice, name="reviews.csv", blob=blob, kind="text", format="csv", summary={}
    )

    def make(**fields):
        fields = {"adapter": "text-classification",
                  "params": {"strategy": "head-only", "epochs": 10}, **fields}  # fmt: skip
        return FineTuneJob.objects.create(owner=alice, base_version=base, dataset=dataset, **fields)

    return make


@pytest.mark.django_db
def test_the_job_page_and_api_show_phases_queue_position_and_eta(client, alice, make_job):
    from django.utils import timezone
    from rest_framework.test import APIClient

    start = timezone.now() - timedelta(seconds=30)
    steps = phases_advance([], "queued", at=start.isoformat())
    for name, second in (("preparing", 1), ("features", 5), ("training", 10)):
        steps = phases_advance(steps, name, at=(start + timedelta(seconds=second)).isoformat())
    steps = phases_advance(steps, "training", at=start.isoformat(), done=14, total=60, fit=2,
                           fits=6, fit_epoch=4, per_fit=10)  # fmt: skip
    running = make_job(status="running", phases=steps, epoch=14, epochs=60)
    make_job(status="queued")
    waiting = make_job(status="queued")
    client.force_login(alice)
    html = client.get(f"/jobs/{running.pk}?panel=1").content.decode()
    assert 'data-phase="training" data-state="current"' in html
    assert "fit 2 of 6, epoch 4/10" in html and 'id="job-eta"' in html
    names = [part.split('"')[0] for part in html.split('<li class="phase phase-')[1:]]
    assert names == ["done", "done", "done", "current", "pending", "pending", "pending"]
    api = APIClient()
    api.force_authenticate(alice)
    shown = api.get(f"/api/finetunes/{running.pk}").json()["progress"]
    assert shown["phase"] == "training" and 0 < shown["overall"] < 0.99
    after = sum(PHASE_COST["head-only"][p] for p in ("evaluating", "exporting", "publishing"))
    trained = (timezone.now() - start).total_seconds() - 10  # 20 s and the test's own time
    low, high = 20 / 14 * 46 + after, trained / 14 * 46 + after
    assert low - 0.05 <= shown["etaSeconds"] <= high + 0.05  # the API rounds to 0.1 s
    queued = api.get(f"/api/finetunes/{waiting.pk}").json()["progress"]
    assert queued["phases"][0]["detail"] == "position 2 in the queue"


@pytest.mark.django_db
def test_computing_features_is_expected_where_the_run_computes_them(make_job):
    from catalog.finetune.selectors import job_progress

    def features(**fields) -> str:
        job = make_job(status="queued", **fields)
        return {p.name: p.state for p in job_progress(job).phases}["features"]

    assert features() == "pending"  # head-only caches the body's outputs
    assert features(params={"strategy": "head-only", "cache_features": False}) == "skipped"
    assert features(params={"strategy": "lora", "epochs": 3}) == "skipped"
    # As a form sends it: parsed as the worker parses it, not read as a true string.
    assert features(params={"strategy": "head-only", "cache_features": "false"}) == "skipped"
    # The image adapter computes them for its baseline whatever the strategy.
    assert features(adapter="image-classification", params={"strategy": "full"}) == "pending"
