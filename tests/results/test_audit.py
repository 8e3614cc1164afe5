"""The audit checks a result's own arrays: a corrupted result fails it, naming where."""

from __future__ import annotations

import pytest

from vakhsh.errors import AuditError
from vakhsh.results.audit import audit, require_passed

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
