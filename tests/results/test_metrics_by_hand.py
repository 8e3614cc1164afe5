"""Hand-derived tests of the metrics (filled in by the next commit)."""
