"""When training stops: small rules over the iteration log (SDDP.jl's stopping rules).

Training stops as soon as any rule says so; the rule's `name` is recorded as `stopped_by`.

- `IterationLimit(n)`;
- `TimeLimit(seconds)` (wall time of the training);
- `BoundStalling(n, tolerance)`: the lower bound moved by less than `tolerance`
  (relative) in each of the last n iterations, after having moved once;
- `StatisticalGap(tolerance, replications, period)`: every `period` iterations the policy
  is simulated on `replications` paths sampled from the training distribution; stop when
  (simulated mean - lower bound) / |simulated mean| <= tolerance. As SDDP.jl warns, the
  simulated mean has sampling error (its 95 % half-width is logged beside it) and the
  test is repeated, so a stop is a statistical statement, not a proof. Under a risk
  measure other than the expectation the lower bound is a risk-adjusted value, not a bound
  on the mean cost, and this rule is not used. The paths are solved warm (each stage
  from the basis of its last solve, `cold=False`, the default: 4-5 times cheaper on
  central-asia, bench/sddp_gap_curve.py) or from scratch (`cold=True`: each path's cost
  a function of the LP alone, as `vakhsh sddp simulate` solves it, and the same with any
  number of workers). Warm solves may pick another of a degenerate stage's optima, so a
  path's cost can differ from the cold one; the mean is the same estimate. A warm check
  only screens: when it says stop, the same paths are solved cold and the cold mean
  decides (and is logged), so a stop always rests on the costs `vakhsh sddp simulate`
  would find; a degenerate one-outcome run can otherwise stop on a warm path at the
  bound while the cold path still costs 0.25 % more (tests/sddp/test_one_member.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class Iteration:
    """One line of the training log."""

    iteration: int
    lower_bound_usd: float
    forward_cost_usd: float  # mean cost of this iteration's forward passes
    time_s: float  # wall time since training started
    cpu_s: float  # CPU time of this process since training started
    cuts: int  # cuts added so far
    solves: int  # stage LPs solved so far
    simulated_mean_usd: float | None = None
    simulated_ci95_usd: float | None = None

    @property
    def gap(self) -> float | None:
        if self.simulated_mean_usd is None or self.simulated_mean_usd == 0:
            return None
        return (self.simulated_mean_usd - self.lower_bound_usd) / abs(self.simulated_mean_usd)


class Simulator(Protocol):
    def simulate_sampled(
        self, replications: int, cold: bool = True, same_paths: bool = False
    ) -> tuple[float, float]:
        """Mean cost and 95 % half-width over sampled paths (`same_paths`: the last call's)."""


class StoppingRule(Protocol):
    name: str

    def should_stop(self, log: list[Iteration], simulator: Simulator) -> bool: ...


@dataclass
class IterationLimit:
    limit: int
    name: str = "iteration_limit"

    def should_stop(self, log: list[Iteration], simulator: Simulator) -> bool:
        return log[-1].iteration >= self.limit


@dataclass
class TimeLimit:
    seconds: float
    name: str = "time_limit"

    def should_stop(self, log: list[Iteration], simulator: Simulator) -> bool:
        return log[-1].time_s >= self.seconds


@dataclass
class BoundStalling:
    iterations: int = 5
    tolerance: float = 1e-6
    name: str = "bound_stalling"

    def should_stop(self, log: list[Iteration], simulator: Simulator) -> bool:
        if len(log) <= self.iterations:
            return False
        bounds = [it.lower_bound_usd for it in log]
        scale = max(abs(bounds[-1]), 1.0)
        if abs(bounds[-1] - bounds[0]) <= self.tolerance * scale and len(log) < 2 * self.iterations:
            return False  # has not moved yet: cuts may still be travelling back
        recent = bounds[-self.iterations - 1 :]
        return all(
            abs(b - a) <= self.tolerance * scale
            for a, b in zip(recent[:-1], recent[1:], strict=True)
        )


@dataclass
class StatisticalGap:
    tolerance: float = 0.01
    replications: int = 100
    period: int = 10
    cold: bool = False  # solve the paths from scratch (exact, slower) rather than warm
    name: str = "statistical_gap"
    checks: list[tuple[int, float, float]] = field(default_factory=list)

    def should_stop(self, log: list[Iteration], simulator: Simulator) -> bool:
        last = log[-1]
        if last.iteration % self.period:
            return False
        mean, ci = simulator.simulate_sampled(self.replications, cold=self.cold)
        last.simulated_mean_usd, last.simulated_ci95_usd = mean, ci
        if not self.cold and self._closed(last):
            # the warm screen says stop: confirm on the exact (cold) costs of the paths
            mean, ci = simulator.simulate_sampled(self.replications, cold=True, same_paths=True)
            last.simulated_mean_usd, last.simulated_ci95_usd = mean, ci
        self.checks.append((last.iteration, mean, ci))
        return self._closed(last)

    def _closed(self, last: Iteration) -> bool:
        gap = last.gap
        return gap is not None and gap <= self.tolerance
