"""Bad inputs that used to end in a traceback (exit 1) are messages with exit status 2.

Run as a user runs them: the installed command in a subprocess, so that the exit status
and stderr are the process's own.
"""

from __future__ import annotations

import os

import pytest
import xarray as xr
from tests.test_run_cli import vakhsh


def refused(done, message: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert message in done.stderr, done.stderr


def test_a_model_yaml_that_is_not_utf8(toy_folder):
    path = toy_folder / "model.yaml"
    path.write_bytes(path.read_bytes() + b"# caf\xe9\n")
    refused(vakhsh("validate", toy_folder), "model.yaml: line 102: is not UTF-8 text")


def test_mixed_time_zone_offsets_in_a_csv(toy_folder):
    (toy_folder / "load_mw.csv").write_text(
        "time,north,south\n2024-10-01T00:00+01:00,1,1\n2024-10-02T00:00+02:00,1,1\n"
    )
    refused(
        vakhsh("validate", toy_folder),
        "load_mw.csv: time: timestamps are naive: no time zone (rows carry different UTC offsets)",
    )


@pytest.mark.parametrize(
    ("end", "message"),
    [
        ("2300-10-01", "run options: time.end: dates must lie between 1678-01-01 and 2262-01-01"),
        ("soon", "run options: time.end: not a date or timestamp"),
    ],
)
def test_an_end_that_is_not_a_usable_date(tmp_path, end, message):
    refused(vakhsh("run", "toy-cascade", "--end", end, "--out", tmp_path / "out"), message)
    assert not (tmp_path / "out").exists()


def test_report_and_compare_on_a_results_file_with_a_variable_missing(tmp_path):
    good = tmp_path / "good"
    done = vakhsh("run", "toy-cascade", "--end", "2024-10-08", "--out", good)
    assert done.returncode == 0, done.stderr
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("summary.json", "model"):
        os.symlink(good / name, bad / name)
    with xr.open_dataset(good / "results.nc", engine="h5netcdf") as ds:
        ds.load().drop_vars("storage_hm3").to_netcdf(bad / "results.nc", engine="h5netcdf")
    message = f"{bad / 'results.nc'}: storage_hm3: variable missing"
    refused(vakhsh("report", bad), message)
    refused(vakhsh("compare", good, bad, "--out", tmp_path / "compare.html"), message)


def test_a_late_storage_unit_that_starts_full(tmp_path):
    # toy-cascade's battery made to come into service a day after the run starts while it
    # holds 20 MWh at the start: it cannot hold what it does not have yet
    import shutil

    from vakhsh.network.load import embedded_datasets

    folder = tmp_path / "model"
    shutil.copytree(embedded_datasets()["toy-cascade"], folder)
    path = folder / "model.yaml"
    battery = "efficiency_roundtrip: 0.88}"
    assert path.read_text().count(battery) == 2  # the battery and the candidate template
    late = "efficiency_roundtrip: 0.88, soc_initial_mwh: 20, available_from: 2024-10-02}"
    path.write_text(path.read_text().replace(battery, late, 1))
    done = vakhsh("run", folder, "--out", tmp_path / "out")
    refused(
        done,
        "storage_units.battery_south.soc_initial_mwh: the unit comes into service on 2024-10-02",
    )
    assert "its initial state must be 0 (20" in done.stderr
    assert not (tmp_path / "out").exists()
