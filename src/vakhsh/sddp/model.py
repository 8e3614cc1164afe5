"""The multi-stage problem: stages, state, noise and one HiGHS problem per stage.

Each stage's LP is built once (`stage_build`) and kept in HiGHS (`highs_stage`); the
cost-to-go column of every stage but the last is bounded below by the sum of the later
stages' box bounds (every column at whichever bound makes its cost smallest), a valid
lower bound that needs no solve.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vakhsh.errors import SolveError
from vakhsh.network import Network
from vakhsh.sddp.cuts import CutStore
from vakhsh.sddp.highs_stage import StageProblem
from vakhsh.sddp.inflows import EnsembleInflows
from vakhsh.sddp.noise import InflowNoise, make_noise
from vakhsh.sddp.options import SDDPOptions
from vakhsh.sddp.risk import RiskMeasure
from vakhsh.sddp.stage_build import StageLP, build_stage
from vakhsh.sddp.stages import Stage, split_stages
from vakhsh.sddp.state import StateSpace, state_space
from vakhsh.solve.head import fixed_parameters


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

    @property
    def multi_cut(self) -> bool:
        return self.options.cut == "multi"


def build_sddp_model(net: Network, inflows: EnsembleInflows, options: SDDPOptions,
                     say: Callable[[str], None] | None = None,
                     par_slopes: np.ndarray | None = None,
                     outcomes: list[int] | None = None) -> SDDPModel:
    """The stage problems of `net` under `inflows`.

    A saved policy being simulated gives its own PAR(1) slopes (`par_slopes`) and, with
    multi-cut, the number of outcomes per stage it was trained with (`outcomes`).
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
    lps = []
    for stage in stages:
        say(f"building stage {stage.index + 1}/{len(stages)} ({stage.label})")
        lps.append(build_stage(net, params, stage, last=stage.index == len(stages) - 1,
                               states=states, par_slope=noise.par_slope(stage.index)))
    lower = future_lower_bounds(lps)
    problems, cuts = [], []
    for s, lp in enumerate(lps):
        last = s == len(lps) - 1
        outcomes_next = 0 if last or options.cut != "multi" else outcomes[s + 1]
        problems.append(StageProblem(lp, None if last else lower[s], outcomes_next,
                                     options.highs_options))
        cuts.append(CutStore(len(states), lower[s], outcomes_next))
    model = SDDPModel(net=net, inflows=inflows, options=options, stages=stages,
                      states=states, noise=noise, risk=options.risk_measure(), lps=lps,
                      problems=problems, cuts=cuts, build_s=time.perf_counter() - started)
    if options.cut == "multi":
        for s in range(len(stages) - 1):  # the nominal distribution is always a risk set
            add_risk_set(model, s, np.full(outcomes[s + 1], 1.0 / outcomes[s + 1]))
    return model


def add_risk_set(model: SDDPModel, stage: int, xi: np.ndarray) -> None:
    if model.cuts[stage].add_risk_set(xi):
        model.problems[stage].add_risk_row(xi)


def future_lower_bounds(lps: list[StageLP]) -> list[float]:
    """For each stage, a lower bound on the cost of all later stages."""
    boxes = []
    for lp in lps:
        with np.errstate(invalid="ignore"):  # 0 * inf where a free column costs nothing
            low = np.where(lp.cost >= 0, lp.cost * lp.col_lower, lp.cost * lp.col_upper)
        low = np.where(lp.cost == 0, 0.0, low)
        if not np.all(np.isfinite(low)):
            bad = int(np.flatnonzero(~np.isfinite(low))[0])
            name = next(n for n, cols in lp.var_cols.items() if bad in cols)
            raise SolveError(f"stage {lp.stage.label}: variable {name} has a negative cost "
                             "and no finite upper bound, so the cost of the later stages "
                             "cannot be bounded from below; give it a bound")
        boxes.append(float(low.sum()) + lp.constant_usd)
    after = np.cumsum(boxes[::-1])[::-1]  # cost of stage s and all later ones
    return [float(after[s + 1]) if s + 1 < len(lps) else 0.0 for s in range(len(lps))]
