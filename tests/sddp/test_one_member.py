"""A one-outcome ensemble reproduces the deterministic LP exactly: the lower bound and the
simulated cost equal `vakhsh run --inflows ENS.nc --member 0`'s objective with the same
head model (auto: FPHA for upper_hpp), and the simulated member is an optimal solution of
that LP (audited)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from vakhsh.hydrology.member import with_member
from vakhsh.math.build import build_model
from vakhsh.math.context import BuildConfig
from vakhsh.math.water import STORAGE
from vakhsh.network import load_network
from vakhsh.solve.head import fixed_parameters
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.solver import Outcome, run_solver

HORIZON = ("2024-10-01", "2025-01-01")  # three monthly stages of daily steps (two stage
# boundaries carry the state: as much as five stages prove, at half the build)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, helpers, cli):
    root = tmp_path_factory.mktemp("one")
    net = load_network("toy-cascade", start=HORIZON[0], end=HORIZON[1])
    rng = np.random.default_rng(5)
    factors = rng.uniform(0.7, 1.3, size=(1, 3, 3))
    ens = helpers.monthly_ensemble(net, factors, root / "one.nc")
    horizon = ["--start", HORIZON[0], "--end", HORIZON[1]]
    # both with the default head model, auto: upper_hpp (tailwater and a level curve) on
    # FPHA planes, the other plant at fixed head; the stages' first-step mean storage
    # is the storage entering them, so the stages chain into the horizon's LP exactly
    det = cli(
        "run",
        "toy-cascade",
        *horizon,
        "--inflows",
        ens,
        "--member",
        "0",
        "--head",
        "auto",
        "--out",
        root / "det",
        "--no-report",
    )
    assert det.exit_code == 0, det.output
    sd = cli(
        "sddp",
        "toy-cascade",
        *horizon,
        "--inflows",
        ens,
        "--iterations",
        "60",
        "--gap",
        "1e-10",
        "--head",
        "auto",
        "--out",
        root / "sddp",
        "--no-report",
    )
    assert sd.exit_code == 0, sd.output
    return root


def test_lower_bound_equals_the_deterministic_objective(runs):
    det = json.loads((runs / "det" / "summary.json").read_text())
    sddp = json.loads((runs / "sddp" / "summary.json").read_text())
    assert sddp["sddp"]["outcomes_per_stage"] == [1] * 3
    assert sddp["sddp"]["lower_bound_usd"] == pytest.approx(det["objective_usd"], rel=1e-9)
    assert sddp["sddp"]["simulated_mean_usd"] == pytest.approx(det["objective_usd"], rel=1e-9)
    assert sddp["sddp"]["simulated_ci95_usd"] == 0.0
    assert sddp["sddp"]["stopped_by"] == "statistical_gap"
    # the same head model, said so, with the same planes
    assert sddp["solve"]["head_mode"] == det["solve"]["head_mode"] == "auto"
    assert list(sddp["solve"]["fpha"]) == list(det["solve"]["fpha"]) == ["upper_hpp"]
    assert sddp["solve"]["fpha"] == det["solve"]["fpha"]
    # the exact energy of the simulated path, below the planes' (never above)
    assert sddp["solve"]["head_energy_gap"] < 0


def test_the_simulated_member_is_an_optimum_of_the_deterministic_lp(runs):
    """The LP is degenerate (water can wait in either reservoir at no cost), so the storage
    path of an optimum is not unique: the deterministic LP with its storage fixed to the
    simulated path must reach the same optimum."""
    sim = xr.open_dataset(runs / "sddp" / "simulation.nc", engine="h5netcdf").sel(member=0)
    summary = json.loads((runs / "sddp" / "summary.json").read_text())
    det_summary = json.loads((runs / "det" / "summary.json").read_text())
    assert summary["audit"]["passed"] and summary["audit"]["members_passed"] == 1
    net = with_member(
        load_network("toy-cascade", start=HORIZON[0], end=HORIZON[1]), runs / "one.nc", 0
    )
    np.testing.assert_allclose(
        sim["inflow_m3s"], net.series["catchments"]["inflow_m3s"], rtol=1e-12
    )
    ctx = build_model(net, fixed_parameters(net), BuildConfig(production="auto"))
    storage = ctx.var(STORAGE)
    path = sim["storage_hm3"].transpose("time", "reservoir").values / net.hm3_per_m3s
    storage.lower = xr.DataArray(path, coords=storage.lower.coords)
    storage.upper = xr.DataArray(path, coords=storage.upper.coords)
    assert run_solver(ctx.model, SolveOptions()).outcome is Outcome.OPTIMAL
    fixed = float(ctx.model.objective.value) + ctx.cost_constant - ctx.tie_break_usd()
    assert fixed == pytest.approx(det_summary["objective_usd"], rel=1e-7)
