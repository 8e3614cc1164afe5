"""Explain an infeasible model: the smallest set of limits whose relaxation restores it.

The LP is built again with a priced slack on every hard constraint, each family its own
(reservoir end targets, storage floors, minimum releases, reach minimum flows, sink
minimum inflows, storage-unit end states; and the water balances, whose slack is water
from nowhere). Then:

1. every limit family alone: the families whose relaxation alone makes the model feasible
   are the answer (several are alternatives: relax any one of them);
2. else every pair of limit families;
3. else everything relaxed at once, balances included, with balance slacks priced ten
   times higher so that a limit takes the blame before physics does.

Each answer names the family, the components and the amount each is short by (from the
solve that relaxed that family only), which is what a planner can act on.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from vakhsh.errors import SolveError
from vakhsh.math.build import build_model
from vakhsh.math.context import BuildConfig, BuildContext, HeadParameters
from vakhsh.network import Network
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.solver import Outcome, SolveStats, run_solver

UNITS = {
    "reservoir": "hm3",
    "junction": "hm3",
    "reach": "hm3",
    "sink": "hm3",
    "storage_unit": "MWh",
    "generator": "MWh",
}
TOLERANCE = 1e-6
MAX_SET = 2  # sets of up to this many limit families are tried


def explain_failure(
    net: Network, params: HeadParameters, stats: SolveStats, options: SolveOptions
) -> SolveError:
    """The error to report for a solve that found no optimum (the pipeline adds HiGHS's
    scaling warnings in plain words, often the cause of a stop without an optimum)."""
    if stats.outcome is Outcome.UNBOUNDED:
        return SolveError(
            "the model is unbounded: some cost can fall without limit; check "
            "negative costs and markets with unbounded export "
            f"(solver said: {stats.termination})"
        )
    # HiGHS's "infeasible or unbounded": costs are bounded by VoLL and prices in vakhsh,
    # so look for the limits that cannot be met (an unbounded model finds none)
    if stats.outcome not in (Outcome.INFEASIBLE, Outcome.INFEASIBLE_OR_UNBOUNDED):
        return SolveError(f"the solver stopped without an optimum ({stats.termination})")
    ctx = build_model(net, params, BuildConfig(elastic=True))
    limits = [n for n, kind in ctx.elastic_kinds.items() if kind != "balance"]
    for size in range(1, MAX_SET + 1):
        found = [
            subset
            for subset in itertools.combinations(limits, size)
            if _feasible_with(ctx, subset, options)
        ]
        if found:
            return SolveError(_smallest_sets(ctx, found, options, size))
    if not _feasible_with(ctx, tuple(ctx.elastic), options):
        return SolveError(
            f"the model is infeasible ({stats.termination}), and remains so "
            "with slacks on every hard constraint: check the time period and "
            "the bounds of every component"
        )
    lines = shortfalls(ctx, tuple(ctx.elastic))
    if not lines:
        lines.append("no water constraint needed relaxing; the conflict lies elsewhere")
    return SolveError(
        "the model is infeasible, and no set of up to two limits explains it. "
        "Relaxing every hard constraint (water from nowhere last) shows "
        "where:\n  " + "\n  ".join(lines)
    )


def _smallest_sets(
    ctx: BuildContext, found: list[tuple[str, ...]], options: SolveOptions, size: int
) -> str:
    if len(found) == 1 and size == 1:
        head = "the model is infeasible. Relaxing this alone makes it feasible:"
    elif size == 1:
        head = "the model is infeasible. Relaxing any one of these alone makes it feasible:"
    elif len(found) == 1:
        head = (
            "the model is infeasible. Relaxing these together makes it feasible (no one "
            "of them alone does):"
        )
    else:
        head = (
            "the model is infeasible. No one limit explains it; relaxing any of these "
            "pairs together makes it feasible:"
        )
    blocks = []
    for k, subset in enumerate(found):
        _feasible_with(ctx, subset, options)  # the solution of this subset, for its amounts
        lines = shortfalls(ctx, subset)
        label = f"({chr(ord('a') + k)}) " if len(found) > 1 else ""
        blocks.append(
            "\n".join(
                f"  {label if i == 0 else ' ' * len(label)}{line}" for i, line in enumerate(lines)
            )
        )
    return head + "\n" + "\n".join(blocks)


def _feasible_with(ctx: BuildContext, allowed: tuple[str, ...], options: SolveOptions) -> bool:
    """Solve the elastic LP with only the `allowed` slacks free (the others fixed at 0)."""
    for name in ctx.elastic:
        ctx.model.variables[name].update(upper=np.inf if name in allowed else 0.0)
    return run_solver(ctx.model, options).outcome is Outcome.OPTIMAL


def shortfalls(ctx: BuildContext, names: tuple[str, ...]) -> list[str]:
    """What each slack of `names` had to give in the last solve, by component."""
    lines = []
    k = ctx.net.hm3_per_m3s
    for name in names:
        family, dim = ctx.elastic[name]
        unit = UNITS.get(dim, "hm3")
        used = ctx.var(name).solution.fillna(0.0)
        # water slacks are m3/s per step (x k: hm3); power slacks are MW per step (x the
        # step's hours: MWh), except an end-of-horizon storage target, already in MWh
        scale = k if unit == "hm3" else ctx.hours if "time" in used.dims else 1.0
        if "time" not in used.dims:  # an end-of-horizon target
            for cid, amount in used.to_pandas().items():
                if amount * scale > TOLERANCE:
                    lines.append(
                        f"{family}: {dim} {cid} is short by {amount * scale:,.3f} "
                        f"{unit} at the end of the run"
                    )
            continue
        level = ctx.elastic_kinds.get(name) == "level"
        per_component = (used.max("time") if level else used.sum("time")).to_pandas() * scale
        for cid, amount in (
            per_component[per_component > TOLERANCE].sort_values(ascending=False).items()
        ):
            steps = used.sel({dim: cid}).values
            when = pd.Timestamp(used["time"].values[int(np.argmax(steps * scale > TOLERANCE))])
            what = "at worst" if level else "over the run"
            lines.append(
                f"{family}: {dim} {cid} is short by {amount:,.3f} {unit} {what}, "
                f"first at {when:%Y-%m-%d %H:%M}"
            )
    return lines
