"""Honest figures for classifiers: intervals, baselines, cross-validated estimates.

No Django, no torch at import: ``report`` and ``intervals`` need numpy only, so web
processes render and check reports cheaply; the worker adds the fitting side."""

from .report import classification_report, headline

__all__ = ["classification_report", "headline"]
