"""One run from start to end: the ask/tell loop, picking and assembling the best model, run.json, events and re-scoring."""
