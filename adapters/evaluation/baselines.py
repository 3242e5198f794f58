"""Cheap baselines, fitted and judged on exactly the runs the model's estimate uses, so
the lift is measured on the same examples with the same training data.

A baseline is ``fit_predict(train_indices, predict_indices) -> predicted classes``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .plan import Plan

FitPredict = Callable[[list[int], list[int]], list[int]]


def majority(y: Sequence[int]) -> FitPredict:
    """The most frequent training class, for everything (ties: the first label)."""
    labels = np.asarray(y)

    def fit_predict(train: list[int], predict: list[int]) -> list[int]:
        return [int(np.bincount(labels[train]).argmax())] * len(predict)

    return fit_predict


def tfidf_logreg(texts: Sequence[str], y: Sequence[int], seed: int) -> FitPredict:
    """Word and bigram TF-IDF with a logistic regression: the classic strong text baseline
    a fine-tuned transformer has to beat to be worth its cost."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    labels = np.asarray(y)

    def fit_predict(train: list[int], predict: list[int]) -> list[int]:
        if len(set(labels[train].tolist())) < 2:  # nothing to separate: predict the one class
            return [int(labels[train][0])] * len(predict)
        vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), max_features=100_000)
        x_train = vectorizer.fit_transform([texts[i] for i in train])
        model = LogisticRegression(max_iter=1000, random_state=seed)
        model.fit(x_train, labels[train])
        return model.predict(vectorizer.transform([texts[i] for i in predict])).tolist()

    return fit_predict


def nearest_class_mean(features: np.ndarray, y: Sequence[int]) -> FitPredict:
    """The class whose mean frozen feature (L2-normalised, cosine) is nearest. For images we
    take this over, say, a logistic regression on the same features: it has no
    hyper-parameters and no training, costs one mean per class on features the job already
    computes, and answers exactly "does training add anything to what the base model's
    frozen representation already separates?"."""
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    unit = features / np.maximum(norms, 1e-12)
    labels = np.asarray(y)

    def fit_predict(train: list[int], predict: list[int]) -> list[int]:
        classes = np.unique(labels[train])
        means = np.stack([unit[train][labels[train] == c].mean(0) for c in classes])
        means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
        return classes[(unit[predict] @ means.T).argmax(1)].tolist()

    return fit_predict


def estimate_baselines(named: dict[str, FitPredict], plan: Plan) -> list[dict]:
    """Each baseline's predictions for the plan's judged examples, run by run."""
    out = []
    for name, fit_predict in named.items():
        predicted: dict[int, int] = {}
        for run in plan.runs:
            predicted.update(zip(run.judge, fit_predict(run.train, run.judge), strict=True))
        out.append({"name": name, "y_pred": [predicted[i] for i in plan.judged]})
    return out


def baselines_on_test(
    named: dict[str, FitPredict], train: list[int], test: list[int]
) -> list[dict]:
    """Each baseline trained on what the shipped model trained on, judged on the test set."""
    return [{"name": name, "y_pred": fp(train, test)} for name, fp in named.items()]
