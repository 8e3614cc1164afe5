"""A rolling run of a feasible full LP is never infeasible at its end (issue 14).

On the bench's synthetic 6 buses x 16-reservoir cascades over two hourly weeks, with
2-day windows keeping 36 h each, the windows priced by the coarse values leave some
reservoirs further below their end target than the last window's steps can refill: the
last window alone is infeasible (the 6x16x1344 growth row failed so). The run then solves
the last windows as one from further back; its objective is that of a feasible plan, so
never below the full LP's, and close to it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import vakhsh
from vakhsh.network import load_network
from vakhsh.rolling import optimise_rolling, parse

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from synthetic import generate, write_vakhsh


@pytest.fixture(scope="module")
def cascades(tmp_path_factory):
    folder = tmp_path_factory.mktemp("syn-6x16x336")
    write_vakhsh(generate(6, 16, 336, 1, 20260303), folder)
    return load_network(folder)


def test_last_window_out_of_reach_is_solved_from_further_back(cascades):
    rolled = optimise_rolling(cascades, parse("2D,12h"))
    info = rolled.solve_info["rolling"]
    # the last window alone could not meet the end targets (before the fix: SolveError)
    assert info["last_window_from"] < info["windows"]
    res = cascades.tables["reservoirs"]
    end = rolled.dataset["storage_hm3"].isel(time=-1).to_series()
    assert (end.reindex(res.index) >= res["storage_final_min_hm3"] - 1e-6).all()
    full = vakhsh.optimise(cascades).objective_usd
    gap = (rolled.objective_usd - full) / full
    assert -1e-6 <= gap < 1e-2
