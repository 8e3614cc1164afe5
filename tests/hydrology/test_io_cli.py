from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from vakhsh.cli.inflows import inflows_app
from vakhsh.hydrology.ensemble import load_member, read_ensemble, write_ensemble
from vakhsh.hydrology.errors import InflowError
from vakhsh.hydrology.kirsch_nowak import disaggregate_daily
from vakhsh.hydrology.par import fit_par1
from vakhsh.hydrology.records import read_gsim_monthly, read_inflow_records

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def test_gsim_flags_and_gaps():
    s = read_gsim_monthly(DATA / "gsim_TJ_0000003_Vakhsh_Garm_monthly_mean.csv")
    assert np.isnan(s["1937-11-01"])  # 141.4* has fewer than 20 days
    assert s["1937-01-01"] == 114.1
    assert np.isnan(s["1938-07-01"])  # NA
    kept = read_gsim_monthly(
        DATA / "gsim_TJ_0000003_Vakhsh_Garm_monthly_mean.csv", keep_flagged=True
    )
    assert kept["1937-11-01"] == 141.4


def test_roundtrip_and_load_member(tmp_path, gauges):
    model = fit_par1(gauges)
    da = model.generate(4, 3, seed=9, start="2024-10-01")
    path = write_ensemble(da, tmp_path / "e.nc", model.target.to_dataset())
    back = read_ensemble(path)
    assert back.dims == ("member", "time", "catchment")
    assert np.allclose(back.values, da.values, rtol=1e-6)
    assert (
        back.attrs["method"] == "par1" and back.attrs["seed"] == 9 and back.attrs["units"] == "m3/s"
    )
    df = load_member(path, 2)
    assert list(df.columns) == list(gauges.columns)
    assert df.index[0] == pd.Timestamp("2024-10-01") and len(df) == 48
    assert np.allclose(df.to_numpy(), da.sel(member=2).values, rtol=1e-6)
    with pytest.raises(InflowError):
        load_member(path, 3)
    assert not list(tmp_path.glob(".*tmp"))


def test_inflow_records_csv(tmp_path):
    p = tmp_path / "inflow_records.csv"
    p.write_text("time,a,b\n2000-01-01,1,2\n2000-02-01,,3\n2000-03-01,4,5\n")
    df = read_inflow_records(p)
    assert np.isnan(df.loc["2000-02-01", "a"]) and df.loc["2000-03-01", "b"] == 5
    p.write_text("time,a\n2000-01-01,-1\n")
    with pytest.raises(InflowError, match="a: negative"):
        read_inflow_records(p)


def test_nowak_keeps_monthly_means(gauges):
    record = gauges[["vakhsh_garm", "naryn_uchkurgan"]]
    monthly = fit_par1(record).generate(2, 3, seed=1)
    # an observed-like daily record: smooth daily pattern through each month of 1950-1959
    days = pd.date_range("1950-01-01", "1959-12-31", freq="D")
    base = record.loc["1950":"1959"].ffill().reindex(days, method="ffill")
    wiggle = 1 + 0.3 * np.sin(np.arange(len(days)) / 3.0)[:, None]
    daily = disaggregate_daily(monthly, base * wiggle, seed=4)
    assert daily.sizes["time"] == 731  # 2000 (leap) and 2001
    means = daily.resample(time="MS").mean()
    assert np.allclose(means.values, monthly.values, rtol=1e-10)
    assert float(daily.min()) >= 0


def _model_folder(tmp_path, records: bool):
    (tmp_path / "model.yaml").write_text(
        """format: 1
name: hydro-test
time: {start: 2024-10-01, end: 2025-10-01, step: 1D}
sinks:
  sea: {}
catchments:
  vakhsh_up: {to: sea, inflow_m3s: series:inflow_m3s.csv#vakhsh_up}
  naryn_up: {to: sea, inflow_m3s: series:inflow_m3s.csv#naryn_up}
"""
    )
    clim = [110, 104, 111, 172, 313, 565, 830, 775, 416, 201, 150, 127]
    rows = "\n".join(f"{m},{v},{2 * v}" for m, v in enumerate(clim, start=1))
    (tmp_path / "inflow_m3s.csv").write_text("month,vakhsh_up,naryn_up\n" + rows + "\n")
    (tmp_path / "inflow_stats.csv").write_text(
        "catchment,gauge,cv_annual,driest_year_mean_m3s,wettest_year_mean_m3s,record_period,source,notes\n"
        "vakhsh_up,Garm,0.142,,,1936-1986,GSIM,\nnaryn_up,Uch-Kurgan,,,,,,\n"
    )
    if records:
        d = read_gsim_monthly(DATA / "gsim_TJ_0000003_Vakhsh_Garm_monthly_mean.csv")
        n = read_gsim_monthly(DATA / "gsim_KG_0000005_Naryn_UchKurgan_monthly_mean.csv")
        df = pd.DataFrame({"vakhsh_up": d, "naryn_up": n}).loc[:"1972"]
        df.index.name = "time"
        df.to_csv(tmp_path / "inflow_records.csv")
    return tmp_path


@pytest.fixture
def loader_available():
    pytest.importorskip("vakhsh.network")


@pytest.mark.parametrize(
    "records,method,expected",
    [
        (False, "auto", "thin"),
        (True, "auto", "par1"),
        (True, "par1", "par1"),
        (True, "kirsch-nowak", "kirsch-nowak"),
    ],
)
def test_cli_generate_and_stats(tmp_path, loader_available, records, method, expected):
    folder = _model_folder(tmp_path / "m", records) if (tmp_path / "m").mkdir() is None else None
    out = tmp_path / "e.nc"
    args = [
        "generate",
        str(folder),
        "--years",
        "30",
        "--members",
        "4",
        "--method",
        method,
        "--seed",
        "3",
        "--out",
        str(out),
    ]
    res = runner.invoke(inflows_app, args)
    assert res.exit_code == 0, res.output
    da = read_ensemble(out)
    assert da.attrs["method"] == expected and da.attrs["seed"] == 3
    assert str(da["time"].values[0])[:10] == "2024-10-01" and da.sizes["member"] == 4
    res = runner.invoke(inflows_app, ["stats", str(out)])
    assert res.exit_code == 0 and "cv_annual" in res.output
    # same seed, same file contents
    res = runner.invoke(inflows_app, args[:-1] + [str(tmp_path / "f.nc")])
    assert np.array_equal(read_ensemble(tmp_path / "f.nc").values, da.values)


def test_cli_climate_and_errors(tmp_path, loader_available):
    (tmp_path / "m").mkdir()
    folder = _model_folder(tmp_path / "m", records=False)
    out = tmp_path / "c.nc"
    res = runner.invoke(
        inflows_app,
        [
            "generate",
            str(folder),
            "--years",
            "5",
            "--members",
            "2",
            "--climate",
            "naryn_2090_ssp585",
            "--seed",
            "1",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert read_ensemble(out).attrs["climate"] == "naryn_2090_ssp585"
    res = runner.invoke(
        inflows_app, ["generate", str(folder), "--climate", "nope", "--out", str(out)]
    )
    assert res.exit_code == 2 and "vakhsh: error: --climate: nope: unknown scenario" in res.output
    res = runner.invoke(
        inflows_app, ["generate", str(folder), "--method", "arma", "--out", str(out), "--overwrite"]
    )
    assert res.exit_code == 2 and "--method: arma" in res.output
    res = runner.invoke(inflows_app, ["stats", str(tmp_path / "missing.nc")])
    assert res.exit_code == 2 and "no such file" in res.output
    (folder / "inflow_records.csv").write_text("time,vakhsh_up\n2000-01-01,1\n")
    res = runner.invoke(inflows_app, ["generate", str(folder), "--out", str(out), "--overwrite"])
    assert res.exit_code == 2 and "inflow_records.csv: naryn_up: no record" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(
        inflows_app,
        [
            "generate",
            str(folder),
            "--method",
            "thin",
            "--years",
            "3",
            "--members",
            "2",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 2 and "earlier inflow ensemble file" in res.output
    res = runner.invoke(
        inflows_app,
        [
            "generate",
            str(folder),
            "--method",
            "thin",
            "--years",
            "3",
            "--members",
            "2",
            "--out",
            str(out),
            "--overwrite",
        ],
    )
    assert res.exit_code == 0 and read_ensemble(out).attrs["method"] == "thin"


def test_cli_thin_with_records_estimates_params(tmp_path, loader_available):
    (tmp_path / "m").mkdir()
    folder = _model_folder(tmp_path / "m", records=True)
    res = runner.invoke(
        inflows_app,
        [
            "generate",
            str(folder),
            "--method",
            "thin",
            "--years",
            "3",
            "--members",
            "2",
            "--seed",
            "1",
            "--out",
            str(tmp_path / "t.nc"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "estimated from inflow_records.csv" in read_ensemble(tmp_path / "t.nc").attrs["notes"]


def test_cli_stats_by_month_and_without_targets(tmp_path, gauges):
    from vakhsh.hydrology.climate import apply_scenario

    model = fit_par1(gauges)
    da = model.generate(20, 2, seed=1)
    write_ensemble(da, tmp_path / "t.nc", model.target.to_dataset())
    res = runner.invoke(inflows_app, ["stats", str(tmp_path / "t.nc"), "--by-month"])
    assert res.exit_code == 0 and "by calendar month" in res.output
    write_ensemble(apply_scenario(da, "melt_shift_1m"), tmp_path / "c.nc")  # no targets
    res = runner.invoke(inflows_app, ["stats", str(tmp_path / "c.nc")])
    assert res.exit_code == 0 and "melt_shift_1m" in res.output
