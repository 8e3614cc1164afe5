"""Many runs at scale, and the trade-off frontier.

from vakhsh.ensemble import run_ensemble, open_ensemble, trace_frontier
result = run_ensemble("toy-cascade", "spec.yaml", "ens/", workers=2)
result.succeeded, result.failed, result.aggregates      # pandas DataFrames
front = trace_frontier("central-asia", x="tj_winter_energy",
                 y="downstream_vegetation_delivery", points=9, out="front/")
"""

from __future__ import annotations


def __getattr__(name: str):
    if name in ("run_ensemble", "local_client", "RunHooks", "Tally"):
        from vakhsh.ensemble import runner

        return getattr(runner, name)
    if name in ("EnsembleResult", "open_ensemble"):
        from vakhsh.ensemble import results

        return getattr(results, name)
    if name in ("EnsembleSpec", "read_spec", "parse_spec"):
        from vakhsh.ensemble import spec

        return getattr(spec, name)
    if name in ("trace_frontier", "Frontier"):
        import importlib

        return getattr(importlib.import_module("vakhsh.ensemble.frontier"), name)
    if name in ("objective", "Objective", "Selectors"):
        from vakhsh.ensemble import objectives

        return getattr(objectives, name)
    raise AttributeError(f"module 'vakhsh.ensemble' has no attribute {name!r}")


__all__ = [
    "run_ensemble",
    "open_ensemble",
    "EnsembleResult",
    "EnsembleSpec",
    "read_spec",
    "parse_spec",
    "trace_frontier",
    "Frontier",
    "objective",
    "Objective",
    "Selectors",
    "local_client",
    "RunHooks",
    "Tally",
]
