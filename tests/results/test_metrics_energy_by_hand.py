"""Energy per component and per market over a season, and `onto`, pinned by hand: written
for mutants of `vakhsh.results.metrics` that survived the results tests (mutmut 3.8,
issue 15; session 14's run left 67 of 1,123 alive): a season dropped from one part of
`generation_gwh`, `component_energy_gwh` or `market_gwh`, one line direction dropped, a
missing target of `onto` not skipped or an unknown one accepted. Where a test names a
mutant it is mutmut 3.8's numbering on this tree and it survived session 15's rerun before
the test was written; every kill was checked by applying the change by hand.

The arrays are written by hand on toy-cascade's time axis (daily from 2024-10-01, 365
steps, h = 24): every component delivers a different power in winter (October to March,
182 days) and in the vegetation season (April to September, 183 days), so a part that
forgot its season, or summed the wrong direction, changes a value. P MW for D days is
P * D * 24 / 1e3 GWh.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import vakhsh
from vakhsh.results import metrics as m

WINTER_DAYS, VEGETATION_DAYS = 182, 183


def gwh(mw_winter: float, mw_vegetation: float, season=None) -> float:
    """Energy of a component that runs at one power in winter and another in vegetation."""
    days = {None: (WINTER_DAYS, VEGETATION_DAYS), "winter": (WINTER_DAYS, 0)}[season]
    return (mw_winter * days[0] + mw_vegetation * days[1]) * 24 / 1e3


@pytest.fixture(scope="module")
def net():
    return vakhsh.load("toy-cascade")


def seasonal(net, dim: str, mw: dict[str, tuple[float, float]]) -> xr.DataArray:
    """A (time, dim) array: each id's first power in winter steps, its second otherwise."""
    winter = np.isin(net.time.month, m.WINTER)[:, None]
    ids = list(mw)
    values = np.where(winter, [mw[i][0] for i in ids], [mw[i][1] for i in ids])
    return xr.DataArray(values, coords={"time": net.time, dim: ids}, dims=["time", dim])


@pytest.fixture(scope="module")
def flows(net):
    return {
        "generator_p_mw": seasonal(
            net, "generator", {"gas_south": (50, 10), "solar_south": (3, 7)}
        ),
        "hydro_p_mw": seasonal(net, "hydro_plant", {"upper_hpp": (20, 80), "lower_hpp": (5, 40)}),
        "storage_discharge_mw": seasonal(net, "storage_unit", {"battery_south": (2, 6)}),
        "line_forward_mw": seasonal(net, "line", {"tie": (30, 1)}),
        "line_backward_mw": seasonal(net, "line", {"tie": (4, 60)}),
        "market_export_mw": seasonal(net, "market", {"neighbour": (1, 90)}),
        "market_import_mw": seasonal(net, "market", {"neighbour": (70, 2)}),
    }


def test_generation_of_generators_and_hydro_plants_over_the_run_and_the_winter(net, flows):
    whole = m.generation_gwh(net, flows)
    winter = m.generation_gwh(net, flows, m.WINTER)
    assert list(whole.index) == ["gas_south", "solar_south", "upper_hpp", "lower_hpp"]
    assert whole["gas_south"] == pytest.approx(gwh(50, 10))  # (50*182 + 10*183)*24/1e3
    assert whole["lower_hpp"] == pytest.approx(gwh(5, 40))
    # both parts keep the season (neither part summed over the whole run)
    assert winter["gas_south"] == pytest.approx(gwh(50, 10, "winter"))  # 50*182*24/1e3
    assert winter["upper_hpp"] == pytest.approx(gwh(20, 80, "winter"))
    assert winter["upper_hpp"] == pytest.approx(87.36)


def test_component_energy_counts_discharge_and_both_line_directions(net, flows):
    whole = m.component_energy_gwh(net, flows)
    winter = m.component_energy_gwh(net, flows, m.WINTER)
    assert whole["battery_south"] == pytest.approx(gwh(2, 6))
    assert winter["battery_south"] == pytest.approx(gwh(2, 6, "winter"))
    # what the tie carries either way: forward 30/1 plus backward 4/60
    assert whole["tie"] == pytest.approx(gwh(34, 61))
    assert winter["tie"] == pytest.approx(gwh(34, 61, "winter"))
    assert winter["tie"] == pytest.approx(34 * 182 * 24 / 1e3)
    assert winter["solar_south"] == pytest.approx(gwh(3, 7, "winter"))


def test_market_exports_and_imports_each_over_their_season(net, flows):
    whole = m.market_gwh(net, flows)
    winter = m.market_gwh(net, flows, m.WINTER)
    assert list(whole.columns) == ["export_gwh", "import_gwh"]
    assert whole.index.name == "market"  # `market_gwh__mutmut_39` to `_41`
    assert whole.loc["neighbour", "export_gwh"] == pytest.approx(gwh(1, 90))
    assert whole.loc["neighbour", "import_gwh"] == pytest.approx(gwh(70, 2))
    assert winter.loc["neighbour", "export_gwh"] == pytest.approx(gwh(1, 90, "winter"))
    assert winter.loc["neighbour", "import_gwh"] == pytest.approx(gwh(70, 2, "winter"))


def test_onto_skips_missing_targets_and_refuses_unknown_ones():
    time = pd.date_range("2023-01-01", periods=2, freq="h")
    values = xr.DataArray(
        [[1.0, 2.0, 4.0], [8.0, 16.0, 32.0]],
        coords={"time": time, "unit": ["x", "y", "z"]},
        dims=["time", "unit"],
    )
    # x's target is NaN, z's None: they belong to no bus; only y's values reach A
    target = pd.Series({"x": np.nan, "y": "A", "z": None}, dtype=object)
    summed = m.onto(values, "unit", target, ["A", "B"], "bus")
    np.testing.assert_array_equal(summed.sel(bus="A").values, [2.0, 16.0])
    np.testing.assert_array_equal(summed.sel(bus="B").values, [0.0, 0.0])
    # a target that is not a member is an error, never dropped
    # an array without the dimension has nothing to sum: zeros (`onto__mutmut_8`: it
    # looked the dimension up all the same)
    nothing = m.onto(values.sel(unit="x", drop=True), "unit", target, ["A"], "bus")
    np.testing.assert_array_equal(nothing.values, [[0.0], [0.0]])
    with pytest.raises(ValueError, match="unit y names bus 'C'"):
        m.onto(values, "unit", pd.Series({"y": "C"}, dtype=object), ["A", "B"], "bus")
