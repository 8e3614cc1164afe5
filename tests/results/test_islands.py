"""A bus has a price only where its island can supply it (vakhsh.results.islands).

toy-cascade with a third bus EXPORT whose only component is an export market (as Pakistan
is in central-asia before CASA-1000), joined by a line that comes into service on
2025-01-01: before that date the bus has no price (NaN in the results, null in
summary.json, "—" in the report), after it its price is the dual of its balance.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from tests.lp.conftest import write_model
from tests.results.test_metrics_by_hand import WATER_ONLY

from vakhsh.network import load_network
from vakhsh.pipeline import optimise
from vakhsh.results import metrics
from vakhsh.results.islands import bus_sources, lines_in_service, supplied_buses
from vakhsh.solve.options import SolveOptions

LINE_FROM = "2025-01-01"
END = "2025-03-01"


def _with_export_bus(raw, line_from: str | None = LINE_FROM, load: bool = False):
    raw["buses"]["EXPORT"] = {"country": "Exportland", "voll_usd_per_mwh": 1000}
    raw["markets"]["far"] = {
        "bus": "EXPORT",
        "price_usd_per_mwh": 55,
        "max_export_mw": 40,
        "max_import_mw": 0,
    }
    link = {"from": "NORTH", "to": "EXPORT", "capacity_mw": 50, "loss_fraction": 0.02}
    if line_from:
        link["available_from"] = line_from
    raw["lines"]["export_link"] = link
    if load:
        raw["loads"]["export_load"] = {"bus": "EXPORT", "p_mw": 5}


@pytest.fixture
def export_net(edit_model):
    return load_network(edit_model(_with_export_bus), end=END)


def test_a_bus_is_supplied_only_once_its_line_is_in_service(export_net):
    supplied = supplied_buses(export_net).to_pandas()
    before = supplied.index < pd.Timestamp(LINE_FROM)
    assert before.any() and (~before).any()
    assert not supplied.loc[before, "EXPORT"].any()  # an export market supplies nothing
    assert supplied.loc[~before, "EXPORT"].all()
    assert supplied[["NORTH", "SOUTH"]].all().all()
    service = lines_in_service(export_net).to_pandas()
    assert (service["export_link"] == ~before).all() and service["tie"].all()
    assert not bus_sources(export_net).to_pandas()["EXPORT"].any()


def test_a_line_of_zero_capacity_both_ways_joins_nothing(edit_model):
    def change(raw):
        _with_export_bus(raw, line_from=None)
        raw["lines"]["export_link"]["capacity_mw"] = 0
        raw["lines"]["export_link"]["capacity_backward_mw"] = 0

    net = load_network(edit_model(change), end=END)
    assert not lines_in_service(net).to_pandas()["export_link"].any()
    assert not supplied_buses(net).to_pandas()["EXPORT"].any()


def test_a_line_of_zero_capacity_and_no_backward_capacity_joins_nothing(edit_model):
    # capacity_backward_mw unset is read as infinite and means capacity_mw both ways: 0
    def change(raw):
        _with_export_bus(raw, line_from=None)
        raw["lines"]["export_link"]["capacity_mw"] = 0

    net = load_network(edit_model(change), end=END)
    assert np.isinf(net.series["lines"]["capacity_backward_mw"].sel(line="export_link")).all()
    assert not lines_in_service(net).to_pandas()["export_link"].any()
    assert not supplied_buses(net).to_pandas()["EXPORT"].any()


@pytest.mark.parametrize("forward_mw, backward_mw", [(0.5, 0.0), (0.0, 0.5)])
def test_a_line_that_carries_a_little_one_way_joins_its_buses(edit_model, forward_mw, backward_mw):
    def change(raw):
        _with_export_bus(raw, line_from=None)
        raw["lines"]["export_link"]["capacity_mw"] = forward_mw
        raw["lines"]["export_link"]["capacity_backward_mw"] = backward_mw

    net = load_network(edit_model(change), end=END)
    assert lines_in_service(net).to_pandas()["export_link"].all()
    # EXPORT's only component is an export market: it is supplied through NORTH's island
    assert supplied_buses(net).to_pandas()["EXPORT"].all()


def test_a_load_alone_is_priced_at_the_value_of_lost_load(edit_model):
    # an island with a load and nothing else: its unserved energy sets the price (VoLL)
    net = load_network(edit_model(lambda raw: _with_export_bus(raw, "2030-01-01", True)), end=END)
    assert supplied_buses(net).to_pandas()["EXPORT"].all()
    results = optimise(net, SolveOptions())
    price = results.dataset["price_usd_per_mwh"].sel(bus="EXPORT").to_numpy()
    # the whole load is shed (unserved at its bound, the load), so the balance's dual is
    # degenerate: any price from the VoLL up to what a MWh from NORTH over the closed line
    # would cost (NORTH at its VoLL, 2 % lost) is optimal; HiGHS may return either end
    assert (results.dataset["unserved_mw"].sel(bus="EXPORT") == 5).all()
    assert (price >= 1000.0 - 1e-6).all() and (price <= 1000.0 / 0.98 + 1e-6).all()


def test_no_price_in_results_summary_and_report(export_net, tmp_path):
    results = optimise(export_net, SolveOptions())
    price = results.dataset["price_usd_per_mwh"].to_pandas()
    before = price.index < pd.Timestamp(LINE_FROM)
    assert price.loc[before, "EXPORT"].isna().all()
    assert price.loc[~before, "EXPORT"].notna().all()
    assert price[["NORTH", "SOUTH"]].notna().all().all()
    # once joined, a MWh at EXPORT is worth what it is worth sent either way over the line
    # (2 % lost): 0.98 * NORTH's price <= EXPORT's <= NORTH's / 0.98 while the line is not
    # full (NORTH is at its value of lost load in Jan-Feb: EXPORT's MWh goes back, 980)
    after = price.loc[~before]
    assert (after["EXPORT"] >= 0.98 * after["NORTH"] - 1e-6).all()
    assert (after["EXPORT"] <= after["NORTH"] / 0.98 + 1e-6).all()
    mean = metrics.mean_price_usd_per_mwh(export_net, results.dataset)
    assert mean["EXPORT"] == pytest.approx(after["EXPORT"].mean())
    assert mean["NORTH"] == pytest.approx(price["NORTH"].mean())
    winter = metrics.mean_price_usd_per_mwh(export_net, results.dataset, metrics.WINTER)
    assert winter["EXPORT"] == pytest.approx(after["EXPORT"].mean())  # Jan-Feb: winter

    folder = results.to_folder(tmp_path / "run")
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["prices"]["mean_usd_per_mwh"]["EXPORT"] == pytest.approx(mean["EXPORT"])


def test_a_bus_never_supplied_has_null_and_a_dash(edit_model, tmp_path):
    from vakhsh.report.html import render_report
    from vakhsh.report.metrics import price_table

    net = load_network(edit_model(lambda raw: _with_export_bus(raw, "2030-01-01")), end=END)
    results = optimise(net, SolveOptions())
    assert results.dataset["price_usd_per_mwh"].sel(bus="EXPORT").isnull().all()
    folder = results.to_folder(tmp_path / "run")
    text = (folder / "summary.json").read_text()
    summary = json.loads(text)  # valid JSON: no NaN
    assert "NaN" not in text
    assert summary["prices"]["mean_usd_per_mwh"]["EXPORT"] is None
    assert summary["prices"]["mean_usd_per_mwh"]["NORTH"] > 0
    table = price_table(results)
    assert table.loc["EXPORT", "steps_without_price"] == len(net.time)
    assert np.isnan(table.loc["EXPORT", "mean_usd_per_mwh"])
    page = render_report(results)
    row = page[page.index("<td>EXPORT</td>", page.index('id="table-prices"')) :]
    row = row[: row.index("</tr>")]
    assert row.count("—") == 5 and "0.0" not in row


def test_a_model_without_lines_has_a_service_table_of_no_lines(edit_model):
    # the (time, line) table is labelled like any other, with no columns; every bus its
    # own island
    net = load_network(edit_model(lambda raw: raw.pop("lines")), end=END)
    service = lines_in_service(net)
    assert service.dims == ("time", "line") and service.sizes["line"] == 0
    assert (service["time"].values == net.time.values).all()
    assert supplied_buses(net).to_pandas()[["NORTH", "SOUTH"]].all().all()


def _gas(mw: float, **extra) -> dict:
    return {"bus": "EXPORT", "capacity_mw": mw, "marginal_cost_usd_per_mwh": 60, **extra}


SOURCES = {
    # what EXPORT gets beside its export market (no imports), and from when it is a
    # source; the market is marked after the generators and must not unmark them
    "half_a_megawatt_of_gas": ({"generators": {"gas": _gas(0.5)}}, "2024-10-01"),
    "gas_of_no_capacity": ({"generators": {"gas": _gas(0.0)}}, None),
    "gas_from_february": (
        {"generators": {"gas": _gas(10, available_from="2025-02-01")}},
        "2025-02-01",
    ),
    "half_a_megawatt_of_imports": ({"markets": {"far": {"max_import_mw": 0.5}}}, "2024-10-01"),
    "half_a_megawatt_of_load": ({"loads": {"town": {"bus": "EXPORT", "p_mw": 0.5}}}, "2024-10-01"),
    "a_load_of_nothing": ({"loads": {"town": {"bus": "EXPORT", "p_mw": 0}}}, None),
}


@pytest.mark.parametrize("parts, source_from", SOURCES.values(), ids=list(SOURCES))
def test_a_bus_is_a_source_while_something_there_can_supply(edit_model, parts, source_from):
    def change(raw):
        _with_export_bus(raw)
        raw["lines"].pop("export_link")  # EXPORT is an island of its own
        for kind, items in parts.items():
            for name, fields in items.items():
                raw[kind].setdefault(name, {}).update(fields)

    net = load_network(edit_model(change), end=END)
    sources = bus_sources(net)
    assert sources.dims == ("time", "bus")
    source = sources.to_pandas()["EXPORT"]
    expected = source.index >= pd.Timestamp(source_from) if source_from else False
    assert (source == expected).all()
    assert (supplied_buses(net).to_pandas()["EXPORT"] == expected).all()


def test_a_model_without_buses_has_no_supplied_buses(tmp_path):
    net = load_network(write_model(tmp_path, WATER_ONLY, name="water"))
    supplied = supplied_buses(net)
    assert supplied.dims == ("time", "bus") and supplied.sizes == {"time": len(net.time), "bus": 0}
