"""Every headline quantity of `vakhsh.results.metrics` on a model solved by hand.

The model runs daily from 2025-03-31 to 2025-10-02: two winter days (31 March, 1
October, in two hydrological years), April, and May-September. Loads and demands are
month tables, so each day's dispatch follows from merit order alone (unique):

* bus A (Tajikistan): load 100 MW in winter, 70 MW in April, 40 MW May-September; a line
  from B (30 MW, 10 % loss: 22.2 USD/MWh at A) runs full every day; then its own unit
  `ga` (60 MW at 30 USD/MWh), a market `ma` selling up to 5 MW at 40 USD/MWh; VoLL 1000.
  Winter: line 27 arriving, ga 60, imports 5, unserved 8 MW. April: ga 43. Summer: ga 13.
* bus B (Uzbekistan): load 50 MW; `gb` (200 MW at 20 USD/MWh) serves it, the 30 MW the
  line sends and 10 MW of exports to `mb` at 25 USD/MWh: 90 MW every day.
* water: 20 m3/s into reservoir `r`, whose storage is fixed (5 hm3), so it spills all
  (1 USD/hm3) to junction `j`; `dt` (TJ, 10 m3/s at 2000 USD/hm3) and `du` (UZ, 20 m3/s
  at 1000 USD/hm3, half returned to the sea) draw there; the reach to `aral_sea` wants 2
  m3/s (100 USD/hm3 short) and the sea 8 m3/s (500 USD/hm3 short). Every day: dt 10,
  du 10 (short 10), reach 0 (short 2), sea 5 (short 3) m3/s.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from vakhsh.results import metrics as m

K = 0.0864  # hm3 per m3/s over a day


def _months(winter: float, april: float, summer: float) -> list[float]:
    return [
        winter if m_ in (1, 2, 3, 10, 11, 12) else april if m_ == 4 else summer
        for m_ in range(1, 13)
    ]


HAND = {
    "buses": {
        "A": {"country": "TJ", "voll_usd_per_mwh": 1000},
        "B": {"country": "UZ", "voll_usd_per_mwh": 1000},
    },
    "loads": {
        "la": {"bus": "A", "p_mw": "series:months.csv#load_a"},
        "lb": {"bus": "B", "p_mw": 50},
    },
    "generators": {
        "ga": {"bus": "A", "capacity_mw": 60, "marginal_cost_usd_per_mwh": 30},
        "gb": {"bus": "B", "capacity_mw": 200, "marginal_cost_usd_per_mwh": 20},
    },
    "lines": {"ba": {"from": "B", "to": "A", "capacity_mw": 30, "loss_fraction": 0.1}},
    "markets": {
        "ma": {"bus": "A", "price_usd_per_mwh": 40, "max_import_mw": 5},
        "mb": {"bus": "B", "price_usd_per_mwh": 25, "max_export_mw": 10},
    },
    "sinks": {"aral_sea": {"min_inflow_m3s": 8, "shortfall_cost_usd_per_hm3": 500}},
    "catchments": {"river": {"to": "r", "inflow_m3s": 20}},
    "reservoirs": {
        "r": {
            "storage_min_hm3": 5,
            "storage_max_hm3": 5,
            "storage_initial_hm3": 5,
            "spill_to": "j",
            "spill_cost_usd_per_hm3": 1,
        }
    },
    "junctions": {"j": {}},
    "reaches": {
        "j_sea": {
            "from": "j",
            "to": "aral_sea",
            "min_flow_m3s": 2,
            "shortfall_cost_usd_per_hm3": 100,
        }
    },
    "water_demands": {
        "dt": {"node": "j", "country": "TJ", "demand_m3s": 10, "shortage_cost_usd_per_hm3": 2000},
        "du": {
            "node": "j",
            "country": "Uzbekistan",
            "demand_m3s": 20,
            "shortage_cost_usd_per_hm3": 1000,
            "return_fraction": 0.5,
            "return_to": "aral_sea",
        },
    },
}
SERIES = {"months.csv": {"month": list(range(1, 13)), "load_a": _months(100, 70, 40)}}

# days per season of the run 2025-03-31 .. 2025-10-02 (exclusive): 31 March and 1 October
# are winter, April is April, 1 May .. 30 September is summer
WINTER_DAYS, APRIL_DAYS, SUMMER_DAYS = 2, 30, 153
DAYS = WINTER_DAYS + APRIL_DAYS + SUMMER_DAYS


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    from tests.lp.conftest import solve_folder, write_model

    folder = write_model(
        tmp_path_factory.mktemp("metrics"),
        HAND,
        SERIES,
        name="hand",
        start="2025-03-31",
        end="2025-10-02",
        step="1D",
    )
    results = solve_folder(folder)
    assert len(results.net.time) == WINTER_DAYS + APRIL_DAYS + SUMMER_DAYS
    return results


def per_day_gwh(mw: float) -> float:
    return mw * 24 / 1e3


def test_season_mask_marks_the_steps_of_a_season_or_every_step(hand):
    net = hand.net
    every = m.season_mask(net, None)
    assert every.dtype == bool and every.dims == ("time",)
    assert bool(every.all()) and every.sizes["time"] == DAYS
    winter = m.season_mask(net, m.WINTER)
    assert winter.dtype == bool and int(winter.sum()) == WINTER_DAYS
    assert (winter["time"].values == net.time.values).all()
    assert int(m.season_mask(net, (4,)).sum()) == APRIL_DAYS


def test_energy_by_bus_and_kind(hand):
    frame = m.energy_by_bus_gwh(hand.net, hand.dataset)
    d = per_day_gwh
    a, b = frame.loc["A"], frame.loc["B"]
    assert a["generators"] == pytest.approx(
        d(60) * WINTER_DAYS + d(43) * APRIL_DAYS + d(13) * SUMMER_DAYS
    )
    assert a["line_in"] == pytest.approx(d(27) * DAYS)
    assert a["imports"] == pytest.approx(d(5) * WINTER_DAYS)
    assert a["unserved"] == pytest.approx(d(8) * WINTER_DAYS)
    assert a["load"] == pytest.approx(
        -(d(100) * WINTER_DAYS + d(70) * APRIL_DAYS + d(40) * SUMMER_DAYS)
    )
    assert b["generators"] == pytest.approx(d(90) * DAYS)
    assert b["line_out"] == pytest.approx(-d(30) * DAYS)
    assert b["exports"] == pytest.approx(-d(10) * DAYS)
    # every row of the balance closes
    np.testing.assert_allclose(frame.sum(axis=1), 0.0, atol=1e-9)


def test_unserved_and_net_imports_by_season(hand):
    net, ds = hand.net, hand.dataset
    assert m.unserved_gwh(net, ds)["A"] == pytest.approx(per_day_gwh(8) * WINTER_DAYS)
    assert m.unserved_gwh(net, ds, m.VEGETATION)["A"] == pytest.approx(0.0, abs=1e-9)
    imports = m.net_import_gwh(net, ds, m.WINTER)
    assert imports["A"] == pytest.approx(per_day_gwh(27 + 5) * WINTER_DAYS)
    assert imports["B"] == pytest.approx(-per_day_gwh(30 + 10) * WINTER_DAYS)


def test_winter_deficit_clips_net_imports_over_the_season(hand):
    """A: 8 MW unserved + 32 MW imported on each winter day; B exports, so no deficit
    (without the clip it would be -0.96 GWh a day)."""
    net, ds = hand.net, hand.dataset
    deficit = m.winter_deficit_gwh(net, ds)
    assert deficit["A"] == pytest.approx(per_day_gwh(8 + 32) * WINTER_DAYS)
    assert deficit["B"] == 0.0
    april = m.winter_deficit_gwh(net, ds, m.WINTER_AND_APRIL)
    assert april["A"] == pytest.approx(per_day_gwh(40) * WINTER_DAYS + per_day_gwh(27) * APRIL_DAYS)
    assert april["B"] == 0.0
    summary = hand.summary()["energy"]
    assert summary["winter_deficit_gwh"] == pytest.approx(deficit.to_dict())
    assert summary["deficit_oct_apr_gwh"] == pytest.approx(april.to_dict())


def test_winter_deficit_clips_the_season_s_sum_not_each_step(tmp_path):
    """A imports 10 MW on 1 January (its unit is out) and exports 4 MW on 2 January (its
    unit is the cheapest on the grid): its net imports over the winter are 10 - 4 = 6 MW
    for a day, 0.144 GWh, and so is its deficit (clipping each step would give 0.24).
    B mirrors it: -6 MW days net, no deficit (per step it would be 0.096 GWh)."""
    from tests.lp.conftest import solve_folder, write_model

    days = ["2025-01-01", "2025-01-02"]
    folder = write_model(
        tmp_path,
        {
            "buses": {
                "A": {"country": "TJ", "voll_usd_per_mwh": 1000},
                "B": {"country": "UZ", "voll_usd_per_mwh": 1000},
            },
            "loads": {
                "la": {"bus": "A", "p_mw": "series:s.csv#la"},
                "lb": {"bus": "B", "p_mw": "series:s.csv#lb"},
            },
            "generators": {
                "ga": {
                    "bus": "A",
                    "capacity_mw": 10,
                    "marginal_cost_usd_per_mwh": 10,
                    "capacity_factor": "series:s.csv#ga",
                },
                "gb": {"bus": "B", "capacity_mw": 20, "marginal_cost_usd_per_mwh": 50},
            },
            "lines": {"ab": {"from": "A", "to": "B", "capacity_mw": 100}},
        },
        {"s.csv": {"time": days, "la": [10, 0], "lb": [0, 4], "ga": [0, 1]}},
        start=days[0],
        end="2025-01-03",
        step="1D",
    )
    results = solve_folder(folder)
    net, ds = results.net, results.dataset
    np.testing.assert_allclose(m.net_imports_mw(net, ds).sel(bus="A").values, [10, -4], atol=1e-9)
    deficit = m.winter_deficit_gwh(net, ds)
    assert deficit["A"] == pytest.approx(per_day_gwh(10 - 4))
    assert deficit["B"] == pytest.approx(0.0, abs=1e-12)
    by_year = m.winter_deficit_by_year(net, ds)
    assert by_year.loc["2024/25 (part)", "A"] == pytest.approx(per_day_gwh(6))
    assert results.summary()["energy"]["winter_deficit_gwh"]["A"] == pytest.approx(per_day_gwh(6))


def test_winter_deficit_counts_only_the_winter_s_unserved_energy(tmp_path):
    """A lone bus short by 10 MW on 31 March (winter) and on 1 April (not): its winter
    deficit is one day's 0.24 GWh, October-April's two days' 0.48 GWh. (On the model
    above unserved energy falls in winter only, so a deficit that summed unserved energy
    over the whole run passed every test: mutmut found it.)"""
    from tests.lp.conftest import solve_folder, write_model

    folder = write_model(
        tmp_path,
        {
            "buses": {"A": {"country": "TJ", "voll_usd_per_mwh": 1000}},
            "loads": {"la": {"bus": "A", "p_mw": 20}},
            "generators": {"ga": {"bus": "A", "capacity_mw": 10, "marginal_cost_usd_per_mwh": 10}},
        },
        start="2025-03-31",
        end="2025-04-02",
        step="1D",
    )
    results = solve_folder(folder)
    net, ds = results.net, results.dataset
    np.testing.assert_allclose(ds["unserved_mw"].sel(bus="A").values, [10, 10], atol=1e-9)
    assert m.winter_deficit_gwh(net, ds)["A"] == pytest.approx(per_day_gwh(10))
    assert m.winter_deficit_gwh(net, ds, m.WINTER_AND_APRIL)["A"] == pytest.approx(per_day_gwh(20))
    assert m.winter_deficit_by_year(net, ds).loc["2024/25 (part)", "A"] == pytest.approx(
        per_day_gwh(10)
    )
    assert m.unserved_gwh(net, ds, m.VEGETATION)["A"] == pytest.approx(per_day_gwh(10))
    assert results.summary()["energy"]["winter_deficit_gwh"]["A"] == pytest.approx(per_day_gwh(10))


def test_winter_deficit_by_hydrological_year(hand):
    table = m.winter_deficit_by_year(hand.net, hand.dataset)
    assert list(table.index) == ["2024/25 (part)", "2025/26 (part)"]
    np.testing.assert_allclose(table["A"], per_day_gwh(40))
    np.testing.assert_allclose(table["B"], 0.0)
    by_winter = hand.summary()["energy"]["winter_deficit_by_winter_gwh"]
    assert by_winter["2024/25 (part)"]["A"] == pytest.approx(per_day_gwh(40))


def test_markets_by_season(hand):
    net, ds = hand.net, hand.dataset
    assert m.market_gwh(net, ds).loc["mb", "export_gwh"] == pytest.approx(per_day_gwh(10) * DAYS)
    winter = m.market_gwh(net, ds, m.WINTER)
    assert winter.loc["mb", "export_gwh"] == pytest.approx(per_day_gwh(10) * WINTER_DAYS)
    assert winter.loc["ma", "import_gwh"] == pytest.approx(per_day_gwh(5) * WINTER_DAYS)
    assert m.market_revenue_usd(net, ds)["mb"] == pytest.approx(10 * 24 * 25 * DAYS)


def test_water_delivery_downstream_and_aral(hand):
    net, ds = hand.net, hand.dataset
    days = WINTER_DAYS + APRIL_DAYS + SUMMER_DAYS
    assert m.downstream_demands(net) == ["du"]  # Uzbekistan; dt is Tajik (upstream)
    assert m.downstream_demands(net, ("TJ",)) == ["dt"]
    assert m.delivered_hm3(net, ds)["dt"] == pytest.approx(10 * K * days)
    assert m.downstream_delivery_hm3(net, ds) == pytest.approx(10 * K * days)
    veg = m.downstream_delivery_hm3(net, ds, m.VEGETATION)
    assert veg == pytest.approx(10 * K * (APRIL_DAYS + SUMMER_DAYS))
    assert m.shortage_hm3(net, ds)["du"] == pytest.approx(10 * K * days)
    assert m.sink_shortfall_hm3(net, ds)["aral_sea"] == pytest.approx(3 * K * days)
    # downstream goes without: du's shortage and the sea's shortfall
    assert m.downstream_shortage_hm3(net, ds) == pytest.approx(13 * K * days)
    assert m.sink_inflow_hm3(net, ds)["aral_sea"] == pytest.approx(5 * K * days)
    assert m.aral_inflow_hm3(net, ds) == pytest.approx(5 * K * days)
    assert m.aral_sinks(net) == ["aral_sea"]  # the default pattern, matched in any case
    assert m.aral_sinks(net, "ARAL_SEA") == ["aral_sea"]
    assert m.spill_hm3(net, ds)["r"] == pytest.approx(20 * K * days)
    water = hand.summary()["water"]
    assert water["downstream_shortage_hm3"] == pytest.approx(13 * K * days)
    assert water["aral_inflow_hm3"] == pytest.approx(5 * K * days)


def test_costs_by_kind_by_hand_and_summing_to_the_objective(hand):
    days = DAYS
    ga_mwh = 24 * (60 * WINTER_DAYS + 43 * APRIL_DAYS + 13 * SUMMER_DAYS)
    gb_mwh = 24 * 90 * DAYS
    expected = {
        "generation": 30 * ga_mwh + 20 * gb_mwh,
        "unserved_energy": 1000 * 8 * 24 * WINTER_DAYS,
        "water_shortage": 1000 * 10 * K * days,
        "reach_shortfall": 100 * 2 * K * days,
        "sink_shortfall": 500 * 3 * K * days,
        "spill": 1 * 20 * K * days,
        "market_imports": 40 * 5 * 24 * WINTER_DAYS,
        "market_export_revenue": -25 * 10 * 24 * days,
    }
    costs = hand.summary()["costs_usd"]
    assert list(costs) == list(expected)
    for kind, value in expected.items():
        assert costs[kind] == pytest.approx(value, rel=1e-9, abs=1e-6), kind
    assert sum(costs.values()) == pytest.approx(hand.objective_usd, rel=1e-12)


def test_costs_from_the_arrays_match_the_lp_by_kind(toy_results_and_ctx):
    results, ctx = toy_results_and_ctx
    lp = ctx.cost_values()
    arrays = results.costs_usd()
    for kind, value in arrays.items():
        assert lp.get(kind, 0.0) == pytest.approx(value, rel=1e-9, abs=1e-3), kind
    assert set(lp) <= set(arrays)
    assert sum(arrays.values()) == pytest.approx(results.objective_usd, rel=1e-12)


@pytest.fixture(scope="module")
def toy_results_and_ctx():
    """toy-cascade solved once, with the build context kept (for the LP's cost terms)."""
    import vakhsh
    from vakhsh.math.build import build_model
    from vakhsh.results.audit import audit
    from vakhsh.results.dataset import extract
    from vakhsh.results.results import Results
    from vakhsh.solve.head import fixed_parameters
    from vakhsh.solve.solver import run_solver

    net = vakhsh.load("toy-cascade")
    ctx = build_model(net, fixed_parameters(net))
    run_solver(ctx.model, vakhsh.SolveOptions())
    ds = extract(ctx)
    # the LP's objective less the storage tie-break, which is not a cost
    objective = float(ctx.model.objective.value) + ctx.cost_constant - ctx.tie_break_usd()
    return Results(net, ds, objective, audit(net, ds, 1e-6)), ctx


def test_step_comes_from_the_run_not_the_time_axis(tmp_path):
    """One hourly step of 120 MW is 0.12 GWh everywhere, also read back from its folder
    (the time axis of one step has no spacing to infer 24 h from)."""
    from tests.lp.conftest import solve_folder, write_model

    from vakhsh.report import metrics as report_metrics
    from vakhsh.report.load import load_run
    from vakhsh.results.dataset import recorded_step_hours

    folder = write_model(
        tmp_path,
        {
            "buses": {"N": {"voll_usd_per_mwh": 1000}},
            "loads": {"l": {"bus": "N", "p_mw": 120}},
            "generators": {"g": {"bus": "N", "capacity_mw": 200, "marginal_cost_usd_per_mwh": 1}},
        },
        start="2025-01-01",
        end="2025-01-01 01:00",
        step="1h",
    )
    results = solve_folder(folder)
    assert recorded_step_hours(results.dataset) == 1.0
    assert results.summary()["energy"]["load_gwh"]["N"] == pytest.approx(0.12)
    run_dir = results.to_folder(tmp_path / "run")
    from vakhsh.network import write_network

    write_network(results.net, run_dir / "model")
    run = load_run(run_dir)
    assert recorded_step_hours(run.dataset) == 1.0
    assert report_metrics.bus_table(run).loc["N", "load_gwh"] == pytest.approx(0.12)
    assert report_metrics.headline(run)["costs_usd"]["generation"] == pytest.approx(120.0)


def test_the_step_is_read_from_the_time_axis_when_the_file_lost_its_attributes():
    """record_step writes the step on the Dataset and on its time axis: a Dataset rebuilt
    from its variables (global attributes gone) still knows it; one with neither (a file
    written before steps were recorded) says None, and the loader then trusts the model."""
    from vakhsh.results.dataset import STEP_ATTR, recorded_step_hours

    time = pd.Index(pd.date_range("2025-01-01", periods=2, freq="3h"), name="time")
    ds = xr.Dataset({"x": ("time", [1.0, 2.0])}, coords={"time": time})
    assert recorded_step_hours(ds) is None
    ds["time"].attrs[STEP_ATTR] = 3.0
    assert recorded_step_hours(ds) == 3.0
    ds.attrs[STEP_ATTR] = 6  # the Dataset's own attribute wins, read as a float
    assert recorded_step_hours(ds) == 6.0 and isinstance(recorded_step_hours(ds), float)
    assert recorded_step_hours(xr.Dataset({"x": ("y", [1.0])})) is None  # no time axis


def test_seasons_are_defined_once():
    assert m.WINTER == (10, 11, 12, 1, 2, 3)
    assert set(m.WINTER) | set(m.VEGETATION) == set(range(1, 13))
    assert (*m.WINTER, 4) == m.WINTER_AND_APRIL
    mask = m.season_mask(
        type("N", (), {"time": pd.date_range("2025-03-31", periods=3, freq="D")})(), m.WINTER
    )
    assert mask.values.tolist() == [True, False, False]


# summary.json's keys, which the README calls stable and docs/metrics.md documents: a
# renamed or dropped key breaks every reader (reports, ensembles, the web app, scripts)
SUMMARY_KEYS = {
    "model": None,
    "scenario": None,
    "status": None,
    "objective_usd": None,
    "costs_usd": None,
    "period": ["start", "end", "step", "steps"],
    "audit": None,
    "solve": [
        "solver",
        "algorithm",
        "build_s",
        "solve_s",
        "head_mode",
        "head_iterations",
        "head_energy_gap",
        "fpha",
        "storage_tie_break_usd",
        "rows",
        "columns",
        "nonzeros",
        "rolling",
        "start",
    ],
    "energy": [
        "generation_gwh",
        "hydro_generation_gwh_by_bus",
        "load_gwh",
        "unserved_gwh",
        "winter_unserved_gwh",
        "winter_net_import_gwh",
        "winter_deficit_gwh",
        "deficit_oct_apr_gwh",
        "winter_deficit_by_winter_gwh",
        "export_gwh",
        "import_gwh",
        "winter_export_gwh",
    ],
    "prices": ["mean_usd_per_mwh", "winter_mean_usd_per_mwh"],
    "water": [
        "delivered_hm3",
        "shortage_hm3",
        "downstream_delivered_hm3",
        "downstream_shortage_hm3",
        "sink_inflow_hm3",
        "aral_inflow_hm3",
        "spill_hm3",
        "in_transit_hm3",
        "evaporation_hm3",
    ],
    "provenance": None,
    "warnings": None,
}


def test_summary_has_its_stable_keys(hand):
    """Every key of summary.json, in order (session 23: renaming any of them survived the
    metric tests, which read values, not the names around them; docs/metrics.md's keys
    are checked against these in test_metrics_doc.py)."""
    summary = hand.summary()
    assert list(summary) == list(SUMMARY_KEYS)
    for key, inner in SUMMARY_KEYS.items():
        if inner is not None:
            assert list(summary[key]) == inner, key


def test_summary_reports_the_run_it_describes(hand):
    """The plain fields by hand: the model, its period (185 daily steps from 31 March; the
    end is the last step's end), the objective, and what the solve recorded (its status,
    provenance, warnings), with their defaults when the solve recorded nothing."""
    import dataclasses

    summary = hand.summary()
    assert summary["model"] == "hand" and summary["scenario"] is None
    assert summary["objective_usd"] == hand.objective_usd
    assert summary["period"] == {
        "start": "2025-03-31 00:00:00",
        "end": "2025-10-02 00:00:00",
        "step": "1D",
        "steps": DAYS,
    }
    assert summary["status"] == "optimal"
    # per reach and reservoir by id: no delay, nothing in transit; no area, no evaporation
    assert summary["water"]["in_transit_hm3"] == {"j_sea": 0.0}
    assert summary["water"]["evaporation_hm3"] == {"r": 0.0}
    assert summary["solve"]["head_mode"] == hand.solve_info["head_mode"]
    assert summary["provenance"] == hand.solve_info["provenance"] != {}
    recorded = dataclasses.replace(
        hand, solve_info={"status": "time_limit", "warnings": ["slow"], "provenance": {"a": 1}}
    )
    assert recorded.summary()["status"] == "time_limit"
    assert recorded.summary()["warnings"] == [*hand.net.warnings, "slow"]
    assert recorded.summary()["provenance"] == {"a": 1}
    bare = dataclasses.replace(hand, solve_info={}).summary()
    assert bare["status"] == "optimal"
    assert bare["provenance"] == {} and bare["warnings"] == list(hand.net.warnings)
    assert bare["solve"] == dict.fromkeys(SUMMARY_KEYS["solve"])
