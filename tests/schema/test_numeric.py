"""Numbers that make the LP ill-posed are refused at validation; valid models with
surprising answers, and LPs HiGHS finds badly scaled, are solved with a warning.

Before: `efficiency_roundtrip: 0`, an inflow of 1e20 and costs of 1e15-1e300 passed
validation and ended in `boolean index did not match indexed array` or "stopped without
an optimum (unknown)"; evaporation of 1e300 and a date in 2400 were solved silently.
"""

from __future__ import annotations

import pytest

import vakhsh
from vakhsh.errors import ModelError
from vakhsh.network import load_network


def problems_after(edit_model, change) -> list[str]:
    folder = edit_model(change)
    with pytest.raises(ModelError) as info:
        load_network(folder)
    return [str(p) for p in info.value.problems]


def set_field(kind: str, cid: str, field: str, value):
    def change(raw):
        raw[kind][cid][field] = value

    return change


@pytest.mark.parametrize(
    ("kind", "cid", "field", "value", "expected"),
    [
        (
            "storage_units",
            "battery_south",
            "efficiency_roundtrip",
            0,
            "model.yaml: storage_units.battery_south.efficiency_roundtrip: must be at least 0.01: "
            "discharge is divided by its square root",
        ),
        (
            "catchments",
            "headwaters",
            "inflow_m3s",
            1e20,
            "model.yaml: catchments.headwaters.inflow_m3s: is beyond what the LP can hold: at most "
            "1e+06 m3/s",
        ),
        (
            "generators",
            "gas_south",
            "marginal_cost_usd_per_mwh",
            1e15,
            "model.yaml: generators.gas_south.marginal_cost_usd_per_mwh: is beyond what the LP can "
            "hold: at most 1e+06 USD/MWh",
        ),
        (
            "buses",
            "NORTH",
            "voll_usd_per_mwh",
            1e300,
            "model.yaml: buses.NORTH.voll_usd_per_mwh: is beyond what the LP can hold",
        ),
        (
            "water_demands",
            "valley_fields",
            "shortage_cost_usd_per_hm3",
            1e15,
            "model.yaml: water_demands.valley_fields.shortage_cost_usd_per_hm3: is beyond what the "
            "LP can hold: at most 1e+09 USD/hm3",
        ),
        (
            "generators",
            "gas_south",
            "available_from",
            "2400-01-01",
            "model.yaml: generators.gas_south.available_from: dates must lie between 1678-01-01 and "
            "2262-01-01",
        ),
    ],
)
def test_an_ill_posed_number_is_refused(edit_model, kind, cid, field, value, expected):
    lines = problems_after(edit_model, set_field(kind, cid, field, value))
    assert any(line.startswith(expected) for line in lines), lines


def test_evaporation_of_1e300_is_refused(edit_model):
    def change(raw):
        raw["reservoirs"]["upper"]["evaporation_mm_per_month"][0] = 1e300

    assert problems_after(edit_model, change) == [
        "model.yaml: reservoirs.upper.evaporation_mm_per_month: is beyond what the LP can "
        "hold: at most 2000 mm/month (open-water evaporation stays below 500 mm a month) "
        "(1e+300)"
    ]


def test_a_series_value_of_1e20_is_refused_naming_file_and_step(toy_folder):
    path = toy_folder / "inflow_m3s.csv"
    path.write_text(path.read_text().replace("\n1,35,", "\n1,1e20,"))
    with pytest.raises(ModelError) as info:
        load_network(toy_folder)
    (line,) = map(str, info.value.problems)
    assert line.startswith(
        "inflow_m3s.csv: headwaters: value at 2025-01-01 00:00:00 is "
        "beyond what the LP can hold: at most 1e+06 m3/s"
    )
    assert line.endswith("[catchments.headwaters.inflow_m3s] (1e+20)")


def test_a_scenario_factor_that_makes_the_inflow_too_large_is_refused(edit_model):
    def change(raw):
        raw["catchments"]["headwaters"]["inflow_m3s"] = 5e5
        raw["scenarios"]["dry"]["inflow_factor_by_month"] = [3] * 12

    folder = edit_model(change)
    load_network(folder)  # 5e5 m3/s as written is within the limit
    with pytest.raises(
        ModelError,
        match=r"catchments\.headwaters\.inflow_m3s: value at "
        r"2024-10-01 00:00:00 is beyond",
    ):
        load_network(folder, scenario="dry")


def test_voll_below_a_fuel_cost_is_solved_with_a_warning(edit_model):
    folder = edit_model(set_field("buses", "SOUTH", "voll_usd_per_mwh", 50))
    results = vakhsh.optimise(vakhsh.load(folder, end="2024-10-08"))
    assert results.summary()["warnings"] == [
        "model.yaml: buses.SOUTH.voll_usd_per_mwh (50) is below "
        "generators.gas_south.marginal_cost_usd_per_mwh (up to 70): load at SOUTH is left "
        "unserved rather than running gas_south when that costs more"
    ]
    # and it does what the warning says: gas stays off while SOUTH sheds load
    assert float(results.dataset["generator_p_mw"].sel(generator="gas_south").sum()) == 0
    assert float(results.dataset["unserved_mw"].sel(bus="SOUTH").sum()) > 0


def test_a_model_without_any_cost_is_solved_with_a_warning(edit_model):
    def change(raw):
        for gen in raw["generators"].values():
            gen["marginal_cost_usd_per_mwh"] = 0
        for bus in raw["buses"].values():
            bus["voll_usd_per_mwh"] = 0
        raw["water_demands"]["valley_fields"]["shortage_cost_usd_per_hm3"] = 0
        raw["sinks"]["sea"]["shortfall_cost_usd_per_hm3"] = 0
        raw["markets"]["neighbour"]["price_usd_per_mwh"] = 0

    results = vakhsh.optimise(vakhsh.load(edit_model(change), end="2024-10-08"))
    assert results.objective_usd == 0
    (warning,) = results.summary()["warnings"]
    assert warning.startswith(
        "model.yaml: nothing has a cost (generators.*.marginal_cost_"
        "usd_per_mwh, buses.*.voll_usd_per_mwh, water_demands.*."
    )
    assert "the one reported is arbitrary" in warning


def test_highs_scaling_warnings_name_the_family_and_the_field(edit_model):
    # a value of lost load of 1e6 USD/MWh is within the limits, and at daily steps puts
    # 2.4e7 USD per MW and step into the objective, which HiGHS calls excessively large
    folder = edit_model(set_field("buses", "NORTH", "voll_usd_per_mwh", 1e6))
    results = vakhsh.optimise(vakhsh.load(folder, end="2024-10-08"))
    warnings = results.summary()["warnings"]
    assert warnings[0].startswith("HiGHS warns that the LP is badly scaled")
    assert "excessively large costs" in warnings[0]
    assert warnings[1] == (
        "  cost coefficients of unserved_mw reach 2.4e+07 (at time "
        "2024-10-01 00:00, bus NORTH; set by buses.*.voll_usd_per_mwh, "
        "loads.*.p_mw)"
    )
    assert len(warnings) == 2
