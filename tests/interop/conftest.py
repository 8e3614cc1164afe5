"""PyPSA is an optional test dependency: these tests skip without it."""

from __future__ import annotations

import logging

import pytest

pypsa = pytest.importorskip("pypsa")
logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)


def pypsa_optimum(n) -> float:
    """PyPSA's own optimum (HiGHS), USD."""
    status, condition = n.optimize(
        solver_name="highs",
        include_objective_constant=False,
        solver_options={"output_flag": False},
        progress=False,
    )
    assert (status, condition) == ("ok", "optimal"), (status, condition)
    return float(n.objective)
