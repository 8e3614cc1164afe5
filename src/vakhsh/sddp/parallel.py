"""Worker processes that solve stage problems beside the main one (`--workers N`).

Most of an iteration is the backward pass: every outcome of every stage solved at the
trial state. Those solves are independent within a stage, so the outcomes (in their
solve order, cut in contiguous blocks so that each process still warm-starts from a
similar outcome) are shared between the main process and `N - 1` workers; the cut they
give is added by the main process and sent to every worker, which adds the same row to its
own copy of the stage problem. The lower bound (stage 1 under every outcome) and the
policy simulations of the statistical gap are shared the same way.

A worker holds HiGHS problems built from the stage matrices (`StageMatrices`, no linopy
model) and the noise model, received once at start. A worker is a fresh interpreter
(`python -m vakhsh.sddp.worker FD`, talking over a socket pair): nothing of the main
process is inherited or re-imported, so a script calling `vakhsh.sddp.sddp` needs no
`if __name__ == "__main__"` guard, as `multiprocessing`'s spawn would. Cold solves (simulations)
depend on the LP alone, so they give the same numbers in any process; warm-started
backward solves can land on another optimal vertex of a degenerate LP, so a policy is
reproducible for a given number of workers, not across numbers.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from vakhsh.sddp.highs_stage import StageInfeasible, StageProblem

FAILED = "failed"  # a result slot: the solve did not reach an optimum (status follows)


def blocks(items: np.ndarray, parts: int) -> list[np.ndarray]:
    """`items` cut into `parts` contiguous blocks of nearly equal size (in order)."""
    return [np.asarray(b) for b in np.array_split(np.asarray(items), parts)]


@dataclass
class Payload:
    """What a worker needs to rebuild the stage problems as the main process has them."""

    matrices: list  # StageMatrices per stage
    theta_lower: list[float | None]  # per stage (None: the last stage, no cost-to-go)
    outcomes_next: list[int]  # multi-cut columns per stage (0: single cut)
    highs_options: dict
    noise: Any  # InflowNoise
    initial: np.ndarray  # the state entering the first stage
    cuts: list[tuple[int, float, np.ndarray, int]]  # (stage, intercept, slope, outcome)
    risk_sets: list[tuple[int, np.ndarray]]  # (stage, xi) of multi-cut, in order


def payload_of(model) -> Payload:
    last = len(model.stages) - 1
    cuts, risk = [], []
    for s, store in enumerate(model.cuts):
        a, b, k = store.arrays()
        cuts += [(s, float(a[j]), b[j], int(k[j])) for j in range(len(a))]
        if store.outcomes:
            risk += [(s, xi) for xi in store.risk_sets]
    return Payload(
        matrices=[lp.matrices() for lp in model.lps],
        theta_lower=[
            None if s == last else model.cuts[s].lower_usd for s in range(len(model.stages))
        ],
        outcomes_next=[len(p.phi) for p in model.problems],
        highs_options=dict(model.options.highs_options),
        noise=model.noise,
        initial=model.states.initial.copy(),
        cuts=cuts,
        risk_sets=risk,
    )


class WorkerPool:
    """`workers - 1` processes, each with its own copy of the stage problems."""

    def __init__(self, model, workers: int):
        self.size = int(workers)  # processes sharing the work, the main one included
        payload = payload_of(model)
        self._conns, self._procs = [], []
        try:
            for _ in range(self.size - 1):
                mine, theirs = socket.socketpair()
                fd = theirs.fileno()
                proc = subprocess.Popen(
                    [sys.executable, "-m", "vakhsh.sddp.worker", str(fd)],
                    pass_fds=[fd],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                )
                theirs.close()
                conn = Connection(mine.detach())
                self._procs.append(proc)
                self._conns.append(conn)
                conn.send(payload)
            for conn in self._conns:
                self._reply(conn)  # "ready"
        except BaseException:
            self.close()
            raise

    # ---- sending work
    def outcomes(self, stage: int, state: np.ndarray, parts: list[np.ndarray]) -> None:
        """Ask worker j to solve `stage` at `state` under the outcomes `parts[j]`."""
        for conn, part in zip(self._conns, parts, strict=True):
            conn.send(("outcomes", stage, state, part))

    def paths(self, parts: list[list[tuple[int, ...]]], cold: bool = True) -> None:
        """Ask worker j for the cost of each path of `parts[j]` (cold or warm solves)."""
        for conn, part in zip(self._conns, parts, strict=True):
            conn.send(("paths", part, cold))

    def gather(self) -> list[list]:
        return [self._reply(conn) for conn in self._conns]

    def add_cut(self, stage: int, intercept: float, slope: np.ndarray, column: int | None) -> None:
        for conn in self._conns:
            conn.send(("cut", stage, intercept, slope, column))

    def add_risk_row(self, stage: int, xi: np.ndarray) -> None:
        for conn in self._conns:
            conn.send(("risk", stage, xi))

    def close(self) -> None:
        for conn in self._conns:
            try:
                conn.send(("close",))
                conn.close()
            except OSError:
                pass
        for proc in self._procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._conns, self._procs = [], []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @staticmethod
    def _reply(conn):
        try:
            kind, value = conn.recv()
        except (EOFError, OSError):
            raise RuntimeError("an SDDP worker process ended unexpectedly") from None
        if kind == "error":
            raise RuntimeError(f"an SDDP worker process failed:\n{value}")
        return value


# ------------------------------------------------------------------ the worker side
def serve(conn) -> None:
    """Answer the main process's requests until it closes the connection."""
    try:
        worker = _Worker(conn.recv())
        conn.send(("ok", "ready"))
        while True:
            message = conn.recv()
            op = message[0]
            if op == "close":
                return
            if op == "cut":
                worker.add_cut(*message[1:])
            elif op == "risk":
                worker.problems[message[1]].add_risk_row(message[2])
            elif op == "outcomes":
                conn.send(("ok", worker.outcomes(*message[1:])))
            elif op == "paths":
                conn.send(("ok", worker.paths(*message[1:])))
    except EOFError:
        return
    except BaseException:  # noqa: BLE001 - reported to the main process, which raises
        with contextlib.suppress(OSError):
            conn.send(("error", traceback.format_exc()))


class _Worker:
    def __init__(self, payload: Payload):
        self.noise = payload.noise
        self.initial = payload.initial
        self.problems = [
            StageProblem(m, lower, outcomes, payload.highs_options)
            for m, lower, outcomes in zip(
                payload.matrices, payload.theta_lower, payload.outcomes_next, strict=True
            )
        ]
        for problem, lower in zip(self.problems, payload.theta_lower, strict=True):
            if lower is not None:
                problem.set_theta_lower(lower)
        for s, problem in enumerate(self.problems):  # scaled before any cut, as the main's
            problem.fix_state(self.initial)
            self.noise.apply(problem, s, 0)
            with contextlib.suppress(StageInfeasible):
                problem.solve()
        for s, xi in payload.risk_sets:
            self.problems[s].add_risk_row(xi)
        for s, intercept, slope, outcome in payload.cuts:
            self.add_cut(s, intercept, slope, outcome if outcome >= 0 else None, phi=True)

    def add_cut(
        self, stage: int, intercept: float, slope: np.ndarray, column: int | None, phi: bool = False
    ) -> None:
        problem = self.problems[stage]
        if phi and column is not None:  # an outcome index: its multi-cut column
            column = int(problem.phi[column])
        problem.add_cut(intercept, slope, column=column)

    def outcomes(self, stage: int, state: np.ndarray, ks: np.ndarray) -> list:
        problem = self.problems[stage]
        problem.fix_state(state)
        out = []
        for k in ks:
            self.noise.apply(problem, stage, int(k))
            try:
                sol = problem.solve(values=False)  # the value and the slope only
            except StageInfeasible as exc:
                out.append((int(k), FAILED, exc.status))
                continue
            out.append((int(k), sol.objective_usd, sol.state_duals))
        return out

    def paths(self, paths: list[tuple[int, ...]], cold: bool = True) -> list:
        out = []
        for path in paths:
            x, cost = self.initial.copy(), 0.0
            for s, k in enumerate(path):
                problem = self.problems[s]
                problem.fix_state(x)
                self.noise.apply(problem, s, int(k))
                try:
                    sol = problem.solve(cold=cold, duals=False)
                except StageInfeasible as exc:
                    out.append((path, FAILED, (s, x.copy(), int(k), exc.status)))
                    break
                cost += sol.stage_cost_usd
                x = sol.state_out
            else:
                out.append((path, cost, None))
        return out
