"""The audit checks a result's own arrays: a corrupted result fails it, naming where."""

from __future__ import annotations

import pytest

from vakhsh.errors import AuditError
from vakhsh.results.audit import Residual, audit, require_passed

STEP = "2025-01-15"


@pytest.fixture(scope="module")
def toy():
    import vakhsh

    return vakhsh.optimise(vakhsh.load("toy-cascade"))


def _corrupted(results, name: str, **where):
    ds = results.dataset.copy(deep=True)
    ds[name].loc[where] = ds[name].loc[where] + 5.0
    return ds


def test_the_solved_result_passes(toy):
    report = audit(toy.net, toy.dataset, 1e-6)
    assert report.passed
    require_passed(report)


def test_one_storage_value_off_fails_the_water_audit_at_that_reservoir(toy):
    ds = _corrupted(toy, "storage_hm3", reservoir="upper", time=STEP)
    report = audit(toy.net, ds, 1e-6)
    assert not report.passed
    assert report.water.where == f"upper at {STEP} 00:00"
    assert report.water.absolute == pytest.approx(5.0)
    assert report.energy.relative < 1e-6  # the power side is untouched
    with pytest.raises(AuditError, match="upper at 2025-01-15"):
        require_passed(report)


def test_one_flow_off_fails_the_water_audit_at_a_junction(toy):
    # 5 m3/s more sent down the river leave the confluence without having arrived there
    ds = _corrupted(toy, "reach_flow_m3s", reach="lower_river", time=STEP)
    report = audit(toy.net, ds, 1e-6)
    assert not report.passed
    assert report.water.where == f"confluence at {STEP} 00:00"
    assert report.water.absolute == pytest.approx(5.0 * toy.net.hm3_per_m3s)


def test_one_generator_off_fails_the_energy_audit_at_its_bus(toy):
    ds = _corrupted(toy, "generator_p_mw", generator="gas_south", time=STEP)
    report = audit(toy.net, ds, 1e-6)
    assert not report.passed and report.water.relative < 1e-6
    assert report.energy.where == f"SOUTH at {STEP} 00:00"
    assert report.energy.absolute == pytest.approx(5.0 * 24)


def test_one_line_flow_off_fails_the_energy_audit(toy):
    ds = _corrupted(toy, "line_forward_mw", line="tie", time=STEP)
    report = audit(toy.net, ds, 1e-6)
    assert not report.passed
    assert report.energy.where.endswith(f"at {STEP} 00:00")


def test_one_state_of_charge_off_fails_the_storage_audit(toy):
    ds = _corrupted(toy, "storage_soc_mwh", storage_unit="battery_south", time=STEP)
    report = audit(toy.net, ds, 1e-6)
    assert not report.passed
    assert report.storage_units.where == f"battery_south at {STEP} 00:00"
    assert report.storage_units.absolute == pytest.approx(5.0)


def test_a_tiny_error_within_tolerance_passes(toy):
    ds = toy.dataset.copy(deep=True)
    ds["storage_hm3"].loc[{"reservoir": "upper", "time": STEP}] += 1e-9
    assert audit(toy.net, ds, 1e-6).passed


# ---------------------------------------------------------------- every LP result
# Result variables read from the LP that no balance holds: priced slacks (the shortfall
# below a minimum), checked by their cost, not by conservation.
NOT_IN_A_BALANCE = {"reach_shortfall_m3s", "sink_shortfall_m3s"}


def _lp_outputs():
    from vakhsh.schema.registry import OUTPUTS

    return sorted(
        name
        for name, (out, _kind) in OUTPUTS.items()
        if out.lp is not None and name not in NOT_IN_A_BALANCE
    )


@pytest.mark.parametrize("name", _lp_outputs())
def test_any_lp_result_off_by_5_fails_the_audit(toy, name):
    """Every result read from the LP that a balance holds: 5 units more on one component
    at one step, and the audit fails (a new LP variable must be audited or listed above)."""
    from vakhsh.schema.registry import OUTPUTS

    kind = OUTPUTS[name][1]
    first = str(toy.dataset[kind.dim].values[0])
    ds = _corrupted(toy, name, **{kind.dim: first, "time": STEP})
    assert not audit(toy.net, ds, 1e-6).passed, name


def test_corrupted_results_file_fails_the_audit(toy, tmp_path):
    """results.nc written and read back audits as the run did; one turbine flow changed
    in the file and it fails, at the plant's reservoir."""
    import xarray as xr

    folder = toy.to_folder(tmp_path / "run")
    with xr.open_dataset(folder / "results.nc") as stored:
        ds = stored.load()
    assert audit(toy.net, ds, 1e-6).passed
    plant = str(ds["hydro_plant"].values[0])
    site = toy.net.tables["hydro_plants"].loc[plant, "reservoir"]
    ds["turbine_flow_m3s"].loc[{"hydro_plant": plant, "time": STEP}] += 5.0
    report = audit(toy.net, ds, 1e-6)
    assert not report.passed
    assert report.water.where.split(" at ")[0] in {
        site,
        toy.net.tables["hydro_plants"].loc[plant, "to"],
    }


def test_the_pipeline_refuses_results_that_fail_their_audit():
    """The run pipeline audits every case before it returns: a strategy whose results
    come out corrupted (its `present` hook adds water) gets an AuditError, not Results."""
    import vakhsh
    from vakhsh.pipeline import Operation, run
    from vakhsh.solve.heads import FixedHead

    net = vakhsh.load("toy-cascade", end="2024-10-08")

    class Corrupting(Operation):
        def formulate(self, solved):
            formulation = super().formulate(solved)
            if formulation is not None:
                formulation.present = self._corrupt
            return formulation

        @staticmethod
        def _corrupt(index, ctx, ds):
            ds = ds.copy(deep=True)
            ds["storage_hm3"][{"time": 3}] += 5.0
            return ctx.net, ds

    with pytest.raises(AuditError, match="fails its own balance audit"):
        run(Corrupting(net, FixedHead()))
    solution = run(Operation(net, FixedHead()))  # the same strategy, uncorrupted, passes
    assert solution.results[0].audit.passed


# ---------------------------------------------------------------- residuals by hand
# The model of tests/results/test_metrics.py, whose every flow is known: 185 days; bus B
# runs gb at 90 MW against its load 50, the line 30 it sends and 10 MW of exports; 20 m3/s
# flow into reservoir r (5 hm3, fixed) and all of it spills.
DAY = "2025-06-01"
HAND_DAYS = 185


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    from tests.lp.conftest import solve_folder, write_model
    from tests.results.test_metrics import HAND, SERIES

    folder = write_model(
        tmp_path_factory.mktemp("audit"),
        HAND,
        SERIES,
        name="hand",
        start="2025-03-31",
        end="2025-10-02",
        step="1D",
    )
    return solve_folder(folder)


def test_the_energy_residual_is_relative_to_the_bus_s_throughput(hand):
    """gb 5 MW high on one day: 120 MWh too much at B that day. B's throughput is half the
    sum of |terms| over the horizon: 24 h * (184 days * 180 MW + 185 MW) / 2 = 399,660 MWh."""
    ds = _corrupted(hand, "generator_p_mw", generator="gb", time=DAY)
    report = audit(hand.net, ds, 1e-6)
    assert report.energy.where == f"B at {DAY} 00:00"
    assert report.energy.absolute == pytest.approx(120.0, rel=1e-6)
    assert report.energy.relative == pytest.approx(120.0 / 399_660.0, rel=1e-6)
    assert report.water.relative < 1e-9 and report.storage_units == Residual(0.0, 0.0, "")
    assert not report.passed


def test_the_water_residual_is_relative_to_the_reservoir_s_throughput(hand):
    """r's storage 5 hm3 high on one day: +5 hm3 that day, -5 the next; reported at the
    first. r's throughput: 0.0864 * 20 m3/s * 185 days + 5 hm3 initial = 324.68 hm3."""
    ds = _corrupted(hand, "storage_hm3", reservoir="r", time=DAY)
    report = audit(hand.net, ds, 0.02)
    assert report.water.where == f"r at {DAY} 00:00"
    assert report.water.absolute == pytest.approx(5.0, rel=1e-6)
    assert report.water.relative == pytest.approx(5.0 / 324.68, rel=1e-6)
    assert report.energy.relative < 1e-9
    assert report.passed  # 1.5 % is within a 2 % tolerance
    assert not audit(hand.net, ds, 0.015).passed


def test_a_junction_residual_is_relative_to_its_throughput(hand):
    """dt draws 5 m3/s more at j on one day than arrived there: 0.432 hm3, against j's
    throughput 0.0864 * (20 * 185 + 5) m3/s-days = 320.112 hm3 (departures, the larger)."""
    ds = _corrupted(hand, "withdrawal_m3s", water_demand="dt", time=DAY)
    report = audit(hand.net, ds, 1e-6)
    assert report.water.where == f"j at {DAY} 00:00"
    assert report.water.absolute == pytest.approx(5 * 0.0864, rel=1e-6)
    assert report.water.relative == pytest.approx(5 * 0.0864 / (0.0864 * 3705), rel=1e-6)


def test_the_audit_in_summary_json_names_every_residual(hand):
    """summary.json's `audit` block: each residual under its own key, the tolerance, and
    passed; for the energy case above."""
    ds = _corrupted(hand, "generator_p_mw", generator="gb", time=DAY)
    block = audit(hand.net, ds, 1e-6).as_dict()
    assert set(block) == {
        "water_max_residual_hm3",
        "water_max_relative",
        "water_worst",
        "energy_max_residual_mwh",
        "energy_max_relative",
        "energy_worst",
        "storage_unit_max_residual_mwh",
        "tolerance_relative",
        "passed",
    }
    assert block["energy_max_residual_mwh"] == pytest.approx(120.0, rel=1e-6)
    assert block["energy_max_relative"] == pytest.approx(120.0 / 399_660.0, rel=1e-6)
    assert block["energy_worst"] == f"B at {DAY} 00:00"
    assert block["water_max_residual_hm3"] < 1e-9 and block["water_max_relative"] < 1e-9
    assert block["storage_unit_max_residual_mwh"] == 0.0
    assert block["tolerance_relative"] == 1e-6 and block["passed"] is False
