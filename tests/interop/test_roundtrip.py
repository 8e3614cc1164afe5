"""vakhsh -> PyPSA at fixed head: PyPSA reaches vakhsh's fixed-head objective; the commands
`vakhsh export pypsa` and `vakhsh import pypsa`, and what they refuse (exit 2, nothing
written)."""

from __future__ import annotations

import pandas as pd
import pypsa
import pytest
from tests.test_run_cli import vakhsh as run_cli

import vakhsh
from vakhsh.interop import to_pypsa
from vakhsh.interop.export import ExportError

from .conftest import pypsa_optimum
from .test_from_pypsa import meshed

REL = 1e-6
# PyPSA links have no travel time: toy-cascade's delayed reach exports at delay 0
NO_DELAY = {"reaches.lower_river.delay_steps": 0}


@pytest.mark.parametrize("model, overrides, end", [
    ("toy-cascade", NO_DELAY, "2024-11-01"),
    ("central-asia", {}, "2024-11-01"),
], ids=["toy-cascade", "central-asia"])
def test_exported_model_reaches_vakhsh_fixed_head_objective(model, overrides, end):
    net = vakhsh.load(model, end=end, overrides=overrides)
    expected = vakhsh.optimise(net, vakhsh.SolveOptions(head="fixed")).objective_usd
    assert pypsa_optimum(to_pypsa(net)) == pytest.approx(expected, rel=REL)


def test_a_reach_with_delay_is_refused_by_name():
    with pytest.raises(ExportError, match=r"reaches\.lower_river\.delay_steps: PyPSA links "
                       "have no delay"):
        to_pypsa(vakhsh.load("toy-cascade"))


def test_power_model_round_trip_through_files(tmp_path):
    # PyPSA network -> netCDF -> vakhsh import -> vakhsh export -> PyPSA: same optimum
    n = meshed(congested=True)
    expected = pypsa_optimum(n.copy())
    n.export_to_netcdf(tmp_path / "meshed.nc")
    done = run_cli("import", "pypsa", tmp_path / "meshed.nc", "--out", tmp_path / "model")
    assert done.returncode == 0, done.stderr
    net = vakhsh.load(tmp_path / "model")
    assert vakhsh.optimise(net).objective_usd == pytest.approx(expected, rel=REL)
    done = run_cli("export", "pypsa", tmp_path / "model", "--out", tmp_path / "back.nc")
    assert done.returncode == 0, done.stderr
    back = pypsa.Network(tmp_path / "back.nc")
    assert len(back.lines) == 3    # KVL lines stay PyPSA Lines
    assert pypsa_optimum(back) == pytest.approx(expected, rel=REL)


def test_csv_folder_imports(tmp_path):
    n = meshed(storage=False)
    expected = pypsa_optimum(n.copy())
    n.export_to_csv_folder(tmp_path / "csv")
    done = run_cli("import", "pypsa", tmp_path / "csv", "--out", tmp_path / "model")
    assert done.returncode == 0, done.stderr
    assert vakhsh.optimise(vakhsh.load(tmp_path / "model")).objective_usd == pytest.approx(
        expected, rel=REL)


# ---------------------------------------------------------------- bad input: exit 2
def _refused(tmp_path, args, match):
    done = run_cli(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert match in done.stderr, done.stderr
    return done


def test_not_a_pypsa_file(tmp_path):
    bogus = tmp_path / "bogus.nc"
    bogus.write_text("not a netCDF file\n")
    _refused(tmp_path, ("import", "pypsa", bogus, "--out", tmp_path / "m"),
             "not a PyPSA network")
    assert not (tmp_path / "m").exists()
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    _refused(tmp_path, ("import", "pypsa", text, "--out", tmp_path / "m"),
             "not a PyPSA network")
    _refused(tmp_path, ("import", "pypsa", tmp_path, "--out", tmp_path / "m"),
             "not a PyPSA CSV folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bogus.nc", "notes.txt"]


def test_unsupported_attribute_value(tmp_path):
    n = meshed(storage=False)
    n.generators.loc["gas", "committable"] = True
    n.export_to_netcdf(tmp_path / "uc.nc")
    _refused(tmp_path, ("import", "pypsa", tmp_path / "uc.nc", "--out", tmp_path / "m"),
             "generators.gas.committable: unit commitment has no vakhsh counterpart")
    assert not (tmp_path / "m").exists()


def test_time_index_with_gaps(tmp_path):
    n = meshed(storage=False)
    n.set_snapshots(pd.DatetimeIndex(list(pd.date_range("2024-06-01", periods=12, freq="h"))
                                     + list(pd.date_range("2024-06-02", periods=12,
                                                          freq="h"))))
    n.export_to_netcdf(tmp_path / "gaps.nc")
    _refused(tmp_path, ("import", "pypsa", tmp_path / "gaps.nc", "--out", tmp_path / "m"),
             "snapshots.index: the time index has gaps")
    assert not (tmp_path / "m").exists()


def test_export_refuses_what_it_did_not_write(tmp_path):
    mine = tmp_path / "mine.nc"
    mine.write_bytes(b"precious")
    _refused(tmp_path, ("export", "pypsa", "toy-cascade", "--out", mine, "--overwrite"),
             "--out")
    assert mine.read_bytes() == b"precious"
    _refused(tmp_path, ("export", "pypsa", "toy-cascade", "--out", tmp_path / "t.nc"),
             "reaches.lower_river.delay_steps")
    assert not (tmp_path / "t.nc").exists()
    _refused(tmp_path, ("export", "pypsa", "toy-cascade", "--out", tmp_path / "t.csv"),
             "give --out NETWORK.nc")


def test_import_of_an_exported_water_model_names_what_it_cannot_take(tmp_path):
    # the water side exports as multi-port links, which import does not map back (yet)
    done = run_cli("export", "pypsa", "central-asia", "--end", "2024-10-08", "--out",
                   tmp_path / "ca.nc")
    assert done.returncode == 0, done.stderr
    _refused(tmp_path, ("import", "pypsa", tmp_path / "ca.nc", "--out", tmp_path / "m"),
             "links.nurek_hpp.bus2: multi-port links have no vakhsh counterpart")
    assert not (tmp_path / "m").exists()
