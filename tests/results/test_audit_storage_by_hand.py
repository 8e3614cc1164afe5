"""The storage-unit audit on small models whose charge, spill and cycle follow by hand,
written for mutants of `vakhsh.results.audit` that survived the results tests (mutmut 3.8,
issue 15; session 14's run of results/ left 38 of 330 alive). Kinds: the spill and inflow
terms of the state-of-charge balance, the throughput the residual is divided by, the start
of a cyclic unit, a result without spill, the empty parts of a model without storage units,
water or buses, and `_worst` on tiny frames. Where a test names a mutant
(`audit_storage_units__mutmut_44`, ...) it is mutmut 3.8's numbering on this tree and the
mutant survived session 15's rerun before the test was written; every kill was checked by
applying the change by hand and by rerunning mutmut.

Hourly steps from 2023-01-01 00:00 (h = 1, MW and MWh agree). Lossless units. All solved
for real by HiGHS; the audit is then run on the solved arrays, and on copies of them with
one value changed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.lp.conftest import solve_folder, write_model
from tests.lp.two_hours import HOURS, REL, TIME
from tests.results.test_metrics_by_hand import WATER_ONLY

from vakhsh.errors import AuditError
from vakhsh.results.audit import Residual, _worst, audit, require_passed

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


THREE_HOURS = {**TIME, "end": "2023-01-01 03:00"}
THREE_SERIES = {
    "cf.csv": {"time": [*HOURS, "2023-01-01 02:00:00"], "never": [0, 0, 0], "last": [0, 0, 1]}
}


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    # Three hours, cheap power only in the last, a cyclic unit of 20 MW and 20 MWh that
    # starts where it ends. It gives 10 MWh in hours 0 and 1 and takes 20 from cheap in
    # hour 2: soc = [10, 0, 20], start = soc[-1] = 20, cost = cheap 30 MWh * 10 = 300 USD.
    # Its soc_initial (0) is ignored; an audit that started it there, or at soc[0] or
    # soc[1] (three steps, so soc[1] is not soc[-1]: `_44`), would find energy missing.
    unit = {"power_mw": 20, "energy_mwh": 20, "soc_initial_mwh": 0, "soc_cyclic": True}
    root = tmp_path_factory.mktemp("cycle")
    return solve_folder(write_model(root, one_bus(unit, "last"), THREE_SERIES, time=THREE_HOURS))


def test_the_pond_spills_what_it_cannot_hold(pond):
    ds = pond.dataset
    assert pond.objective_usd == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(ds["storage_discharge_mw"].values.ravel(), [10, 10], atol=1e-7)
    np.testing.assert_allclose(ds["storage_charge_mw"].values.ravel(), [0, 0], atol=1e-7)
    assert float(ds["storage_spill_mw"].sum()) == pytest.approx(38.0, rel=REL)
    assert float(ds["storage_soc_mwh"].values.ravel()[-1]) == pytest.approx(5.0, rel=REL)


def test_the_solved_pond_passes_its_audit_with_inflow_and_spill(pond):
    # the balance holds only with +inflow and -spill, each counted once
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
    # 5 / 122: every flow counted, soc_initial added once, plus the 1 MWh floor
    assert residual.relative == pytest.approx(5.0 / POND_THROUGHPUT_MWH, rel=REL)


def test_a_cyclic_unit_that_cycles_passes_its_audit(cycle):
    ds = cycle.dataset
    assert cycle.objective_usd == pytest.approx(300.0, rel=REL)
    np.testing.assert_allclose(ds["storage_soc_mwh"].values.ravel(), [10, 0, 20], atol=1e-7)
    report = audit(cycle.net, ds, 1e-9)
    assert report.storage_units.absolute <= 1e-7
    assert report.passed


def test_a_result_without_spill_is_audited_as_spilling_nothing(pond, cycle):
    # results written before units could spill have no storage_spill_mw: the audit then
    # counts no spill (`_85`: a KeyError; `_99`: 0 / inflow is NaN where inflow is 0)
    report = audit(cycle.net, cycle.dataset.drop_vars("storage_spill_mw"), 1e-9)
    assert report.storage_units.absolute <= 1e-7 and report.passed
    # the pond did spill: without its spill each step is short by what it spilled (`_100`:
    # the inflow counted as spill instead)
    spilled = pond.dataset["storage_spill_mw"].values.ravel()
    residual = audit(pond.net, pond.dataset.drop_vars("storage_spill_mw"), 1e-6).storage_units
    assert residual.absolute == pytest.approx(spilled.max(), rel=REL)


def test_the_worst_residual_of_small_frames():
    hour = pd.Timestamp("2023-01-01")
    # nothing to audit (`_worst__mutmut_3` to `_11`: another empty answer)
    assert _worst(pd.DataFrame(), pd.Series(dtype=float)) == EMPTY
    # one unit, one step is audited like any other (`_2`: size 1 taken as empty)
    one = _worst(pd.DataFrame({"u": [5.0]}, index=[hour]), pd.Series({"u": 10.0}))
    assert one == Residual(5.0, 0.5, "u at 2023-01-01 00:00")
    # relative to the throughput even below 1 (`_16`: floored at 1); nothing through and
    # nothing off is 0, not 0 / 0 (`_15`: no floor)
    assert _worst(pd.DataFrame({"u": [1.0]}, index=[hour]), pd.Series({"u": 0.5})).relative == 2.0
    assert _worst(pd.DataFrame({"u": [0.0]}, index=[hour]), pd.Series({"u": 0.0})).relative == 0.0


def test_a_power_model_has_no_water_residual(pond):
    assert audit(pond.net, pond.dataset, 1e-6).water == EMPTY


def test_a_water_model_has_no_energy_or_storage_unit_residual(tmp_path):
    res = solve_folder(write_model(tmp_path, WATER_ONLY))
    report = audit(res.net, res.dataset, 1e-6)
    assert report.energy == EMPTY
    assert report.storage_units == EMPTY
    assert report.water.relative <= 1e-6 and report.water.where.startswith("lake at ")


def test_a_failed_audit_says_so_in_plain_words(pond):
    ds = pond.dataset.copy(deep=True)
    ds["storage_soc_mwh"].loc[{"storage_unit": "unit", "time": HOURS[0]}] += 5.0
    # the message a user reads starts with what happened (`require_passed__mutmut_5`)
    with pytest.raises(AuditError, match=r"^the result fails its own balance audit \(relative"):
        require_passed(audit(pond.net, ds, 1e-6))
