"""The solver boundary: hand the linopy model to a solver and read back a typed status."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from enum import StrEnum

import linopy
import numpy as np
from linopy.constants import TerminationCondition

from vakhsh.errors import SolveError
from vakhsh.solve.algorithms import (
    algorithm_ran,
    available_cores,
    check_algorithm,
    highs_options,
)
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.scaling import highs_warnings
from vakhsh.solve.start import solve_from, start_preset


class Outcome(StrEnum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"  # HiGHS could not tell which
    OTHER = "other"  # a limit, an interrupt, a solver error: no verdict on the model


def _highs_outcomes() -> dict[object, Outcome]:
    """HiGHS's model status codes (highspy.HighsModelStatus) -> Outcome; any other code
    (time or iteration limit, interrupt, solve error, ...) is OTHER."""
    from highspy import HighsModelStatus as S

    return {
        S.kOptimal: Outcome.OPTIMAL,
        S.kInfeasible: Outcome.INFEASIBLE,
        S.kUnbounded: Outcome.UNBOUNDED,
        S.kUnboundedOrInfeasible: Outcome.INFEASIBLE_OR_UNBOUNDED,
    }


# other solvers: linopy's typed termination condition -> Outcome
_LINOPY_OUTCOMES = {
    TerminationCondition.optimal: Outcome.OPTIMAL,
    TerminationCondition.infeasible: Outcome.INFEASIBLE,
    TerminationCondition.unbounded: Outcome.UNBOUNDED,
    TerminationCondition.infeasible_or_unbounded: Outcome.INFEASIBLE_OR_UNBOUNDED,
}


@dataclass(frozen=True)
class SolveStats:
    outcome: Outcome
    termination: str
    solve_s: float
    # HiGHS's warnings about the LP's numbers (scaling), read from its log
    warnings: tuple[str, ...] = ()
    # the algorithm HiGHS ran (hipo, ipx, simplex; "none": presolve solved it), "" for others
    algorithm: str = ""


@contextlib.contextmanager
def _quiet(enabled: bool):
    """Silence what solvers print straight to the process's stdout (HiGHS's banner)."""
    if not enabled:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def available_solvers() -> list[str]:
    return list(linopy.available_solvers)


def run_solver(
    model: linopy.Model, options: SolveOptions, start: np.ndarray | None = None
) -> SolveStats:
    """Solve in memory (HiGHS through highspy) or through files for other solvers.
    `start`: a value per column (`vakhsh.solve.start.start_vector`) HiGHS's simplex
    starts from."""
    solver = options.solver.lower()
    if solver not in linopy.available_solvers:
        raise SolveError(
            f"solver '{options.solver}' is not installed; available: "
            f"{', '.join(available_solvers())}"
        )
    kwargs = dict(options.solver_options)
    io_api = "direct" if solver in ("highs", "gurobi", "mosek", "xpress") else "lp"
    log_file = None
    preset = options.preset
    if start is not None:
        if solver != "highs":
            raise SolveError(f"a start point needs HiGHS, not {options.solver}")
        preset = start_preset(preset, kwargs)
    if solver == "highs":
        integer = bool(len(model.binaries) or len(model.integers))
        kwargs = highs_options(
            preset,
            int(model.nvars),
            integer,
            kwargs,
            time_indexed=time_indexed(model),
            cores=available_cores(),
        )
    if solver == "highs" and "log_file" not in kwargs:
        # HiGHS logs to a file always (its scaling warnings are read back), and to the
        # console only with --log
        fd, log_file = tempfile.mkstemp(prefix="vakhsh-highs-", suffix=".log")
        os.close(fd)
        kwargs.update(output_flag=True, log_to_console=bool(options.log), log_file=log_file)
    started = time.perf_counter()
    # linopy logs a warning block for every non-optimal solve; vakhsh explains it instead
    logging.getLogger("linopy").setLevel(logging.INFO if options.log else logging.ERROR)
    try:
        with _quiet(not options.log):
            if start is None:
                status, termination = model.solve(solver_name=solver, io_api=io_api, **kwargs)
            else:
                status, termination = solve_from(model, start, kwargs)
    except Exception as exc:  # a solver crash is reported, not swallowed
        raise SolveError(f"solver {solver} failed: {exc}") from exc
    finally:
        log = _read_log(log_file)
    elapsed = time.perf_counter() - started
    warnings = highs_warnings(log)
    algorithm = ""
    if solver == "highs":
        algorithm = algorithm_ran(log, _highs_info(model))
        check_algorithm(kwargs.get("solver"), algorithm, log)
    outcome = outcome_of(model, solver, str(status), str(termination))
    return SolveStats(
        outcome=outcome,
        termination=str(termination),
        solve_s=elapsed,
        warnings=tuple(warnings),
        algorithm=algorithm,
    )


def time_indexed(model: linopy.Model) -> bool:
    """Whether every variable of the model has a time dimension (no investment or other
    column that meets every step)."""
    return all("time" in model.variables[name].dims for name in model.variables)


def outcome_of(model: linopy.Model, solver: str, status: str, termination: str) -> Outcome:
    """The outcome from the solver's status code: HiGHS's own model status when HiGHS
    solved in memory, else linopy's termination condition (never words matched)."""
    if solver == "highs" and getattr(model, "solver_model", None) is not None:
        code = model.solver_model.getModelStatus()
        outcome = _highs_outcomes().get(code, Outcome.OTHER)
    else:
        try:
            condition = TerminationCondition(termination)
        except ValueError:
            condition = TerminationCondition.unknown
        outcome = _LINOPY_OUTCOMES.get(condition, Outcome.OTHER)
    # an optimum linopy could not read back (status not ok) is no answer
    if outcome is Outcome.OPTIMAL and status != "ok":
        return Outcome.OTHER
    return outcome


def _read_log(log_file: str | None) -> str:
    if log_file is None:
        return ""
    try:
        with open(log_file, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    finally:
        os.unlink(log_file)


def _highs_info(model: linopy.Model):
    try:
        return model.solver_model.getInfo()
    except Exception:  # noqa: BLE001 - informative only
        return None
