"""SDDP stages on FPHA (`--head auto`): the converged lower bound equals the deterministic
equivalent with FPHA, the stage LPs read their incoming storage in the planes' first
step and share one fit of the planes, and the simulated exact energy never exceeds the
LP's energy of the FPHA plants.

The tree: toy-cascade over October and November 2024 at daily steps (two monthly
stages), a dry and a wet outcome per stage. upper_hpp has a tailwater and a level curve,
so auto puts it on FPHA planes; lower_hpp keeps its fixed head.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from vakhsh.math.fpha import FPHA_POWER, FPHA_ROWS, plant_curve
from vakhsh.math.fpha_fit import fit_planes
from vakhsh.network import load_network
from vakhsh.sddp.inflows import load_inflows
from vakhsh.sddp.model import build_sddp_model
from vakhsh.sddp.options import SDDPOptions
from vakhsh.sddp.simulate import simulate
from vakhsh.sddp.stage_build import STORAGE_IN
from vakhsh.sddp.stopping import BoundStalling, IterationLimit
from vakhsh.sddp.train import train

FACTORS = [0.6, 1.4]
PLANT = "upper_hpp"


@pytest.fixture(scope="module")
def case(tmp_path_factory, helpers):
    net = load_network("toy-cascade", start="2024-10-01", end="2024-12-01")
    inflows = load_inflows(
        net,
        helpers.monthly_ensemble(net, np.array(FACTORS), tmp_path_factory.mktemp("fpha") / "e.nc"),
    )
    stages = helpers.month_stages(net)
    outcomes = [inflows.steps_m3s[:, steps, :] for steps in stages]
    optimum = {
        head: helpers.deterministic_equivalent(net, stages, outcomes, production=head)
        for head in ("auto", "fixed")
    }
    model = build_sddp_model(net, inflows, SDDPOptions(gap=None, forward_passes=2))
    log = train(model, [IterationLimit(60), BoundStalling(6, 1e-10)])
    return net, inflows, model, log, optimum


def test_lower_bound_equals_the_deterministic_equivalent_with_fpha(case):
    _net, _inflows, model, log, optimum = case
    assert model.options.head == "auto" and len(model.stages) == 2
    # the head model matters here: the two equivalents differ by far more than 1e-6
    assert abs(optimum["auto"] - optimum["fixed"]) > 1e-3 * optimum["fixed"]
    assert log.stopped_by == "bound_stalling"
    assert log.lower_bound_usd == pytest.approx(optimum["auto"], rel=1e-6)
    assert max(it.lower_bound_usd for it in log.iterations) <= optimum["auto"] * (1 + 1e-9)


def test_the_planes_read_the_incoming_storage_and_are_fitted_once(case):
    """Each stage's FPHA rows of its first step hold -b/2 on the incoming storage column
    (the mean of the stage's start and first end storage) and no constant from the
    horizon's initial storage; the planes are one fit for every stage."""
    net, _inflows, model, _log, _optimum = case
    expected = fit_planes(plant_curve(net, PLANT))
    first = model.lps[0].ctx.fpha_planes
    for lp in model.lps:
        assert lp.ctx.fpha_planes is first
        planes = lp.ctx.fpha_planes[PLANT]
        np.testing.assert_array_equal(planes.per_hm3, expected.per_hm3)
        con = lp.ctx.model.constraints[FPHA_ROWS]
        rows = (
            xr.DataArray(lp.con_rows[FPHA_ROWS], coords=con.labels.coords, dims=con.labels.dims)
            .transpose("time", "hydro_plant", "fpha_plane")
            .values
        )
        plant = list(con.labels.indexes["hydro_plant"]).index(PLANT)
        reservoir = list(lp.ctx.var(STORAGE_IN).labels.indexes["reservoir"]).index("upper")
        col = lp.var_cols[STORAGE_IN][reservoir]
        for j in range(len(planes)):
            assert lp.A[int(rows[0, plant, j]), int(col)] == pytest.approx(
                -0.5 * planes.per_hm3[j], rel=1e-12
            )
            assert lp.row_upper[rows[0, plant, j]] == pytest.approx(
                planes.intercept_mw[j], rel=1e-12
            )
            assert lp.A[int(rows[1, plant, j]), int(col)] == 0.0  # later steps: not it


def test_simulated_exact_energy_is_at_most_the_lp_energy_of_fpha_plants(case):
    net, inflows, model, _log, _optimum = case
    sim = simulate(model, inflows.steps_m3s, inflows.members)
    assert all(a.passed for a in sim.audits)
    ds = sim.dataset
    lp_p = ds["hydro_p_mw"].sel(hydro_plant=PLANT)
    exact_p = ds["hydro_p_exact_mw"].sel(hydro_plant=PLANT)
    assert float(lp_p.sum()) > 0
    assert (exact_p <= lp_p + 1e-9).all()  # step by step, member by member
    assert (exact_p.sum("time") < lp_p.sum("time")).all()  # the planes overstate somewhere
    # the LP's power of the FPHA plant is its power column, under the planes at the
    # simulated path's mean storage (the stages' starts included)
    stage_power = np.concatenate(list(_fpha_power(model)))
    np.testing.assert_allclose(lp_p.sel(member=0).values, stage_power, atol=1e-9)
    planes = model.lps[0].ctx.fpha_planes[PLANT]
    storage = ds["storage_hm3"].sel(reservoir="upper")
    initial = float(net.tables["reservoirs"].loc["upper", "storage_initial_hm3"])
    start = storage.shift(time=1).fillna(initial)
    flow = ds["turbine_flow_m3s"].sel(hydro_plant=PLANT)
    envelope = planes.envelope_mw((start + storage).values / 2, flow.values)
    assert (lp_p.values <= envelope + 1e-6).all()
    assert np.all(sim.energy_gap < 0)


def _fpha_power(model):
    """The FPHA power column of each stage LP along member 0's simulated path."""
    from vakhsh.sddp.train import Trainer

    trainer = Trainer(model, np.random.default_rng(0))
    x = model.states.initial.copy()
    path = model.inflows.steps_m3s[0]
    for s, lp in enumerate(model.lps):
        sol = trainer.solve(s, x, path=path, full=True, cold=True)
        cols = lp.var_cols[FPHA_POWER][:, 0]
        yield sol.col_value[cols]
        x = sol.state_out
