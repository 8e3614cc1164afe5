"""Solver presets: the algorithm asked for is the one HiGHS ran, and every preset reaches
the same optimum (real HiGHS solves of toy-cascade)."""

from __future__ import annotations

import pytest

import vakhsh
from vakhsh.errors import SolveError
from vakhsh.network import embedded_datasets
from vakhsh.solve.algorithms import (
    AUTO_IPM_COLUMNS,
    algorithm_ran,
    check_algorithm,
    highs_options,
    hipo_available,
)

TOY = embedded_datasets()["toy-cascade"]
# what HiGHS 1.16 with highspy-extras 1.15.1 logged when asked for HiPO (then it ran the
# simplex and reported "Optimal")
MISMATCH_LOG = (
    'ERROR:   The HiPO solver was requested via the "solver" option. The '
    "following features are unavailable: amd, blas, metis, rcm. Extras: \n"
    "Using dual simplex solver\n"
)


@pytest.fixture(scope="module")
def toy():
    return vakhsh.load(TOY)


def solved(net, **options):
    return vakhsh.optimise(net, vakhsh.SolveOptions(**options))


def test_auto_chooses_by_size():
    assert highs_options("auto", 1_000, False, {}) == {"solver": "simplex"}
    large = highs_options("auto", AUTO_IPM_COLUMNS, False, {})
    assert large["solver"] == ("hipo" if hipo_available() else "simplex")
    assert highs_options("auto", 10 * AUTO_IPM_COLUMNS, True, {}) == {}  # a MIP
    # explicit options win over the preset's
    assert highs_options("hipo", 10, False, {"run_crossover": "on"}) == {
        "solver": "hipo",
        "run_crossover": "on",
    }
    with pytest.raises(SolveError, match="unknown solver preset 'fast'"):
        highs_options("fast", 10, False, {})


@pytest.mark.skipif(not hipo_available(), reason="highspy-extras not installed")
def test_presets_reach_the_same_optimum_with_the_algorithm_asked_for(toy):
    by = {preset: solved(toy, preset=preset) for preset in ("simplex", "hipo", "ipx")}
    ran = {preset: r.summary()["solve"]["algorithm"] for preset, r in by.items()}
    assert ran == {"simplex": "simplex", "hipo": "hipo", "ipx": "ipx"}
    base = by["simplex"].objective_usd
    for r in by.values():
        assert abs(r.objective_usd - base) <= 1e-6 * abs(base)
        assert r.audit.passed
    # the default on a small LP is the simplex
    assert solved(toy).summary()["solve"]["algorithm"] == "simplex"


def test_a_silent_fallback_fails_loudly():
    ran = algorithm_ran(MISMATCH_LOG, None)
    assert ran == "simplex"
    with pytest.raises(
        SolveError,
        match=r"asked for solver=hipo but ran simplex.*"
        r"highspy-extras",
    ):
        check_algorithm("hipo", ran, MISMATCH_LOG)
    with pytest.raises(SolveError, match="asked for solver=simplex but ran hipo"):
        check_algorithm("simplex", "hipo", "Hipo: Solved\n")
    check_algorithm("ipm", "hipo", "Hipo: Solved\n")  # ipm: either interior point
    check_algorithm("hipo", "none", "")  # presolve solved it: nothing to check
    check_algorithm(None, "simplex", "")  # HiGHS chose


def test_explicit_solver_option_is_checked_on_a_real_solve(toy):
    r = solved(toy, solver_options={"solver": "simplex"}, preset="hipo")
    assert r.summary()["solve"]["algorithm"] == "simplex"
