"""A model with only the required fields: every default of FORMAT.md's table is filled in."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from vakhsh.network import load_network

MINIMAL = {
    "format": 1,
    "name": "minimal",
    "time": {"start": "2024-01-01", "end": "2024-01-03", "step": "1D"},
    "junctions": {"j": None},
    "sinks": {"sea": {}},
    "catchments": {"c": {"to": "r", "inflow_m3s": 10}},
    "reservoirs": {
        "r": {"storage_min_hm3": 1, "storage_max_hm3": 9, "storage_initial_hm3": 4, "spill_to": "j"}
    },
    "reaches": {"out": {"from": "j", "to": "sea"}},
    "hydro_plants": {
        "hpp": {
            "reservoir": "r",
            "to": "j",
            "bus": "B",
            "capacity_mw": 5,
            "max_flow_m3s": 8,
            "efficiency": 0.9,
            "head_m": 20,
        }
    },
    "water_demands": {"farm": {"node": "j", "demand_m3s": 2, "shortage_cost_usd_per_hm3": 1}},
    "buses": {"B": {"voll_usd_per_mwh": 900}, "C": {"voll_usd_per_mwh": 900}},
    "loads": {"city": {"bus": "B", "p_mw": 3}},
    "generators": {"gas": {"bus": "B", "capacity_mw": 10, "marginal_cost_usd_per_mwh": 50}},
    "storage_units": {
        "bat": {"bus": "B", "power_mw": 1, "energy_mwh": 4, "efficiency_roundtrip": 0.9}
    },
    "lines": {"tie": {"from": "B", "to": "C", "capacity_mw": 7}},
    "markets": {"mkt": {"bus": "C", "price_usd_per_mwh": 60}},
    "candidates": {
        "pv": {
            "component": "generators",
            "template": {"bus": "B", "marginal_cost_usd_per_mwh": 0},
            "capex_usd_per_kw": 700,
            "lifetime_years": 25,
        }
    },
    "scenarios": {"other": {}},
}


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    folder = tmp_path_factory.mktemp("minimal")
    (folder / "model.yaml").write_text(yaml.safe_dump(MINIMAL))
    return load_network(folder)


def row(net, kind, cid):
    return net.tables[kind].loc[cid]


def series(net, kind, name, cid):
    values = net.series[kind][name].sel({net.dim(kind): cid}).to_numpy()
    assert (values == values[0]).all()
    return float(values[0])


def test_top_level_defaults(net):
    assert net.description == ""
    assert net.currency == "USD"
    assert net.discount_rate == 0.08
    assert net.scenario is None  # no `base` scenario: the model as written


def test_water_defaults(net):
    assert series(net, "sinks", "min_inflow_m3s", "sea") == 0
    assert row(net, "sinks", "sea").shortfall_cost_usd_per_hm3 is None
    res = row(net, "reservoirs", "r")
    assert res.storage_final_min_hm3 == 4  # = initial
    assert res.level_curve is None and res.area_curve is None
    assert res.evaporation_mm_per_month is None
    assert res.spill_cost_usd_per_hm3 == 0
    assert series(net, "reservoirs", "min_release_m3s", "r") == 0
    reach = row(net, "reaches", "out")
    assert (reach.delay_steps, reach.loss_fraction, reach.initial_flow_m3s) == (0, 0, 0)
    assert reach.shortfall_cost_usd_per_hm3 is None
    assert series(net, "reaches", "min_flow_m3s", "out") == 0
    assert series(net, "reaches", "max_flow_m3s", "out") == math.inf
    assert pd.isna(row(net, "hydro_plants", "hpp").available_from)
    demand = row(net, "water_demands", "farm")
    assert (demand.kind, demand.country, demand.return_fraction, demand.return_to) == (
        "irrigation",
        None,
        0,
        None,
    )


def test_power_defaults(net):
    assert row(net, "buses", "B").country is None
    gas = row(net, "generators", "gas")
    assert (gas.carrier, gas.co2_t_per_mwh) == ("other", 0)
    assert pd.isna(gas.available_from)
    assert series(net, "generators", "capacity_factor", "gas") == 1
    bat = row(net, "storage_units", "bat")
    assert (bat.soc_initial_mwh, bat.soc_final_min_mwh) == (0, 0)
    tie = row(net, "lines", "tie")
    assert tie.loss_fraction == 0 and pd.isna(tie.available_from)
    assert series(net, "markets", "max_export_mw", "mkt") == 0
    assert series(net, "markets", "max_import_mw", "mkt") == 0


def test_planning_defaults(net):
    pv = net.candidates.loc["pv"]
    assert (pv.fom_usd_per_kw_year, pv.min_build_mw, pv.lumpy) == (0, 0, False)
    assert pv.max_build_mw is None or np.isnan(pv.max_build_mw)


def test_scenario_defaults(tmp_path):
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(MINIMAL))
    other = load_network(tmp_path, scenario="other")
    assert other.scenario == "other"
    assert other == load_network(tmp_path)  # all factors 1, no overrides


def test_storage_final_default_follows_soc_initial(tmp_path):
    model = yaml.safe_load(yaml.safe_dump(MINIMAL))
    model["storage_units"]["bat"]["soc_initial_mwh"] = 3
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(model))
    assert load_network(tmp_path).tables["storage_units"].loc["bat", "soc_final_min_mwh"] == 3
