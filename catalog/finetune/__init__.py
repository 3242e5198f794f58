"""Fine-tuning, in one place (the Django side; training itself is in ``adapters.classify``).

- ``options``: what the pages offer for a version (accepting adapters, or why none does),
  read from the version's detected format, JSON only;
- ``jobs``: submit (validate everything up front, enqueue after commit) and cancel;
- ``run``: the worker's run of one job (claim with a lease, re-check rights, train in a
  temp folder, publish once);
- ``publish``: the derived model and version, linked to the base;
- ``workspace``: a version's files (and a dataset) on local disk for the training code;
- ``selectors``: reads of datasets and jobs (only their owner sees them);
- ``charts``: the training chart on the job page.
"""
