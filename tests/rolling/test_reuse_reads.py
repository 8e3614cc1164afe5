"""A reused window LP reads its solution and duals from arrays by label
(`ReusedLP.solution`, `ReusedLP.dual`) instead of putting them on every variable and
constraint of the linopy model (`ReusedLP.assign_all`, linopy's own way). Both give the
same numbers, bit for bit, and so the same rolling run."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import vakhsh.rolling.reuse as reuse
from vakhsh.network import embedded_datasets, load_network
from vakhsh.rolling import optimise_rolling, parse

TOY = embedded_datasets()["toy-cascade"]


@pytest.fixture(scope="module")
def hourly():
    return load_network(TOY, step="1h", end="2024-10-12")


def test_every_variable_and_constraint_reads_as_linopy_assigns_it(hourly, monkeypatch):
    """After each reused solve, every variable's `solution` and every constraint's
    `dual` of the template, as linopy's assign_result puts them, are identical (values,
    NaN where masked, coordinates) to the arrays read by label."""
    seen = []
    solve = reuse.ReusedLP.solve

    def checked(self):
        status, elapsed = solve(self)
        self.assign_all()
        for name, var in self.model.variables.items():
            xr.testing.assert_identical(self.solution(name), var.solution)
        for name, con in self.model.constraints.items():
            xr.testing.assert_identical(self.dual(name), con.dual)
        seen.append(len(self.model.variables) + len(self.model.constraints))
        return status, elapsed

    monkeypatch.setattr(reuse.ReusedLP, "solve", checked)
    optimise_rolling(hourly, parse("4D,1D"))
    assert len(seen) == 3 and min(seen) > 20  # three reused windows, all names compared


def test_the_run_is_the_same_bit_for_bit(hourly, monkeypatch):
    lean = optimise_rolling(hourly, parse("4D,1D"))
    monkeypatch.setattr(reuse, "ASSIGN_ALL", True)
    monkeypatch.setattr(
        reuse.ReusedLP, "solution", lambda self, n: self.model.variables[n].solution
    )
    monkeypatch.setattr(reuse.ReusedLP, "dual", lambda self, n: self.model.constraints[n].dual)
    full = optimise_rolling(hourly, parse("4D,1D"))
    assert lean.solve_info["rolling"]["reused_windows"] == 3
    assert lean.objective_usd == full.objective_usd
    for name in full.dataset.data_vars:
        a, b = lean.dataset[name].values, full.dataset[name].values
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
