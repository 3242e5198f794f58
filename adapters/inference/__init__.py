"""Scoring a published classifier on a labelled dataset, without training.

- ``evaluable``: which versions can be scored and how to load them (JSON only, no torch:
  web processes call it to refuse early, with a reason);
- ``predict``: the worker's side (torch): load the version as its library saved it and
  predict a dataset's labels in batches.
"""
