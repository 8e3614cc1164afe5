"""HiPO's options on vakhsh's LPs (solve/algorithms.py): the Newton system and ordering
fixed on LPs whose columns are all indexed by time, threads = the cores available, and
solves asking for different thread counts one after the other in one process (real
HiGHS solves of toy-cascade)."""

from __future__ import annotations

import linopy
import pytest

import vakhsh
from vakhsh.math.build import build_model
from vakhsh.network import embedded_datasets
from vakhsh.solve.algorithms import (
    HIPO_TIME_INDEXED,
    MAX_THREADS,
    SIMPLEX_PARALLEL,
    available_cores,
    highs_options,
    hipo_available,
)
from vakhsh.solve.head import fixed_parameters
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.solver import Outcome, run_solver, time_indexed

TOY = embedded_datasets()["toy-cascade"]
needs_hipo = pytest.mark.skipif(not hipo_available(), reason="highspy-extras not installed")


@pytest.fixture(scope="module")
def toy():
    return vakhsh.load(TOY)


def test_hipo_on_a_time_indexed_lp_gets_its_known_choices():
    options = highs_options("hipo", 10, False, {}, time_indexed=True, cores=2)
    assert options == {"solver": "hipo", "run_crossover": "off", **HIPO_TIME_INDEXED, "threads": 2}
    # a column outside time (an investment) keeps HiPO's own choice of Newton system
    assert "hipo_system" not in highs_options("hipo", 10, False, {}, cores=2)
    # one core: HiGHS's default; many: at most MAX_THREADS
    assert "threads" not in highs_options("hipo", 10, False, {}, time_indexed=True, cores=1)
    assert highs_options("hipo", 10, False, {}, cores=64)["threads"] == MAX_THREADS
    # explicit options win; other algorithms get none of HiPO's
    explicit = {"hipo_system": "augmented", "threads": 1}
    assert highs_options("hipo", 10, False, explicit, time_indexed=True, cores=2) == {
        "solver": "hipo",
        "run_crossover": "off",
        "hipo_ordering": "metis",
        **explicit,
    }
    for preset in ("ipx", "highs"):
        assert highs_options(preset, 10, False, {}, time_indexed=True, cores=2) == dict(
            {"ipx": {"solver": "ipx", "run_crossover": "off"}}.get(preset, {})
        )


def test_the_simplex_on_more_than_one_core_is_the_parallel_dual_simplex():
    parallel = {"solver": "simplex", **SIMPLEX_PARALLEL}
    assert highs_options("simplex", 10, False, {}, cores=2) == {**parallel, "threads": 2}
    assert highs_options("auto", 10, False, {}, cores=64) == {**parallel, "threads": MAX_THREADS}
    # one core (a Dask worker): the serial simplex; explicit options win
    assert highs_options("simplex", 10, False, {}, cores=1) == {"solver": "simplex"}
    assert highs_options("simplex", 10, False, {"simplex_strategy": 1}, cores=2) == {
        "solver": "simplex",
        "parallel": "on",
        "simplex_strategy": 1,
        "threads": 2,
    }


def test_the_parallel_simplex_reaches_the_serial_ones_vertex(toy):
    """Same LP, same vertex: the objective and every column's value agree; HiGHS's note
    that it runs three concurrent iterations on two threads is not a warning about the
    LP (it is about speed)."""
    solutions, warned = [], []
    serial = {"parallel": "off", "simplex_strategy": 1, "threads": 1}
    for solver_options in ({"threads": 2, **SIMPLEX_PARALLEL}, serial):
        model = build_model(toy, fixed_parameters(toy)).model
        stats = run_solver(model, SolveOptions(preset="simplex", solver_options=solver_options))
        assert (stats.outcome, stats.algorithm) == (Outcome.OPTIMAL, "simplex")
        solutions.append((model.objective.value, model.variables["turbine_flow_m3s"].solution))
        warned.append(stats.warnings)
    (parallel, flow_parallel), (serial, flow_serial) = solutions
    assert abs(parallel - serial) <= 1e-9 * abs(serial)
    assert float(abs(flow_parallel - flow_serial).max()) <= 1e-6
    assert not any("concurrency" in w or "threads" in w for w in warned[0])


def test_time_indexed_means_every_variable_has_a_time_dimension(toy):
    assert time_indexed(build_model(toy, fixed_parameters(toy)).model)
    m = linopy.Model()
    m.add_variables(lower=0, coords=[range(3)], dims=["time"], name="flow")
    assert time_indexed(m)
    m.add_variables(lower=0, coords=[["a", "b"]], dims=["plant"], name="invest_new_mw")
    assert not time_indexed(m)


@needs_hipo
def test_a_hipo_solve_gets_the_options_and_reaches_the_simplex_optimum(toy):
    simplex = build_model(toy, fixed_parameters(toy)).model
    assert run_solver(simplex, SolveOptions(preset="simplex")).outcome is Outcome.OPTIMAL
    model = build_model(toy, fixed_parameters(toy)).model
    stats = run_solver(model, SolveOptions(preset="hipo"))
    assert (stats.outcome, stats.algorithm) == (Outcome.OPTIMAL, "hipo")
    h = model.solver_model

    def option(name):
        return h.getOptionValue(name)[1]  # highspy returns (status, value)

    assert (option("hipo_system"), option("hipo_ordering")) == ("normaleq", "metis")
    cores = available_cores()
    assert option("threads") == (min(cores, MAX_THREADS) if cores > 1 else 0)
    base = simplex.objective.value
    assert abs(model.objective.value - base) <= 1e-6 * abs(base)


def test_solves_asking_for_different_thread_counts_follow_each_other(toy):
    """HiGHS keeps one thread pool per calling thread, sized by its first solve, and fails
    a later solve asking for another size ("global scheduler has already been initialized
    to use 1 threads"); linopy runs each solve in a thread of its own, which this keeps
    true."""
    objectives = []
    for solver_options in ({}, {"threads": 2}, {"threads": 1}, {}):
        model = build_model(toy, fixed_parameters(toy)).model
        options = SolveOptions(preset="simplex", solver_options=solver_options)
        assert run_solver(model, options).outcome is Outcome.OPTIMAL
        objectives.append(model.objective.value)
    assert max(objectives) - min(objectives) <= 1e-9 * abs(objectives[0])


def test_omp_num_threads_caps_the_cores_a_solve_takes(monkeypatch):
    """Dask's nanny starts workers with OMP_NUM_THREADS=1: their HiPO solves get no
    `threads`, so two workers on two cores do not ask for four threads."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert available_cores() == 1
    options = highs_options("hipo", 10**6, False, {}, time_indexed=True, cores=available_cores())
    assert "threads" not in options
    monkeypatch.setenv("OMP_NUM_THREADS", "not a number")
    assert available_cores() >= 1
