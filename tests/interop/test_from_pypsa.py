"""Networks built with PyPSA, imported, solved by vakhsh: PyPSA's optimum, flows and prices.

Each network is optimised by PyPSA itself (HiGHS) and by vakhsh after `from_pypsa`;
the objectives agree to 1e-6 relative, line flows and bus prices to 1e-6 absolute (MW,
USD/MWh) where the LP's duals are unique.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import pytest

import vakhsh
from vakhsh.errors import ModelError
from vakhsh.interop import from_pypsa
from vakhsh.interop.imports import NAMES_FILE, import_network

from .conftest import pypsa_optimum

REL = 1e-6
HOURS = np.arange(24)


def meshed(congested: bool = True, storage: bool = True) -> pypsa.Network:
    """Four buses at 220 kV: a meshed AC triangle A-B-C (KVL), a DC link C-D, gas at A,
    coal at B, solar at C (curtailed at noon), a peaker at D, a battery at C, a store
    at D; A-C congested when asked."""
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2024-06-01", periods=24, freq="h"))
    n.add("Bus", list("ABCD"), v_nom=220.0)
    n.add("Line", "ab", bus0="A", bus1="B", x=10.0, r=1.0, s_nom=150)
    n.add("Line", "bc", bus0="B", bus1="C", x=20.0, s_nom=150)
    n.add("Line", "ca", bus0="C", bus1="A", x=15.0, s_nom=40 if congested else 150, s_max_pu=0.9)
    n.add("Link", "cd", bus0="C", bus1="D", p_nom=50, p_min_pu=-1)
    n.add("Carrier", ["gas", "coal", "solar"], co2_emissions=[0.2, 0.34, 0.0])
    n.add("Generator", "gas", bus="A", carrier="gas", p_nom=300, marginal_cost=40, efficiency=0.5)
    n.add("Generator", "coal", bus="B", carrier="coal", p_nom=120, marginal_cost=25)
    sun = pd.Series(np.clip(np.sin((HOURS - 6) / 12 * np.pi), 0, None), n.snapshots)
    n.add("Generator", "solar", bus="C", carrier="solar", p_nom=250, marginal_cost=0, p_max_pu=sun)
    n.add("Generator", "peak", bus="D", p_nom=100, marginal_cost=120)
    n.add("Load", "la", bus="A", p_set=80)
    n.add(
        "Load",
        "lc",
        bus="C",
        p_set=pd.Series(70 + 30 * np.cos(HOURS / 24 * 2 * np.pi), n.snapshots),
    )
    n.add("Load", "ld", bus="D", p_set=pd.Series(60 + 20 * (HOURS >= 17), n.snapshots))
    if storage:
        n.add(
            "StorageUnit",
            "battery",
            bus="C",
            p_nom=30,
            max_hours=4,
            efficiency_store=0.95,
            efficiency_dispatch=0.9,
            cyclic_state_of_charge=True,
        )
        n.add("Store", "tank", bus="D", e_nom=100, e_initial=20)
    return n


def solve_imported(n, tmp_path, name="imported"):
    folder = from_pypsa(n, tmp_path / name)
    names = pd.read_csv(folder / NAMES_FILE)
    return vakhsh.optimise(vakhsh.load(folder)), names


@pytest.mark.parametrize("congested", [False, True], ids=["free", "congested"])
def test_meshed_network_matches_pypsa(tmp_path, congested):
    # without storage the dispatch is unique (with it, a stored MWh may move between
    # hours at equal cost), so flows and prices are compared too
    n = meshed(congested, storage=False)
    expected = pypsa_optimum(n)
    res, _ = solve_imported(n, tmp_path)
    assert res.objective_usd == pytest.approx(expected, rel=REL)
    ds = res.dataset
    flow = (ds["line_forward_mw"] - ds["line_backward_mw"]).transpose("time", "line")
    for line in ("ab", "bc", "ca"):
        np.testing.assert_allclose(flow.sel(line=line).values, n.lines_t.p0[line].values, atol=1e-6)
    np.testing.assert_allclose(flow.sel(line="cd").values, n.links_t.p0["cd"].values, atol=1e-6)
    prices = ds["price_usd_per_mwh"].transpose("time", "bus").to_pandas()
    np.testing.assert_allclose(
        prices[list("ABCD")].values, n.buses_t.marginal_price[list("ABCD")].values, atol=1e-6
    )
    assert float(ds["unserved_mw"].sum()) == pytest.approx(0, abs=1e-9)
    assert res.audit.passed
    if congested:  # the congestion shows: A-C at its limit, prices differ along it
        assert np.isclose(np.abs(flow.sel(line="ca").values).max(), 36.0)
        assert np.ptp(prices.to_numpy(), axis=1).max() > 1


@pytest.mark.parametrize("congested", [False, True], ids=["free", "congested"])
def test_battery_and_store_reach_pypsa_optimum(tmp_path, congested):
    n = meshed(congested)
    expected = pypsa_optimum(n)
    res, _ = solve_imported(n, tmp_path)
    assert res.objective_usd == pytest.approx(expected, rel=REL)
    assert res.audit.passed
    ds = res.dataset
    soc = ds["storage_soc_mwh"].sel(storage_unit="battery").values
    assert soc.max() <= 120 + 1e-6 and soc.max() > 1  # it is used, within 4 h * 30 MW
    # the solar peak is curtailed in both (250 MW of sun against ~210 MW of use)
    used = ds["generator_p_mw"].sel(generator="solar").values
    assert (used < 250 * np.clip(np.sin((HOURS - 6) / 12 * np.pi), 0, None) - 1).any()


def test_storage_unit_inflow_and_spill(tmp_path):
    # a hydro-like storage unit: 50 MW inflow, 20 MWh, p_nom 10; the load takes 10 MW,
    # so 40 MW is spilled every hour once full. PyPSA spills up to the inflow too.
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2024-01-01", periods=6, freq="2h"))
    n.snapshot_weightings.loc[:, :] = 2.0
    n.add("Bus", "X")
    n.add("Load", "l", bus="X", p_set=10)
    n.add("Generator", "g", bus="X", p_nom=50, marginal_cost=30)
    n.add(
        "StorageUnit", "hydro", bus="X", p_nom=10, max_hours=2, inflow=50, state_of_charge_initial=5
    )
    expected = pypsa_optimum(n)
    res, _ = solve_imported(n, tmp_path)
    assert res.objective_usd == pytest.approx(expected, rel=REL, abs=1e-6)
    # the last step may keep 10 MW more at no cost (no end target): compare the others
    np.testing.assert_allclose(
        res.dataset["storage_spill_mw"].values.ravel()[:-1],
        n.storage_units_t.spill["hydro"].values[:-1],
        atol=1e-6,
    )
    assert res.audit.passed


def test_forced_link_flow_and_one_way_loss(tmp_path):
    # a one-way lossy link (efficiency 0.9) that must carry 20 MW (p_min_pu 0.4 of 50)
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2024-01-01", periods=3, freq="h"))
    n.add("Bus", ["P", "Q"])
    n.add("Generator", "cheap", bus="P", p_nom=100, marginal_cost=10)
    n.add("Generator", "dear", bus="Q", p_nom=100, marginal_cost=50)
    n.add("Load", "lp", bus="P", p_set=30)
    n.add("Load", "lq", bus="Q", p_set=pd.Series([20.0, 40.0, 60.0], n.snapshots))
    n.add("Link", "pq", bus0="P", bus1="Q", p_nom=50, p_min_pu=0.4, efficiency=0.9)
    expected = pypsa_optimum(n)
    res, _ = solve_imported(n, tmp_path)
    assert res.objective_usd == pytest.approx(expected, rel=REL)
    np.testing.assert_allclose(
        res.dataset["line_forward_mw"].values.ravel(), n.links_t.p0["pq"].values, atol=1e-6
    )


def test_a_generator_that_runs_negative_is_a_market(tmp_path):
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2024-01-01", periods=2, freq="h"))
    n.add("Bus", "X")
    n.add(
        "Generator",
        "solar",
        bus="X",
        p_nom=100,
        marginal_cost=0,
        p_max_pu=pd.Series([1.0, 0.0], n.snapshots),
    )
    n.add("Load", "l", bus="X", p_set=30)
    n.add("Generator", "border", bus="X", p_nom=50, p_min_pu=-1, marginal_cost=60)
    expected = pypsa_optimum(n)  # sells 50 in hour 1 (-3000), buys 30 in hour 2
    folder = from_pypsa(n, tmp_path / "m")
    net = vakhsh.load(folder)
    assert list(net.tables["markets"].index) == ["border"]
    assert vakhsh.optimise(net).objective_usd == pytest.approx(expected, rel=REL)


def test_non_timestamp_snapshots_become_steps_of_the_weighting(tmp_path):
    n = meshed(storage=False)
    n.set_snapshots(range(24))
    n.snapshot_weightings.loc[:, :] = 1.0
    imported = import_network(n)
    assert imported.model["time"]["step"] == "1h"
    assert any("not timestamps" in w for w in imported.warnings)


def test_ids_are_made_valid_and_unique(tmp_path):
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2024-01-01", periods=2, freq="h"))
    n.add("Bus", ["DE 1", "DE-1"])
    n.add("Generator", "DE 1", bus="DE 1", p_nom=10, marginal_cost=1)
    n.add("Load", "Load DE", bus="DE-1", p_set=5)
    n.add("Link", "DE 1", bus0="DE 1", bus1="DE-1", p_nom=10)
    imported = import_network(n)
    ids = [vid for _, _, vid in imported.names]
    assert len(set(ids)) == len(ids)
    assert imported.id_of("Bus", "DE 1") == "DE_1"
    assert imported.id_of("Generator", "DE 1") == "de_1"
    assert imported.id_of("Link", "DE 1") == "de_1_2"
    folder = from_pypsa(n, tmp_path / "ids")
    assert vakhsh.optimise(vakhsh.load(folder)).objective_usd == pytest.approx(
        pypsa_optimum(n), rel=REL
    )


# ---------------------------------------------------------------- what is refused
def _refused(n, match):
    with pytest.raises(ModelError, match=match):
        import_network(n)


def test_unit_commitment_is_refused_by_name():
    n = meshed(storage=False)
    n.generators.loc["gas", "committable"] = True
    _refused(n, r"generators\.gas\.committable: unit commitment")


def test_extendable_and_global_constraints_are_refused():
    n = meshed(storage=False)
    n.generators.loc["coal", "p_nom_extendable"] = True
    n.add(
        "GlobalConstraint",
        "co2",
        type="primary_energy",
        carrier_attribute="co2_emissions",
        sense="<=",
        constant=100,
    )
    with pytest.raises(ModelError) as err:
        import_network(n)
    text = str(err.value)
    assert "generators.coal.p_nom_extendable: extendable" in text
    assert "global_constraints.co2.type" in text


def test_a_time_index_with_gaps_is_refused():
    n = meshed(storage=False)
    stamps = pd.DatetimeIndex(
        list(pd.date_range("2024-06-01", periods=12, freq="h"))
        + list(pd.date_range("2024-06-01 14:00", periods=12, freq="h"))
    )
    n.set_snapshots(stamps)
    _refused(n, r"snapshots\.index: the time index has gaps")


def test_weightings_other_than_the_step_are_refused():
    n = meshed(storage=False)
    n.snapshot_weightings.loc[:, "objective"] = 3.0
    _refused(n, r"snapshot_weightings\.objective: must equal the step, 1 h")


def test_multi_port_links_are_refused():
    n = meshed(storage=False)
    n.add("Link", "chp", bus0="A", bus1="B", bus2="C", p_nom=10, efficiency=0.4, efficiency2=0.4)
    _refused(n, r"links\.chp\.bus2: multi-port links")
