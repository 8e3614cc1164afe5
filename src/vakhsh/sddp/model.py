"""The multi-stage problem: stages, state, noise and one HiGHS problem per stage.

Each stage's LP is built once (`stage_build`) and kept in HiGHS (`highs_stage`). Before
training every stage is solved under every outcome from its best state (`check_stages`):
this finds outcomes the model cannot meet from any state, and bounds the cost-to-go of
each stage from below.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vakhsh.math.fpha import fpha_plants, plant_planes
from vakhsh.network import Network
from vakhsh.sddp.cuts import CutStore
from vakhsh.sddp.highs_stage import StageInfeasible, StageProblem
from vakhsh.sddp.inflows import EnsembleInflows
from vakhsh.sddp.noise import InflowNoise, make_noise
from vakhsh.sddp.options import SDDPOptions
from vakhsh.sddp.risk import RiskMeasure
from vakhsh.sddp.stage_build import StageLP, build_stage
from vakhsh.sddp.stages import Stage, split_stages
from vakhsh.sddp.state import StateSpace, state_space
from vakhsh.solve.head import fixed_parameters

SLACK_TOLERANCE = 1e-6  # m3/s (or MW) of elastic slack that counts as a violation


@dataclass
class SDDPModel:
    net: Network
    inflows: EnsembleInflows
    options: SDDPOptions
    stages: list[Stage]
    states: StateSpace
    noise: InflowNoise
    risk: RiskMeasure
    lps: list[StageLP]
    problems: list[StageProblem]
    cuts: list[CutStore]  # cuts on the cost-to-go after each stage (the last has none)
    build_s: float
    pool: object | None = None  # the worker processes while training (parallel.py)

    @property
    def multi_cut(self) -> bool:
        return self.options.cut == "multi"


def build_sddp_model(
    net: Network,
    inflows: EnsembleInflows,
    options: SDDPOptions,
    say: Callable[[str], None] | None = None,
    par_slopes: np.ndarray | None = None,
    outcomes: list[int] | None = None,
    lps: list[StageLP] | None = None,
) -> SDDPModel:
    """The stage problems of `net` under `inflows`.

    A saved policy being simulated gives its own PAR(1) slopes (`par_slopes`) and, with
    multi-cut, the number of outcomes per stage it was trained with (`outcomes`).
    `lps`: stage LPs built before for the same network, stages, states and PAR(1) slopes
    (`SDDPModel.lps`, never changed by solving); each gets a new HiGHS problem. Building
    the stage LPs is most of the time of a small model, and the same matrices give the
    same HiGHS problems.
    """
    say = say or (lambda _m: None)
    options.check()
    started = time.perf_counter()
    stages = split_stages(net, options.stage)
    months = [int(net.time[s.start].month) for s in stages]
    noise = make_noise(options.noise, stages, inflows, options.stage, months)
    if par_slopes is not None:
        noise.slopes = np.asarray(par_slopes, dtype=float)
    outcomes = outcomes or [noise.outcomes(s) for s in range(len(stages))]
    states = state_space(net, noise.uses_inflow_state)
    params = fixed_parameters(net)
    if lps is None:
        planes = plant_planes(net, fpha_plants(net, options.head))  # once, every stage
        lps = []
        for stage in stages:
            say(f"building stage {stage.index + 1}/{len(stages)} ({stage.label})")
            lps.append(
                build_stage(
                    net,
                    params,
                    stage,
                    last=stage.index == len(stages) - 1,
                    states=states,
                    par_slope=noise.par_slope(stage.index),
                    production=options.head,
                    planes=planes,
                )
            )
    else:
        _check_reused(lps, stages, states, noise, options.head)
    problems, cuts = [], []
    for s, lp in enumerate(lps):
        last = s == len(lps) - 1
        outcomes_next = 0 if last or options.cut != "multi" else outcomes[s + 1]
        problems.append(
            StageProblem(lp, None if last else 0.0, outcomes_next, options.highs_options)
        )
        cuts.append(CutStore(len(states), 0.0, outcomes_next))
    model = SDDPModel(
        net=net,
        inflows=inflows,
        options=options,
        stages=stages,
        states=states,
        noise=noise,
        risk=options.risk_measure(),
        lps=lps,
        problems=problems,
        cuts=cuts,
        build_s=time.perf_counter() - started,
    )
    check_stages(model, say)
    if options.cut == "multi":
        for s in range(len(stages) - 1):  # the nominal distribution is always a risk set
            add_risk_set(model, s, np.full(outcomes[s + 1], 1.0 / outcomes[s + 1]))
    return model


def _check_reused(
    lps: list[StageLP], stages: list[Stage], states: StateSpace, noise: InflowNoise, head: str
) -> None:
    """Stage LPs handed in must be those this model would build."""
    same = len(lps) == len(stages) and all(
        lp.stage == st
        and len(lp.state_in_cols) == len(states)
        and lp.ctx.config.production == head
        and (len(lp.par_rows) > 0) == (noise.par_slope(st.index) is not None)
        for lp, st in zip(lps, stages, strict=False)
    )
    if not same:
        raise ValueError("the stage LPs were built for other stages, states, noise or head model")
    for lp, st in zip(lps, stages, strict=True):
        slope = noise.par_slope(st.index)
        if slope is not None and not np.array_equal(_par_coefficients(lp), -slope):
            raise ValueError(f"stage {st.label}: the LP was built with other PAR(1) slopes")


def _par_coefficients(lp: StageLP) -> np.ndarray:
    """The coefficient of the previous inflow in each PAR(1) row (-b)."""
    from vakhsh.sddp.stage_build import INFLOW_PREV

    prev = lp.var_cols[INFLOW_PREV].ravel()
    return np.array([lp.A[int(r), int(c)] for r, c in zip(lp.par_rows, prev, strict=True)])


def check_stages(model: SDDPModel, say: Callable[[str], None]) -> None:
    """Solve every stage under every outcome from the best state for it (the incoming
    state free within its physical bounds, no cost-to-go).

    An outcome that needs an elastic slack even then makes the model infeasible: an error
    names the stage, the outcome and the constraint family. The least stage cost over
    outcomes bounds the cost of that stage from below, whatever the policy; their sums
    over the later stages are the lower bounds of each stage's cost-to-go.
    """
    from vakhsh.sddp.diagnose import explain_stage

    states, noise = model.states, model.noise
    least = np.zeros(len(model.stages))
    for s, (lp, problem) in enumerate(zip(model.lps, model.problems, strict=True)):
        say(f"checking stage {s + 1}/{len(model.stages)} under every outcome")
        problem.free_state(states.lower, states.upper)
        slack_cols = lp.slack_cols
        costs = []
        for k in noise.solve_order(s):
            noise.apply(problem, s, int(k))
            try:
                sol = problem.solve(full=True)
            except StageInfeasible as exc:  # pragma: no cover - elastic stages are feasible
                raise explain_stage(model, s, states.initial, int(k), None, exc.status) from None
            if sol.col_value[slack_cols].sum() > SLACK_TOLERANCE:
                state = sol.col_value[lp.state_in_cols]
                raise explain_stage(
                    model, s, state, int(k), None, "needs a slack whatever state it starts from"
                )
            costs.append(sol.stage_cost_usd)
        least[s] = min(costs)
    after = np.r_[np.cumsum(least[::-1])[::-1][1:], 0.0]  # cost of the stages after each
    for s, problem in enumerate(model.problems):
        problem.set_theta_lower(after[s])
        model.cuts[s].lower_usd = float(after[s])


def add_risk_set(model: SDDPModel, stage: int, xi: np.ndarray, pool=None) -> None:
    """A risk-adjusted distribution for the multi-cut cost-to-go after `stage` (its row
    added once; to the workers' copies too)."""
    if model.cuts[stage].add_risk_set(xi):
        model.problems[stage].add_risk_row(xi)
        if pool is not None:
            pool.add_risk_row(stage, xi)
