"""Transitional: `vakhsh.solve.run.optimise` is `vakhsh.pipeline.optimise`.

Kept only for the command-line modules that still import it from here until the CLI move;
delete it then (tests/test_layers.py lists it as the one allowed solve -> pipeline import).
"""

from __future__ import annotations


def __getattr__(name: str):
    # lazy: solve must not import the pipeline (which imports solve) at import time
    if name in ("optimise", "SolveOptions", "SolveError", "Progress"):
        import vakhsh.pipeline

        return getattr(vakhsh.pipeline, name)
    raise AttributeError(f"module 'vakhsh.solve.run' has no attribute {name!r}")
