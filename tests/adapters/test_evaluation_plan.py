"""Which examples train and which judge (folds, hold-out, what ships), and the baselines run
on the same runs. numpy and scikit-learn only."""

from __future__ import annotations

import numpy as np
import pytest

from adapters.evaluation.baselines import (
    baselines_on_test,
    estimate_baselines,
    majority,
    nearest_class_mean,
    tfidf_logreg,
)
from adapters.evaluation.plan import plan_for, stratified_folds
from adapters.evaluation.testset import extra_labels_refusal

Y = [0] * 30 + [1] * 20 + [2] * 10


def plan(y=Y, **kw):
    args = {"evaluation": "auto", "cheap_refit": True, "cv_below": 2000, "fraction": 0.2,
            "seed": 3} | kw  # fmt: skip
    return plan_for(y, **args)


def test_folds_partition_the_examples_and_keep_class_shares():
    folds = stratified_folds(Y, 5, seed=0)
    judged = [i for _, judge in folds for i in judge]
    assert sorted(judged) == list(range(len(Y)))  # every example judged exactly once
    for train, judge in folds:
        assert set(train).isdisjoint(judge) and len(train) + len(judge) == len(Y)
        assert [np.sum(np.asarray(Y)[judge] == c) for c in range(3)] == [6, 4, 2]
    assert stratified_folds(Y, 5, seed=0) == folds != stratified_folds(Y, 5, seed=1)


def test_cheap_refits_cross_validate_and_ship_a_model_trained_on_everything():
    p = plan()
    assert (p.kind, p.folds, p.refit_all, p.fits) == ("cv", 5, True, 5.0)
    assert p.procedure() == {"kind": "cv", "folds": 5, "shipped": "all", "trained_on": 60}


def test_a_small_class_lowers_k_and_says_why():
    p = plan([0] * 10 + [1] * 3)
    assert p.folds == 3 and p.note == "the smallest class has 3 examples, so 3 folds"
    assert plan([0] * 10 + [1] * 2).folds == 2


def test_body_training_strategies_get_one_hold_out_run_then_the_full_fit():
    p = plan(cheap_refit=False)
    assert (p.kind, p.refit_all, len(p.runs)) == ("holdout", True, 1)
    assert len(p.judged) == 12 and p.fits == 1.8  # 48/60 + 1: within 2x a single fit
    assert plan(cheap_refit=False, evaluation="cv").kind == "cv"


def test_large_sets_and_requests_get_a_hold_out_split_that_ships_as_measured():
    for p in (plan(cv_below=60), plan(evaluation="holdout")):
        assert (p.kind, p.refit_all, p.fits) == ("holdout", False, 0.8)
        assert p.procedure()["shipped"] == "split" and p.procedure()["trained_on"] == 48
    assert "at or above the 60" in plan(cv_below=60).note
    with pytest.raises(ValueError, match="evaluation must be one of"):
        plan(evaluation="guess")


def test_baselines_run_on_the_plans_folds():
    p = plan()
    (entry,) = estimate_baselines({"majority": majority(Y)}, p)
    assert len(entry["y_pred"]) == len(Y)
    # Each fold's training majority is class 0 (24 of 48): the baseline predicts it throughout.
    assert set(entry["y_pred"]) == {0}
    (on_test,) = baselines_on_test({"majority": majority(Y)}, list(range(60)), [0, 59])
    assert on_test == {"name": "majority", "y_pred": [0, 0]}


def test_nearest_class_mean_separates_separable_features():
    rng = np.random.default_rng(0)
    centres = np.eye(3) * 5
    features = np.stack([centres[c] + rng.normal(size=3) for c in Y])
    predicted = nearest_class_mean(features, Y)(list(range(0, 60, 2)), list(range(1, 60, 2)))
    assert np.mean(np.asarray(predicted) == np.asarray(Y)[1::2]) > 0.9


def test_tfidf_logreg_reads_words():
    texts = [f"{word} item {n}" for n, word in enumerate(["stock", "goal", "chip"] * 10)]
    y = [0, 1, 2] * 10
    predicted = tfidf_logreg(texts, y, seed=0)(list(range(24)), list(range(24, 30)))
    assert predicted == y[24:]


def test_test_labels_must_be_training_labels():
    assert extra_labels_refusal(["a", "b"], ["a", "b", "c"]) is None
    reason = extra_labels_refusal(["a", "z", "q"], ["a", "b"])
    assert reason.startswith("The test set has labels the training data does not: 'q', 'z'.")
