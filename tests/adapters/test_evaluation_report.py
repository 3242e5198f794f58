"""The evaluation report: interval arithmetic against textbook values and scikit-learn,
warnings where a reader needs them (no torch, no database)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion
from sklearn.metrics import precision_recall_fscore_support

from adapters.evaluation import classification_report, headline
from adapters.evaluation.intervals import bootstrap_macro_f1, confusion_matrix, wilson

CV = {"kind": "cv", "folds": 5}


@pytest.mark.parametrize(
    "k, n, low, high",
    [
        (0, 10, 0.0, 0.2775),  # Newcombe (1998) / Agresti-Coull tables: the 0/n and n/n
        (10, 10, 0.7225, 1.0),  # cases where the normal approximation gives zero width
        (45, 50, 0.7864, 0.9565),
        (81, 263, 0.2553, 0.3662),  # Newcombe's example 81/263
    ],
)
def test_wilson_matches_textbook_values(k, n, low, high):
    got = wilson(k, n)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_wilson_of_nothing_is_the_whole_range():
    assert wilson(0, 0) == (0.0, 1.0)


def _random_predictions(n: int, classes: int, accuracy: float, seed: int):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, classes, n)
    wrong = rng.random(n) > accuracy
    y_pred = np.where(wrong, (y_true + rng.integers(1, classes, n)) % classes, y_true)
    return y_true.tolist(), y_pred.tolist()


def test_per_class_scores_and_matrix_agree_with_scikit_learn():
    y_true, y_pred = _random_predictions(300, 4, 0.7, seed=1)
    labels = ["a", "b", "c", "d"]
    report = classification_report(y_true, y_pred, labels, procedure=CV)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=range(4), zero_division=0)
    got = report["per_class"]
    assert [c["precision"] for c in got] == pytest.approx(p, abs=1e-6)
    assert [c["recall"] for c in got] == pytest.approx(r, abs=1e-6)
    assert [c["f1"] for c in got] == pytest.approx(f, abs=1e-6)
    assert [c["support"] for c in got] == s.tolist()
    assert report["confusion_matrix"] == sk_confusion(y_true, y_pred, labels=range(4)).tolist()
    assert report["macro_f1"]["value"] == pytest.approx(f.mean(), abs=1e-6)
    assert report["accuracy"]["value"] == pytest.approx(np.mean(np.equal(y_true, y_pred)))


def test_macro_f1_skips_labels_neither_present_nor_predicted():
    """A test set may hold a subset of the training labels."""
    report = classification_report([0, 0, 1, 1], [0, 0, 1, 0], ["a", "b", "c"], procedure=CV)
    _, _, f, _ = precision_recall_fscore_support([0, 0, 1, 1], [0, 0, 1, 0], zero_division=0)
    assert report["macro_f1"]["value"] == pytest.approx(f.mean(), abs=1e-6)
    assert report["per_class"][2]["support"] == 0


def test_bootstrap_interval_contains_the_estimate_and_is_seeded():
    y_true, y_pred = _random_predictions(120, 3, 0.8, seed=2)
    cm = confusion_matrix(y_true, y_pred, 3)
    first = bootstrap_macro_f1(cm, seed=7)
    assert first == bootstrap_macro_f1(cm, seed=7)
    assert first != bootstrap_macro_f1(cm, seed=8)
    report = classification_report(y_true, y_pred, ["x", "y", "z"], procedure=CV, seed=7)
    f1 = report["macro_f1"]
    assert f1["low"] < f1["value"] < f1["high"]
    assert (f1["low"], f1["high"]) == pytest.approx(first, abs=1e-6)


def test_bootstrap_matches_resampling_rows():
    """The multinomial shortcut is the row bootstrap: compare with the slow definition."""
    y_true, y_pred = _random_predictions(200, 3, 0.75, seed=3)
    rng = np.random.default_rng(0)
    t, p = np.array(y_true), np.array(y_pred)
    scores = []
    for _ in range(2000):
        i = rng.integers(0, len(t), len(t))
        scores.append(precision_recall_fscore_support(t[i], p[i], zero_division=0)[2].mean())
    slow = np.percentile(scores, [2.5, 97.5])
    fast = bootstrap_macro_f1(confusion_matrix(y_true, y_pred, 3), resamples=2000, seed=1)
    assert fast == pytest.approx(slow, abs=0.015)


def test_a_tiny_set_gets_a_wide_interval_and_warnings():
    report = classification_report([0] * 6 + [1] * 6, [0] * 6 + [1] * 6, ["a", "b"], procedure=CV)
    accuracy = report["accuracy"]
    assert accuracy["value"] == 1.0
    assert accuracy["high"] - accuracy["low"] > 0.2  # 12/12 is not "100%"
    assert any(w.startswith("n=12 is small") for w in report["warnings"])
    assert any(w.startswith("interval wider than 10 points") for w in report["warnings"])


def test_a_large_accurate_set_has_no_warnings():
    y_true, y_pred = _random_predictions(2000, 3, 0.9, seed=4)
    report = classification_report(y_true, y_pred, ["a", "b", "c"], procedure=CV)
    assert report["accuracy"]["high"] - report["accuracy"]["low"] < 0.1
    assert report["warnings"] == []


def test_baselines_on_the_same_examples_show_the_lift():
    y_true, y_pred = _random_predictions(200, 3, 0.9, seed=5)
    majority = [int(np.bincount(y_true).argmax())] * len(y_true)
    report = classification_report(
        y_true, y_pred, ["a", "b", "c"], procedure=CV,
        baselines=[{"name": "majority", "y_pred": majority}],
    )  # fmt: skip
    (base,) = report["baselines"]
    assert base["title"] == "majority class"
    assert base["accuracy"]["value"] == pytest.approx(np.bincount(y_true).max() / len(y_true))
    lift = report["accuracy"]["value"] - base["accuracy"]["value"]
    assert base["accuracy_lift"] == pytest.approx(lift, abs=1e-6)
    assert headline(report).startswith(f"accuracy {report['accuracy']['value'] * 100:.1f}% [")
    assert "vs majority class" in headline(report)


def test_a_baseline_inside_the_interval_is_called_out():
    report = classification_report(
        [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], ["a", "b"], procedure=CV,
        baselines=[{"name": "majority", "y_pred": [0] * 5}],
    )  # fmt: skip
    assert any("majority class scores 80%" in w for w in report["warnings"])


def test_a_baseline_above_the_interval_is_called_better():
    report = classification_report(
        [0, 1] * 20, [0, 0] * 20, ["a", "b"], procedure=CV,
        baselines=[{"name": "tfidf_logreg", "y_pred": [0, 1] * 20}],
    )  # fmt: skip
    assert any("above the model's interval: the baseline does better" in w
               for w in report["warnings"])  # fmt: skip


def test_procedure_descriptions_say_what_was_measured():
    y = [0, 1] * 48
    cv = classification_report(y, y, ["a", "b"], procedure=CV)
    assert cv["procedure"] == {
        "kind": "cv",
        "folds": 5,
        "n": 96,
        "description": "5-fold CV estimate of the procedure that trained this model, n=96",
    }
    holdout = {"kind": "holdout", "shipped": "all", "trained_on": 96}
    text = classification_report(y[:20], y[:20], ["a", "b"], procedure=holdout)
    assert "trained on 76, measured on the other n=20" in text["procedure"]["description"]
    assert "all 96 examples" in text["procedure"]["description"]
    with pytest.raises(ValueError):
        classification_report(y, y, ["a", "b"], procedure={"kind": "guess"})


def test_the_report_is_plain_json():
    y_true, y_pred = _random_predictions(50, 3, 0.8, seed=6)
    report = classification_report(y_true, y_pred, ["a", "b", "c"], procedure=CV)
    assert json.loads(json.dumps(report)) == report
