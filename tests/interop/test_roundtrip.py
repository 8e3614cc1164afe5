"""vakhsh -> PyPSA at fixed head: PyPSA reaches vakhsh's fixed-head objective, and the
exported network imports back to the same objective; the commands `vakhsh export pypsa`
and `vakhsh import pypsa`, and what they refuse (exit 2, nothing written).

The commands run in process with typer's runner (a subprocess pays seconds of CPU to
import PyPSA); one refusal runs as a real process for its exit status.
"""

from __future__ import annotations

import pandas as pd
import pypsa
import pytest
from tests.test_run_cli import vakhsh as run_process
from typer.testing import CliRunner

import vakhsh
from vakhsh.cli import app
from vakhsh.interop import from_pypsa, to_pypsa
from vakhsh.interop.export import ExportError
from vakhsh.interop.imports import ImportProblem

from .conftest import pypsa_optimum
from .test_from_pypsa import meshed

REL = 1e-6
# PyPSA links have no travel time: toy-cascade's delayed reach exports at delay 0
NO_DELAY = {"reaches.lower_river.delay_steps": 0}
FIXED = vakhsh.SolveOptions(head="fixed")


def run_cli(*args):
    """The command in process; `.returncode`, `.stderr` as from a process."""
    result = CliRunner().invoke(app, list(map(str, args)), env={"COLUMNS": "160", "NO_COLOR": "1"})
    result.returncode = result.exit_code
    return result


@pytest.mark.parametrize(
    "model, overrides, end",
    [
        ("toy-cascade", NO_DELAY, "2024-10-15"),
        ("central-asia", {}, "2024-10-15"),
    ],
    ids=["toy-cascade", "central-asia"],
)
def test_exported_model_reaches_vakhsh_objective_and_imports_back(tmp_path, model, overrides, end):
    net = vakhsh.load(model, end=end, overrides=overrides)
    expected = vakhsh.optimise(net, FIXED).objective_usd
    to_pypsa(net).export_to_netcdf(tmp_path / "exported.nc")
    exported = pypsa.Network(tmp_path / "exported.nc")
    assert pypsa_optimum(exported.copy()) == pytest.approx(expected, rel=REL)
    # import what was exported: the water side comes back as reservoirs and plants
    folder = from_pypsa(exported, tmp_path / "back")
    back = vakhsh.load(folder)
    assert set(back.ids("reservoirs")) == set(net.ids("reservoirs"))
    assert set(back.ids("hydro_plants")) == set(net.ids("hydro_plants"))
    assert set(back.ids("reaches")) == set(net.ids("reaches"))
    assert vakhsh.optimise(back, FIXED).objective_usd == pytest.approx(expected, rel=REL)


def test_exported_water_model_round_trip_through_the_commands(tmp_path):
    done = run_cli(
        "export", "pypsa", "central-asia", "--end", "2024-10-04", "--out", tmp_path / "ca.nc"
    )
    assert done.returncode == 0, done.output
    done = run_cli("import", "pypsa", tmp_path / "ca.nc", "--out", tmp_path / "m")
    assert done.returncode == 0, done.output
    assert "chained-reservoir" in done.output
    expected = vakhsh.optimise(vakhsh.load("central-asia", end="2024-10-04"), FIXED)
    got = vakhsh.optimise(vakhsh.load(tmp_path / "m"), FIXED)
    assert got.objective_usd == pytest.approx(expected.objective_usd, rel=REL)
    # the power side comes back too: every bus with a load keeps its VoLL (a bus
    # without load exports no unserved Generator and gets the import's default)
    original = vakhsh.load("central-asia", end="2024-10-04")
    loaded = sorted(set(original.tables["loads"]["bus"]))
    voll = vakhsh.load(tmp_path / "m").tables["buses"]["voll_usd_per_mwh"]
    assert voll[loaded].to_dict() == original.tables["buses"]["voll_usd_per_mwh"][loaded].to_dict()


def test_water_buses_without_vakhsh_mark_are_refused(tmp_path):
    n = to_pypsa(vakhsh.load("toy-cascade", end="2024-10-04", overrides=NO_DELAY))
    n.meta = {}
    with pytest.raises(
        ImportProblem,
        match=r"buses\.upper\.carrier: water buses are read "
        "only from networks that vakhsh export pypsa wrote",
    ):
        from_pypsa(n, tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_a_foreign_component_on_a_water_bus_is_named(tmp_path):
    n = to_pypsa(vakhsh.load("toy-cascade", end="2024-10-04", overrides=NO_DELAY))
    n.add("Generator", "pump", bus="upper", carrier="pump", p_nom=10)
    with pytest.raises(ImportProblem, match=r"generators\.pump\.bus: touches a water bus"):
        from_pypsa(n, tmp_path / "m")


def test_a_reach_with_delay_is_refused_by_name():
    with pytest.raises(
        ExportError,
        match=r"reaches\.lower_river\.delay_steps: PyPSA links "
        "have no delay",
    ):
        to_pypsa(vakhsh.load("toy-cascade"))


def test_power_model_round_trip_through_files(tmp_path):
    # PyPSA network -> netCDF -> vakhsh import -> vakhsh export -> PyPSA: same optimum
    n = meshed(congested=True)
    expected = pypsa_optimum(n.copy())
    n.export_to_netcdf(tmp_path / "meshed.nc")
    done = run_cli("import", "pypsa", tmp_path / "meshed.nc", "--out", tmp_path / "model")
    assert done.returncode == 0, done.output
    net = vakhsh.load(tmp_path / "model")
    assert vakhsh.optimise(net).objective_usd == pytest.approx(expected, rel=REL)
    done = run_cli("export", "pypsa", tmp_path / "model", "--out", tmp_path / "back.nc")
    assert done.returncode == 0, done.output
    back = pypsa.Network(tmp_path / "back.nc")
    assert len(back.lines) == 3  # KVL lines stay PyPSA Lines
    assert pypsa_optimum(back) == pytest.approx(expected, rel=REL)


def test_csv_folder_imports(tmp_path):
    n = meshed(storage=False)
    expected = pypsa_optimum(n.copy())
    n.export_to_csv_folder(tmp_path / "csv")
    done = run_cli("import", "pypsa", tmp_path / "csv", "--out", tmp_path / "model")
    assert done.returncode == 0, done.output
    assert vakhsh.optimise(vakhsh.load(tmp_path / "model")).objective_usd == pytest.approx(
        expected, rel=REL
    )


# ---------------------------------------------------------------- bad input: exit 2
def _refused(tmp_path, args, match):
    done = run_cli(*args)
    assert done.returncode == 2, done.output
    assert "Traceback" not in done.output
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    assert match in done.output, done.output
    return done


def test_not_a_pypsa_file(tmp_path):
    bogus = tmp_path / "bogus.nc"
    bogus.write_text("not a netCDF file\n")
    done = run_process("import", "pypsa", bogus, "--out", tmp_path / "m")  # a real process
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "not a PyPSA network" in done.stderr
    assert not (tmp_path / "m").exists()
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    _refused(tmp_path, ("import", "pypsa", text, "--out", tmp_path / "m"), "not a PyPSA network")
    _refused(
        tmp_path, ("import", "pypsa", tmp_path, "--out", tmp_path / "m"), "not a PyPSA CSV folder"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bogus.nc", "notes.txt"]


def test_unsupported_attribute_value(tmp_path):
    n = meshed(storage=False)
    n.generators.loc["gas", "committable"] = True
    n.export_to_netcdf(tmp_path / "uc.nc")
    _refused(
        tmp_path,
        ("import", "pypsa", tmp_path / "uc.nc", "--out", tmp_path / "m"),
        "generators.gas.committable: unit commitment has no vakhsh counterpart",
    )
    assert not (tmp_path / "m").exists()


def test_time_index_with_gaps(tmp_path):
    n = meshed(storage=False)
    n.set_snapshots(
        pd.DatetimeIndex(
            list(pd.date_range("2024-06-01", periods=12, freq="h"))
            + list(pd.date_range("2024-06-02", periods=12, freq="h"))
        )
    )
    n.export_to_netcdf(tmp_path / "gaps.nc")
    _refused(
        tmp_path,
        ("import", "pypsa", tmp_path / "gaps.nc", "--out", tmp_path / "m"),
        "snapshots.index: the time index has gaps",
    )
    assert not (tmp_path / "m").exists()


def test_export_refuses_what_it_did_not_write(tmp_path):
    mine = tmp_path / "mine.nc"
    mine.write_bytes(b"precious")
    _refused(tmp_path, ("export", "pypsa", "toy-cascade", "--out", mine, "--overwrite"), "--out")
    assert mine.read_bytes() == b"precious"
    _refused(
        tmp_path,
        ("export", "pypsa", "toy-cascade", "--out", tmp_path / "t.nc"),
        "reaches.lower_river.delay_steps",
    )
    assert not (tmp_path / "t.nc").exists()
    _refused(
        tmp_path,
        ("export", "pypsa", "toy-cascade", "--out", tmp_path / "t.csv"),
        "give --out NETWORK.nc",
    )
