"""Evaluations: score an existing classification version on a labelled dataset, without
training (issue 14, items 5 and 6), and the figures every page shows.

- ``targets``: can this version be evaluated, how to load it, who may (rights follow the
  bytes), from the version's detected format; JSON only;
- ``jobs``: submit (validate everything cheap up front, enqueue after commit);
- ``run``: the worker's run (claim, re-check rights, check the dataset in full, predict,
  report);
- ``reports``: the report of one run (``adapters.evaluation.report`` plus the majority
  baseline and the procedure);
- ``selectors``: reads of evaluations (only their owner sees them) and the model page's part;
- ``figures``: stored metrics (fine-tune estimates, test sets, evaluations, older flat
  metrics) as sections the metrics partial renders;
- ``leaderboard``: a base model's derived versions per dataset, as the viewer may see them.
"""
