"""bench/README.md's bench-lp, solver-levers, build-families and warm-start blocks are the
rendering of the committed figures (bench/bench_lp.json, bench/solver_levers.json,
bench/build_families.json, bench/warm_start.json), never typed; every recorded run
reached its optimum and agreed with the other contenders. Times are not checked: they
belong to the machine and its load (recorded beside each run)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from vakhsh.outputs.doc_blocks import read_block

ROOT = Path(__file__).resolve().parents[2]


def _script(name: str):
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["bench_lp", "solver_levers", "build_families", "warm_start"])
def test_the_readme_block_is_the_rendering_of_the_json(name):
    bench = _script(name)
    figures = json.loads(bench.FIGURES.read_text()) if bench.FIGURES.exists() else {}
    assert (
        read_block(bench.README, bench.START, bench.END) == bench.render(figures).strip("\n") + "\n"
    ), f"rerun: python bench/{name}.py ... --readme"


def test_every_recorded_lp_run_is_optimal_and_agrees():
    bench = _script("bench_lp")
    if not bench.FIGURES.exists():
        pytest.skip("no bench_lp run recorded")
    for name, run in json.loads(bench.FIGURES.read_text()).items():
        assert all(r["status"] == "optimal" for r in run["results"].values()), name
        if len(run["results"]) > 1:
            assert run["max_rel_diff"] <= 1e-6, name


def test_every_lever_reached_the_first_variants_optimum():
    bench = _script("solver_levers")
    if not bench.FIGURES.exists():
        pytest.skip("no solver_levers run recorded")
    for steps, record in json.loads(bench.FIGURES.read_text()).items():
        solved = [r for r in record["runs"] if "objective" in r]
        assert solved, steps
        base = solved[0]["objective"]
        for r in solved:
            assert abs(r["objective"] - base) <= 1e-6 * abs(base), (steps, r["variant"])
