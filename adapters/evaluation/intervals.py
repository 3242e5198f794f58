"""Confidence intervals: Wilson for a proportion, a seeded bootstrap for macro-F1.

numpy only (no scipy): both run in the worker and in the web process."""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054  # the normal quantile for a two-sided 95% interval
RESAMPLES = 1000
CELLS_PER_BLOCK = 4_000_000  # resamples x confusion cells held in memory at once


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (Wilson 1927). Unlike the normal
    approximation it stays inside [0, 1] and is not zero-width at 0/n or n/n, which is
    exactly where small validation sets land."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At k = 0 or k = n the exact bound is 0 or 1; rounding must not move it inside.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Rows: true class, columns: predicted class."""
    t = np.asarray(y_true, dtype=np.int64)
    p = np.asarray(y_pred, dtype=np.int64)
    flat = np.bincount(t * n_classes + p, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def per_class_scores(tp, true_counts, pred_counts):
    """(precision, recall, f1) arrays; a class never predicted (or never present) scores 0
    there, as scikit-learn's zero_division=0 does. Works on any leading batch shape."""
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(pred_counts > 0, tp / np.maximum(pred_counts, 1), 0.0)
        recall = np.where(true_counts > 0, tp / np.maximum(true_counts, 1), 0.0)
        denom = precision + recall
        f1 = np.where(denom > 0, 2 * precision * recall / np.where(denom > 0, denom, 1), 0.0)
    return precision, recall, f1


def macro_f1_from_counts(tp, true_counts, pred_counts) -> np.ndarray:
    """Mean F1 over the classes that occur (truly or as predictions): a label that a test
    set does not contain and the model never predicts says nothing either way."""
    _, _, f1 = per_class_scores(tp, true_counts, pred_counts)
    seen = (true_counts + pred_counts) > 0
    return (f1 * seen).sum(-1) / np.maximum(seen.sum(-1), 1)


def macro_f1(cm: np.ndarray) -> float:
    return float(macro_f1_from_counts(np.diag(cm), cm.sum(1), cm.sum(0)))


def bootstrap_macro_f1(
    cm: np.ndarray, *, resamples: int = RESAMPLES, confidence: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of macro-F1 over resampled examples.

    Macro-F1 depends on the examples only through the confusion matrix, so drawing n
    examples with replacement is drawing multinomial counts over its non-empty cells: the
    same distribution as resampling rows, at a cost that grows with the cells, not with n."""
    n = int(cm.sum())
    if n == 0:
        return 0.0, 1.0
    k = cm.shape[0]
    rows, cols = np.nonzero(cm)
    probs = cm[rows, cols] / n
    true_onehot = np.eye(k)[rows]  # cells x classes
    pred_onehot = np.eye(k)[cols]
    diag = (rows == cols)[:, None] * true_onehot
    rng = np.random.default_rng(seed)
    block = max(1, CELLS_PER_BLOCK // max(len(rows), 1))
    scores = []
    for start in range(0, resamples, block):
        draws = rng.multinomial(n, probs, size=min(block, resamples - start)).astype(np.float64)
        scores.append(macro_f1_from_counts(draws @ diag, draws @ true_onehot, draws @ pred_onehot))
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(np.concatenate(scores), [tail, 100 - tail])
    return float(low), float(high)
