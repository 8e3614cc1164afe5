"""The solve's outcome comes from HiGHS's model status code (and linopy's typed
termination condition for other solvers), never from matching words."""

from __future__ import annotations

import linopy
import pandas as pd
import pytest

from vakhsh.solve.options import SolveOptions
from vakhsh.solve.solver import Outcome, outcome_of, run_solver


def _lp(kind: str) -> linopy.Model:
    m = linopy.Model(force_dim_names=True)
    x = m.add_variables(lower=0, coords=[pd.Index(range(50), name="i")], name="x")
    if kind == "infeasible":
        m.add_constraints(x.sum() <= -1, name="c")
        m.add_objective(x.sum())
    elif kind == "unbounded":
        m.add_objective(-1 * x.sum())
    else:  # a small LP that takes more than one simplex iteration
        m.add_constraints(x.sum() >= 10, name="c")
        m.add_constraints(x <= 1, name="cap")
        m.add_objective((x * pd.Series(range(1, 51), index=pd.Index(range(50), name="i"))).sum())
    return m


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [
        ("optimal", Outcome.OPTIMAL),
        ("infeasible", Outcome.INFEASIBLE),
        ("unbounded", Outcome.UNBOUNDED),
    ],
)
def test_highs_status_codes(kind, outcome):
    m = _lp(kind)
    stats = run_solver(m, SolveOptions())
    assert stats.outcome is outcome, stats.termination
    if outcome is Outcome.OPTIMAL:
        assert float(m.objective.value) == pytest.approx(sum(range(1, 11)))


def test_a_limit_is_no_verdict_on_the_model():
    """Stopped by an iteration limit (HiGHS kIterationLimit): OTHER, neither optimal nor
    infeasible, whatever words come with it."""
    stats = run_solver(
        _lp("optimal"),
        SolveOptions(solver_options={"simplex_iteration_limit": 0, "presolve": "off"}),
    )
    assert stats.outcome is Outcome.OTHER, stats.termination


def test_other_solvers_go_by_linopy_s_termination_condition():
    m = linopy.Model()  # never solved: no HiGHS object to ask
    assert outcome_of(m, "cbc", "ok", "optimal") is Outcome.OPTIMAL
    assert outcome_of(m, "cbc", "warning", "optimal") is Outcome.OTHER  # not read back
    assert (
        outcome_of(m, "cbc", "warning", "infeasible_or_unbounded")
        is Outcome.INFEASIBLE_OR_UNBOUNDED
    )
    assert outcome_of(m, "cbc", "warning", "time_limit") is Outcome.OTHER
    assert outcome_of(m, "cbc", "warning", "not an infeasible word") is Outcome.OTHER
