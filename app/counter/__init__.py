"""Counter cases (000 §6, §7): the procedure catalog, the case workflow, review by city staff."""
