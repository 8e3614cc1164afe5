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


# ---------------------------------------------------------------- every LP result
# Result variables read from the LP that no balance holds: priced slacks (the shortfall
# below a minimum), checked by their cost, not by conservation.
NOT_IN_A_BALANCE = {"reach_shortfall_m3s", "sink_shortfall_m3s"}


def _lp_outputs():
    from vakhsh.schema.registry import OUTPUTS

    return sorted(name for name, (out, _kind) in OUTPUTS.items()
                  if out.lp is not None and name not in NOT_IN_A_BALANCE)


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
    assert report.water.where.split(" at ")[0] in {site, toy.net.tables["hydro_plants"].loc[
        plant, "to"]}


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
