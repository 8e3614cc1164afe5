"""The storage-unit audit on small models whose charge, spill and cycle follow by hand,
written for mutants of `vakhsh.results.audit` that survived the results tests (mutmut 3.8,
issue 15, session 14; the numbers are mutmut 3.8's numbering on this tree): the spill and
inflow terms of the state-of-charge balance (`audit_storage_units__mutmut_85`, `_99`,
`_100`, `_105`, `_106`), the throughput the residual is divided by (`_111` to `_116`,
`_119`), the start of a cyclic unit (`_38`, `_40`, `_44`) and the empty parts of a model
without storage units, water or buses (the `Residual(0.0, 0.0, "")` returns).

Two hourly steps from 2023-01-01 00:00 (h = 1, MW and MWh agree). Lossless units. All
solved for real by HiGHS; the audit is then run on the solved arrays, and on copies of
them with one value changed.
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.lp.conftest import solve_folder, write_model
from tests.lp.two_hours import HOURS, REL, TIME

from vakhsh.results.audit import Residual, audit

EMPTY = Residual(0.0, 0.0, "")


def one_bus(unit: dict, cheap: str = "never") -> dict:
    """Bus B with 10 MW of load, `cheap` (10 USD/MWh, capacity factor column `cheap`),
    `dear` (100 USD/MWh) and the storage unit `unit`."""
    return {
        "buses": {"B": {"voll_usd_per_mwh": 1000}},
        "loads": {"load_b": {"bus": "B", "p_mw": 10}},
        "generators": {
            "cheap": {
                "bus": "B",
                "capacity_mw": 100,
                "capacity_factor": f"series:cf.csv#{cheap}",
                "marginal_cost_usd_per_mwh": 10,
            },
            "dear": {"bus": "B", "capacity_mw": 100, "marginal_cost_usd_per_mwh": 100},
        },
        "storage_units": {"unit": {"bus": "B", "efficiency_roundtrip": 1.0, **unit}},
    }


SERIES = {"cf.csv": {"time": HOURS, "last": [0, 1], "never": [0, 0]}}

# A small pond behind a run-of-river unit: 30 MW of inflow, 10 MW of turbine, 5 MWh held.
# It covers the 10 MW load both hours (nothing bought: 0 USD) and spills the rest:
#   spill = soc_initial + inflow - discharge - soc_end = 3 + 60 - 20 - 5 = 38 MWh.
# Throughput the audit divides by: h (charge + discharge + inflow + spill) + soc_initial + 1
#   = (0 + 20 + 60 + 38) + 3 + 1 = 122 MWh.
POND = {
    "power_mw": 10,
    "energy_mwh": 5,
    "soc_initial_mwh": 3,
    "soc_final_min_mwh": 5,
    "inflow_mw": 30,
}
POND_THROUGHPUT_MWH = 122.0


@pytest.fixture(scope="module")
def pond(tmp_path_factory):
    folder = write_model(tmp_path_factory.mktemp("pond"), one_bus(POND), SERIES, time=TIME)
    return solve_folder(folder)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    # Cheap power only in hour 1, a cyclic unit that starts where it ends. It gives 10 MWh
    # in hour 0 and takes them back from cheap in hour 1: soc = [0, 10], start = soc[-1] =
    # 10, cost = cheap 20 MWh * 10 = 200 USD. Its soc_initial (0) is ignored; an audit that
    # started it there instead of at soc[-1] would find 10 MWh missing in hour 0.
    unit = {"power_mw": 10, "energy_mwh": 100, "soc_initial_mwh": 0, "soc_cyclic": True}
    folder = write_model(tmp_path_factory.mktemp("cycle"), one_bus(unit, "last"), SERIES, time=TIME)
    return solve_folder(folder)


def test_the_pond_spills_what_it_cannot_hold(pond):
    ds = pond.dataset
    assert pond.objective_usd == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(ds["storage_discharge_mw"].values.ravel(), [10, 10], atol=1e-7)
    np.testing.assert_allclose(ds["storage_charge_mw"].values.ravel(), [0, 0], atol=1e-7)
    assert float(ds["storage_spill_mw"].sum()) == pytest.approx(38.0, rel=REL)
    assert float(ds["storage_soc_mwh"].values.ravel()[-1]) == pytest.approx(5.0, rel=REL)


def test_the_solved_pond_passes_its_audit_with_inflow_and_spill(pond):
    # the balance holds only with +inflow and -spill, each counted once (mutants _85 to _106)
    report = audit(pond.net, pond.dataset, 1e-9)
    assert report.storage_units.relative <= 1e-9
    assert report.storage_units.absolute <= 1e-7
    assert report.passed


def test_a_pond_soc_off_by_5_is_measured_against_its_throughput(pond):
    ds = pond.dataset.copy(deep=True)
    ds["storage_soc_mwh"].loc[{"storage_unit": "unit", "time": HOURS[0]}] += 5.0
    residual = audit(pond.net, ds, 1e-6).storage_units
    assert residual.where == "unit at 2023-01-01 00:00"
    assert residual.absolute == pytest.approx(5.0, rel=REL)
    # 5 / 122: every flow counted, soc_initial added once, plus the 1 MWh floor (_111-_119)
    assert residual.relative == pytest.approx(5.0 / POND_THROUGHPUT_MWH, rel=REL)


def test_a_cyclic_unit_that_cycles_passes_its_audit(cycle):
    ds = cycle.dataset
    assert cycle.objective_usd == pytest.approx(200.0, rel=REL)
    np.testing.assert_allclose(ds["storage_soc_mwh"].values.ravel(), [0, 10], atol=1e-7)
    report = audit(cycle.net, ds, 1e-9)
    assert report.storage_units.absolute <= 1e-7
    assert report.passed


def test_a_power_model_has_no_water_residual(pond):
    assert audit(pond.net, pond.dataset, 1e-6).water == EMPTY


def test_a_water_model_has_no_energy_or_storage_unit_residual(tmp_path):
    # one lake releasing its 1 m3/s inflow to the sea: no bus, no storage unit
    model = {
        "sinks": {"sea": {}},
        "reservoirs": {
            "lake": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 10,
                "storage_initial_hm3": 5,
                "spill_to": "sea",
            }
        },
        "catchments": {"rain": {"to": "lake", "inflow_m3s": 1}},
    }
    res = solve_folder(write_model(tmp_path, model))
    report = audit(res.net, res.dataset, 1e-6)
    assert report.energy == EMPTY
    assert report.storage_units == EMPTY
    assert report.water.relative <= 1e-6 and report.water.where.startswith("lake at ")
