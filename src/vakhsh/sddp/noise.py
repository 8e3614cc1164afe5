"""Inflow uncertainty: the outcomes of each stage and how one is put into a stage LP.

`independent` (default): the outcomes of a stage are the ensemble members' inflows over
the stage's steps, joint across catchments (member k's flows for every catchment
together), equally likely, drawn independently from one stage to the next.

`par1`: inflow persistence carried as state. Per calendar month m and catchment c the
stage's mean inflow follows a linear periodic AR(1) in real space,

    q[t, c] = a[m, c] + b[m, c] * q[t-1, c] + r[t, c],

fitted by least squares to every pair of consecutive months of every member and year in
the ensemble file (b clipped at 0: persistence, never anti-persistence, as cobre keeps
each lag's contribution non-negative). The outcomes of stage t are the residual vectors
r[k, t, :] of the members in the horizon's month (joint across catchments, equally
likely), and the previous stage's mean inflow is a state variable. The first stage's
outcomes are the members' own first-month flows (the month before the horizon is not in
the file). This is an approximation of the ensemble's generator (a log-space PAR(1) with
an annual component, docs/hydrology.md), linear so that cuts stay valid: a member's own
path is reproduced exactly, but a residual applied to another member's state can give a
negative inflow, which the stage LP covers with priced virtual inflow (cobre's penalty
method). PAR(1) needs monthly stages and steps that lie within calendar months.

Each noise model is an `InflowNoise`: how many outcomes a stage has, their nominal
probabilities, and how to put an outcome (training) or a given path (simulation) into
the stage's HiGHS problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from vakhsh.errors import ModelError, Problem
from vakhsh.sddp.highs_stage import StageProblem
from vakhsh.sddp.inflows import EnsembleInflows
from vakhsh.sddp.stages import Stage


class InflowNoise(Protocol):
    name: str
    uses_inflow_state: bool

    def outcomes(self, stage: int) -> int: ...

    def probability(self, stage: int) -> np.ndarray: ...

    def par_slope(self, stage: int) -> np.ndarray | None:
        """Per-catchment slope on the previous inflow (PAR(1)), None without the state."""

    def solve_order(self, stage: int) -> np.ndarray:
        """The outcomes in an order where neighbours are alike (by total inflow), so that
        each solve starts from the basis of a similar one."""

    def apply(self, problem: StageProblem, stage: int, outcome: int) -> None:
        """Put training outcome `outcome` of `stage` into its problem."""

    def apply_path(self, problem: StageProblem, stage: int, path_m3s: np.ndarray) -> None:
        """Put a given inflow path (steps of the whole horizon, catchment) into the
        problem of `stage` (simulation)."""


@dataclass
class IndependentNoise:
    stages: list[Stage]
    inflows: EnsembleInflows
    name: str = "independent"
    uses_inflow_state: bool = False

    def outcomes(self, stage: int) -> int:
        return self.inflows.size

    def probability(self, stage: int) -> np.ndarray:
        return np.full(self.inflows.size, 1.0 / self.inflows.size)

    def par_slope(self, stage: int) -> np.ndarray | None:
        return None

    def solve_order(self, stage: int) -> np.ndarray:
        totals = self.inflows.steps_m3s[:, self.stages[stage].steps].sum(axis=(1, 2))
        return np.argsort(totals, kind="stable")

    def apply(self, problem: StageProblem, stage: int, outcome: int) -> None:
        problem.fix_inflow(self.inflows.steps_m3s[outcome, self.stages[stage].steps])

    def apply_path(self, problem: StageProblem, stage: int, path_m3s: np.ndarray) -> None:
        problem.fix_inflow(path_m3s[self.stages[stage].steps])


@dataclass
class Par1Noise:
    stages: list[Stage]
    inflows: EnsembleInflows
    slopes: np.ndarray  # (stage, catchment) b of each stage (0 in the first)
    name: str = "par1"
    uses_inflow_state: bool = True

    @classmethod
    def fit(cls, stages: list[Stage], inflows: EnsembleInflows, months: list[int]) -> Par1Noise:
        """`months`: calendar month (1..12) of each stage."""
        table = fit_par1(inflows.monthly_m3s, inflows.months.month.to_numpy())
        slopes = np.zeros((len(stages), len(inflows.catchments)))
        for s in range(1, len(stages)):
            slopes[s] = table[months[s] - 1]
        return cls(stages=stages, inflows=inflows, slopes=slopes)

    def stage_means(self, path_m3s: np.ndarray, stage: int) -> np.ndarray:
        return path_m3s[..., self.stages[stage].steps, :].mean(axis=-2)

    def outcomes(self, stage: int) -> int:
        return self.inflows.size

    def probability(self, stage: int) -> np.ndarray:
        return np.full(self.inflows.size, 1.0 / self.inflows.size)

    def par_slope(self, stage: int) -> np.ndarray | None:
        return self.slopes[stage]

    def rhs(self, path_m3s: np.ndarray, stage: int) -> np.ndarray:
        """a + r of a path at `stage`: its mean inflow minus b times its previous one."""
        mean = self.stage_means(path_m3s, stage)
        if stage == 0:
            return mean
        return mean - self.slopes[stage] * self.stage_means(path_m3s, stage - 1)

    def solve_order(self, stage: int) -> np.ndarray:
        totals = self.rhs(self.inflows.steps_m3s, stage).sum(axis=-1)
        return np.argsort(totals, kind="stable")

    def apply(self, problem: StageProblem, stage: int, outcome: int) -> None:
        problem.set_par_rhs(self.rhs(self.inflows.steps_m3s[outcome], stage))

    def apply_path(self, problem: StageProblem, stage: int, path_m3s: np.ndarray) -> None:
        problem.set_par_rhs(self.rhs(path_m3s, stage))


def fit_par1(monthly_m3s: np.ndarray, month_of: np.ndarray) -> np.ndarray:
    """Least-squares slope b[m, c] of each month's flow on the previous month's, pooled
    over members and years; clipped at 0, and 0 where the previous month does not vary."""
    _members, _n, catchments = monthly_m3s.shape
    slopes = np.zeros((12, catchments))
    for m in range(1, 13):
        at = np.flatnonzero(month_of[1:] == m) + 1  # positions with a month before them
        if not len(at):
            continue
        y = monthly_m3s[:, at, :].reshape(-1, catchments)
        x = monthly_m3s[:, at - 1, :].reshape(-1, catchments)
        dx = x - x.mean(axis=0)
        var = (dx**2).sum(axis=0)
        cov = (dx * (y - y.mean(axis=0))).sum(axis=0)
        scale = np.maximum(np.abs(x).mean(axis=0), 1e-12)
        ok = (len(y) >= 3) & (var > 1e-12 * scale**2 * len(y))
        slopes[m - 1] = np.where(ok, np.clip(cov / np.where(ok, var, 1.0), 0.0, None), 0.0)
    return slopes


def make_noise(
    kind: str, stages: list[Stage], inflows: EnsembleInflows, stage_kind: str, months: list[int]
) -> InflowNoise:
    if kind == "independent":
        return IndependentNoise(stages, inflows)
    if kind != "par1":
        raise ModelError([Problem("command line", "--noise", "expected independent or par1", kind)])
    if stage_kind != "month":
        raise ModelError(
            [
                Problem(
                    "command line",
                    "--noise",
                    "par1 is a monthly model: use it with --stage month",
                    f"--stage {stage_kind}",
                )
            ]
        )
    for stage in stages:
        block = inflows.steps_m3s[:, stage.steps, :]
        spread = np.abs(block - block.mean(axis=1, keepdims=True)).max(initial=0.0)
        if spread > 1e-9 * max(float(np.abs(block).max(initial=0.0)), 1.0):
            raise ModelError(
                [
                    Problem(
                        "command line",
                        "--noise",
                        "par1 needs steps that lie "
                        "within calendar months (the inflow of a stage must "
                        f"be one monthly value); stage {stage.label} is not",
                        "use --noise independent",
                    )
                ]
            )
    return Par1Noise.fit(stages, inflows, months)
