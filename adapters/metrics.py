"""Classification metrics without scikit-learn (it is only a demo-data dependency)."""

from __future__ import annotations

import torch


def confusion(y_true: torch.Tensor, y_pred: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Rows: true class, columns: predicted class."""
    flat = y_true * n_classes + y_pred
    return torch.bincount(flat, minlength=n_classes * n_classes).view(n_classes, n_classes)


def summary(y_true: torch.Tensor, y_pred: torch.Tensor, labels: list[str]) -> dict:
    cm = confusion(y_true, y_pred, len(labels))
    tp = cm.diag().double()
    precision = tp / cm.sum(0).clamp(min=1)
    recall = tp / cm.sum(1).clamp(min=1)
    f1 = torch.where(
        precision + recall > 0, 2 * precision * recall / (precision + recall), torch.zeros_like(tp)
    )
    return {
        "accuracy": round(float(tp.sum() / cm.sum().clamp(min=1)), 6),
        "macro_f1": round(float(f1.mean()), 6),
        "per_class_f1": {label: round(float(v), 6) for label, v in zip(labels, f1, strict=True)},
        "confusion_matrix": cm.tolist(),
        "labels": list(labels),
        "val_examples": int(cm.sum()),
    }
