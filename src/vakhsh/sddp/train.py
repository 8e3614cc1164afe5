"""Training: forward passes sample inflow paths, backward passes add Benders cuts.

Forward pass (one per `forward_passes`): from the initial state, for each stage draw an
outcome (independent, equally likely), solve the stage at the incoming state, pass its
outgoing state on. Backward pass: for each stage t from the last to the second and each
forward trajectory, solve stage t at the trajectory's incoming state under every outcome
k, giving values V_k and slopes g_k (reduced costs of the fixed state columns); the
risk measure turns the nominal probabilities into p~ (`risk.py`), and stage t-1 gets

    single cut:  theta >= sum_k p~_k (V_k + g_k . (x - x^))
    multi-cut:   phi_k >= V_k + g_k . (x - x^)  for every k,  and the risk set p~.

The lower bound is the risk-adjusted value of the first stage over its outcomes at the
initial state, computed after each backward pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from vakhsh.errors import SolveError
from vakhsh.sddp.highs_stage import StageInfeasible, StageSolution
from vakhsh.sddp.model import SDDPModel, add_risk_set
from vakhsh.sddp.parallel import WorkerPool, blocks
from vakhsh.sddp.risk import risk_value
from vakhsh.sddp.stopping import Iteration, StoppingRule

OnIteration = Callable[[Iteration], None]  # called after each training iteration


@dataclass
class TrainingLog:
    iterations: list[Iteration] = field(default_factory=list)
    stopped_by: str = ""
    solves: int = 0

    @property
    def lower_bound_usd(self) -> float:
        return self.iterations[-1].lower_bound_usd if self.iterations else float("nan")


class Trainer:
    def __init__(self, model: SDDPModel, rng: np.random.Generator, pool: WorkerPool | None = None):
        self.model = model
        self.rng = rng
        self.solves = 0
        self.pool = pool  # worker processes sharing the solves (parallel.py), or None
        self.sampled_paths: list[tuple[int, ...]] = []  # the last gap check's paths

    # ---- one stage solve with a named failure
    def solve(
        self,
        stage: int,
        state: np.ndarray,
        outcome: int | None = None,
        path: np.ndarray | None = None,
        full: bool = False,
        cold: bool = False,
        values: bool = True,
        duals: bool = True,
    ) -> StageSolution:
        model = self.model
        problem = model.problems[stage]
        problem.fix_state(state)
        if path is not None:
            model.noise.apply_path(problem, stage, path)
        else:
            model.noise.apply(problem, stage, outcome)
        self.solves += 1
        try:
            return problem.solve(full=full, cold=cold, values=values, duals=duals)
        except StageInfeasible as exc:
            from vakhsh.sddp.diagnose import explain_stage

            self.failed = (stage, state.copy(), outcome, exc.status)

            raise explain_stage(model, stage, state, outcome, path, exc.status) from None

    # ---- passes
    def sample_path(self) -> list[int]:
        noise = self.model.noise
        return [int(self.rng.integers(noise.outcomes(s))) for s in range(len(self.model.stages))]

    def forward(self, outcomes: list[int], cold: bool = True) -> tuple[list[np.ndarray], float]:
        """Incoming state of every stage along a path of outcomes, and the path's cost.

        `cold` (training): each stage from scratch, as a simulation solves it, so that the
        trial points are the states a simulation of the policy visits and the cuts are
        exact there; warm starts are faster where that does not matter."""
        x = self.model.states.initial.copy()
        incoming, cost = [], 0.0
        for s, k in enumerate(outcomes):
            incoming.append(x)
            sol = self.solve(s, x, outcome=k, cold=cold, duals=False)
            cost += sol.stage_cost_usd
            x = sol.state_out
        return incoming, cost

    def solve_outcomes(self, stage: int, x_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Value (stage cost plus cost-to-go) and slope on the incoming state of `stage`
        at `x_hat` under each of its outcomes, shared with the workers if any."""
        order = self.model.noise.solve_order(stage)
        values = np.zeros(len(order))
        slopes = np.zeros((len(order), len(x_hat)))
        parts = blocks(order, self.pool.size) if self.pool else [order]
        if self.pool:
            self.pool.outcomes(stage, x_hat, parts[1:])
        for k in parts[0]:
            sol = self.solve(stage, x_hat, outcome=int(k), values=False)
            values[k], slopes[k] = sol.objective_usd, sol.state_duals
        if self.pool:
            for part in self.pool.gather():
                for k, value, slope in part:
                    self.solves += 1
                    if isinstance(value, str):  # FAILED
                        # solved here again: the same LP gives the diagnosis `solve` names
                        sol = self.solve(stage, x_hat, outcome=k, values=False)
                        value, slope = sol.objective_usd, sol.state_duals
                    values[k], slopes[k] = value, slope
        return values, slopes

    def backward(self, trajectories: list[list[np.ndarray]], iteration: int) -> None:
        model = self.model
        for s in range(len(model.stages) - 1, 0, -1):
            probability = model.noise.probability(s)
            for incoming in trajectories:
                x_hat = incoming[s]
                values, slopes = self.solve_outcomes(s, x_hat)
                self.add_cuts(s - 1, x_hat, probability, values, slopes, iteration)

    def add_cuts(
        self,
        stage: int,
        x_hat: np.ndarray,
        probability: np.ndarray,
        values: np.ndarray,
        slopes: np.ndarray,
        iteration: int,
    ) -> None:
        model = self.model
        xi = model.risk.adjust(probability, values)
        intercepts = values - slopes @ x_hat
        pool = self.pool
        if model.multi_cut:
            problem = model.problems[stage]
            for k in range(len(values)):
                column = int(problem.phi[k])
                problem.add_cut(intercepts[k], slopes[k], column=column)
                model.cuts[stage].add(intercepts[k], slopes[k], k, iteration)
                if pool:
                    pool.add_cut(stage, float(intercepts[k]), slopes[k], column)
            add_risk_set(model, stage, xi, pool)
        else:
            intercept, slope = float(xi @ intercepts), xi @ slopes
            model.problems[stage].add_cut(intercept, slope)
            model.cuts[stage].add(intercept, slope, -1, iteration)
            if pool:
                pool.add_cut(stage, intercept, slope, None)

    def lower_bound(self) -> float:
        model = self.model
        values, _slopes = self.solve_outcomes(0, model.states.initial)
        return risk_value(model.risk, model.noise.probability(0), values)

    def simulate_sampled(
        self, replications: int, cold: bool = True, same_paths: bool = False
    ) -> tuple[float, float]:
        """Mean cost and 95 % half-width of the policy on sampled paths (training noise).

        `cold`: each stage solved from scratch as a simulation of the saved policy solves
        it, so that any process gives the same cost (the paths are shared with the
        workers); otherwise warm from each stage's last basis, 4-5 times cheaper, and a
        degenerate stage may then take another of its optima (stopping.py).

        A path drawn twice is solved once: small trees, and one-outcome ensembles above
        all, cost a few solves. `same_paths`: solve the paths of the previous call again
        (a warm check confirmed cold, stopping.py) instead of drawing new ones."""
        if not (same_paths and len(self.sampled_paths) == replications):
            self.sampled_paths = [tuple(self.sample_path()) for _ in range(replications)]
        drawn = self.sampled_paths
        unique = list(dict.fromkeys(drawn))
        parts = (
            [list(b) for b in blocks(np.arange(len(unique)), self.pool.size)]
            if self.pool
            else [list(range(len(unique)))]
        )
        if self.pool:
            self.pool.paths([[unique[i] for i in part] for part in parts[1:]], cold)
        known = {unique[i]: self.forward(list(unique[i]), cold)[1] for i in parts[0]}
        if self.pool:
            for part in self.pool.gather():
                for path, cost, failure in part:
                    self.solves += len(path) if failure is None else failure[0] + 1
                    if isinstance(cost, str):  # FAILED
                        cost = self.forward(list(path), cold)[1]  # raises the named diagnosis
                    known[tuple(path)] = cost
        return mean_ci95(np.array([known[path] for path in drawn]))


def mean_ci95(costs: np.ndarray) -> tuple[float, float]:
    costs = np.asarray(costs, dtype=float)
    ci = 1.96 * costs.std(ddof=1) / np.sqrt(len(costs)) if len(costs) > 1 else 0.0
    return float(costs.mean()), float(ci)


def train(
    model: SDDPModel, rules: list[StoppingRule], progress: OnIteration | None = None
) -> TrainingLog:
    """Iterate forward and backward passes until a stopping rule fires."""
    workers = max(1, int(getattr(model.options, "workers", 1)))
    if workers == 1:
        return _train(Trainer(model, np.random.default_rng(model.options.seed)), rules, progress)
    with WorkerPool(model, workers) as pool:
        model.pool = pool
        try:
            return _train(
                Trainer(model, np.random.default_rng(model.options.seed), pool), rules, progress
            )
        finally:
            model.pool = None


def _train(
    trainer: Trainer, rules: list[StoppingRule], progress: OnIteration | None
) -> TrainingLog:
    model = trainer.model
    log = TrainingLog()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    iteration = 0
    while True:
        iteration += 1
        paths = [trainer.sample_path() for _ in range(model.options.forward_passes)]
        forward = [trainer.forward(path) for path in paths]
        trainer.backward([incoming for incoming, _cost in forward], iteration)
        bound = trainer.lower_bound()
        entry = Iteration(
            iteration=iteration,
            lower_bound_usd=bound,
            forward_cost_usd=float(np.mean([c for _i, c in forward])),
            time_s=time.perf_counter() - wall0,
            cpu_s=time.process_time() - cpu0,
            cuts=sum(len(c) for c in model.cuts),
            solves=trainer.solves,
        )
        log.iterations.append(entry)
        # every rule is asked (no short cut): a gap check due at the last iteration runs
        # even when the iteration limit ends training there, so the final gap is known
        stops = [rule.name for rule in rules if rule.should_stop(log.iterations, trainer)]
        stop = stops[0] if stops else None
        # a simulation inside a rule took time: the entry reports the time after it
        entry.time_s, entry.cpu_s = time.perf_counter() - wall0, time.process_time() - cpu0
        entry.solves = trainer.solves
        if progress is not None:
            progress(entry)
        if stop is not None:
            log.stopped_by = stop
            log.solves = trainer.solves
            return log


__all__ = ["train", "Trainer", "TrainingLog", "SolveError", "mean_ci95"]
