"""One pipeline for every run: build -> solve -> (iterate) -> extract -> audit.

It sits above `vakhsh.results` (it audits and extracts) and `vakhsh.solve` (it solves),
which is why it is a package of its own: solve never imports results.

A `Strategy` says what to build and when the answer is final; the pipeline solves, explains
a failure, extracts every case's results, audits each and fails on an audit above
tolerance, so every caller (a run, an investment plan, a frontier point, an SDDP stage)
gets audited `Results` made the same way.

    class Strategy(Protocol):
        def formulate(self, solved: Formulation | None) -> Formulation | None: ...
        def solve(self, formulation: Formulation, options: SolveOptions) -> SolveStats: ...

`formulate(None)` gives the first LP; `formulate(solved)` the next (successive LP: rebuilt
at new heads) or None when `solved` is the answer. `solve` solves one formulation (one
solve; a frontier point solves a sequence of objectives on the same model). Strategies
here: `Operation` (one network, `vakhsh.optimise`); in `vakhsh.plan.expansion`:
`Expansion` and `Evaluation`; in `vakhsh.ensemble.frontier`: the frontier point. The head
model (`vakhsh.solve.heads`: fixed head, successive LP, FPHA) is a part of a strategy, so
each of them iterates on the head the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import linopy
import xarray as xr

from vakhsh.errors import SolveError
from vakhsh.math.build import add_operation, new_context, set_objective
from vakhsh.math.context import BuildContext, HeadParameters
from vakhsh.network import Network
from vakhsh.results.audit import audit, require_passed
from vakhsh.results.dataset import extract
from vakhsh.results.results import Results, provenance
from vakhsh.solve.heads import HeadModel, Say, head_model
from vakhsh.solve.lp_file import write_lp_file
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.scaling import explain as explain_scaling
from vakhsh.solve.size import require_fits
from vakhsh.solve.solver import Outcome, SolveStats, run_solver

Progress = Say  # a callback given each progress message (one type: solve.heads.Say)
# (case index, its context, its extracted Dataset) -> the Network and Dataset reported
Present = Callable[[int, BuildContext, xr.Dataset], tuple[Network, xr.Dataset]]
Explain = Callable[[SolveStats, SolveOptions], SolveError]


@dataclass
class Formulation:
    """An LP ready to solve: one linopy model and the cases (networks) it operates."""

    model: linopy.Model
    cases: list[BuildContext]
    # objective terms outside linopy shared by every case (annuities of earlier builds)
    constant_usd: float = 0.0
    heads: HeadModel | None = None  # adds to the results after the last solve
    explain: Explain | None = None
    present: Present | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def objective_usd(self) -> float:
        """The solved objective: linopy's value plus every constant kept out of it, less
        the storage tie-break (a choice among equal schedules, not a cost)."""
        return (
            float(self.model.objective.value)
            + self.constant_usd
            + sum(ctx.weight * (ctx.cost_constant - ctx.tie_break_usd()) for ctx in self.cases)
        )

    def size(self) -> dict[str, int]:
        try:  # ask the solver: rebuilding the matrix just to count would cost time
            nonzeros = int(self.model.solver_model.getNumNz())
        except Exception:  # noqa: BLE001 - counting is informative only (other solvers)
            nonzeros = -1
        return {
            "rows": int(self.model.ncons),
            "columns": int(self.model.nvars),
            "nonzeros": nonzeros,
        }


class Strategy(Protocol):
    def formulate(self, solved: Formulation | None) -> Formulation | None:
        """The next LP to solve (None: `solved` is the answer)."""

    def solve(self, formulation: Formulation, options: SolveOptions) -> SolveStats:
        """Solve one formulation (usually once)."""


@dataclass
class Solution:
    """What the pipeline returns: the last formulation solved and its audited results."""

    formulation: Formulation
    results: list[Results]
    objective_usd: float
    solves: int
    build_s: float
    solve_s: float


def solve_once(formulation: Formulation, options: SolveOptions) -> SolveStats:
    """The default `Strategy.solve`: one solve of the formulation's objective."""
    return run_solver(formulation.model, options)


def run(
    strategy: Strategy, options: SolveOptions | None = None, progress: Progress | None = None
) -> Solution:
    """Formulate, solve until final, then extract and audit every case."""
    options = options or SolveOptions()
    say = progress or (lambda _msg: None)
    formulation, solves, build_s, solve_s = None, 0, 0.0, 0.0
    while True:
        started = time.perf_counter()
        following = strategy.formulate(formulation)
        if following is None:
            break
        build_s += time.perf_counter() - started
        formulation, solves = following, solves + 1
        if options.write_lp is not None and solves == 1:
            write_lp_file(formulation.model, options.write_lp)
        size = formulation.size()
        say(f"solving with {options.solver} ({size['rows']:,} rows, {size['columns']:,} columns)")
        stats = strategy.solve(formulation, options)
        solve_s += stats.solve_s
        # HiGHS's scaling warnings in plain words (solve/scaling.py), kept with the results
        scaling = explain_scaling(formulation.model, list(stats.warnings))
        if stats.outcome is not Outcome.OPTIMAL:
            explain = formulation.explain or _no_optimum
            error = explain(stats, options)
            raise SolveError("\n".join([str(error), *scaling])) if scaling else error
    if formulation is None:
        raise SolveError("nothing to solve")
    info = {
        "solver": options.solver,
        "algorithm": stats.algorithm,
        "build_s": build_s,
        "solve_s": solve_s,
        "head_iterations": solves,
        "status": "optimal",
        **formulation.size(),
        **formulation.info,
        "warnings": scaling,
    }
    results = [case_results(formulation, i, options, info) for i in range(len(formulation.cases))]
    return Solution(
        formulation=formulation,
        results=results,
        objective_usd=formulation.objective_usd(),
        solves=solves,
        build_s=build_s,
        solve_s=solve_s,
    )


def _no_optimum(stats: SolveStats, options: SolveOptions) -> SolveError:
    return SolveError(f"the solver stopped without an optimum ({stats.termination})")


def case_results(
    formulation: Formulation, index: int, options: SolveOptions, info: dict[str, Any]
) -> Results:
    """Audited Results of one case: extract, the head model's additions, the strategy's
    presentation (a plan shows the network as built), then the audit (raises on failure).
    Its objective is the case's own cost, unweighted."""
    ctx = formulation.cases[index]
    ds = extract(ctx)
    case_info = dict(info)
    case_info["storage_tie_break_usd"] = ctx.tie_break_usd()  # in the LP, not a cost
    if formulation.heads is not None:
        ds, extra = formulation.heads.finish(ctx.net, ctx, ds)
        case_info.update(extra)
    net = ctx.net
    if formulation.present is not None:
        net, ds = formulation.present(index, ctx, ds)
    report = audit(net, ds, options.audit_tolerance)
    require_passed(report)
    case_info["provenance"] = provenance(net, options)
    return Results(
        net=net,
        dataset=ds,
        objective_usd=sum(ctx.cost_values().values()),
        audit=report,
        solve_info=case_info,
    )


# ---------------------------------------------------------------- operating networks
def build_cases(
    nets: Sequence[Network],
    params: Sequence[HeadParameters],
    heads: HeadModel,
    prefixes: Sequence[str] | None = None,
    weights: Sequence[float] | None = None,
    model: linopy.Model | None = None,
    prepare: Callable[[int, BuildContext], None] | None = None,
) -> tuple[linopy.Model, list[BuildContext]]:
    """The operation of every network in one linopy model (each under its prefix), with
    `prepare(i, ctx)` called before the families run (a plan sets extendable sizes)."""
    model = model or linopy.Model(force_dim_names=True)
    contexts = []
    for i, (net, p) in enumerate(zip(nets, params, strict=True)):
        ctx = new_context(
            net,
            p,
            heads.config,
            model=model,
            prefix=prefixes[i] if prefixes else "",
            weight=weights[i] if weights else 1.0,
        )
        if prepare is not None:
            prepare(i, ctx)
        add_operation(ctx)
        contexts.append(ctx)
    return model, contexts


def next_parameters(
    heads: HeadModel, nets: Sequence[Network], solved: Formulation | None
) -> list[HeadParameters] | None:
    """The head model's parameters of every case for the next build, or None when every
    case is final (a case already final keeps the parameters it was solved at)."""
    if solved is None:
        return [heads.parameters(net, None) for net in nets]
    found = [heads.parameters(net, ctx) for net, ctx in zip(nets, solved.cases, strict=True)]
    if all(p is None for p in found):
        return None
    return [p if p is not None else ctx.params for p, ctx in zip(found, solved.cases, strict=True)]


class Operation:
    """Operate one network at least cost (a run): fixed head or successive LP."""

    def __init__(self, net: Network, heads: HeadModel, say: Progress | None = None):
        self.net, self.heads = net, heads
        self.say = say or (lambda _msg: None)
        self.builds = 0
        self.params: HeadParameters | None = None

    def formulate(self, solved: Formulation | None) -> Formulation | None:
        params = next_parameters(self.heads, [self.net], solved)
        if params is None:
            return None
        self.builds += 1
        self.say(
            f"building the LP (iteration {self.builds})"
            if self.heads.mode != "fixed"
            else "building the LP"
        )
        self.params = params[0]
        model, (ctx,) = build_cases([self.net], params, self.heads)
        set_objective(model, [ctx])
        return Formulation(
            model=model,
            cases=[ctx],
            heads=self.heads,
            explain=self._explain,
            info={"head_mode": self.heads.mode},
        )

    solve = staticmethod(solve_once)

    def _explain(self, stats: SolveStats, options: SolveOptions) -> SolveError:
        from vakhsh.solve.diagnose import explain_failure

        return explain_failure(self.net, self.params, stats, options)


def optimise(
    net: Network, options: SolveOptions | None = None, progress: Progress | None = None
) -> Results:
    """Optimise water and power of one network together; return audited Results."""
    options = options or SolveOptions()
    require_fits(net, force=options.force)  # before anything large is built
    solution = run(Operation(net, head_model(options, progress), progress), options, progress)
    return solution.results[0]
