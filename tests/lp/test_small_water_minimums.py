"""Small hand-derived LPs for the water family's minimums (filled in by a later commit)."""
