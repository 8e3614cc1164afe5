"""Rolling horizon on toy-cascade at hourly steps: real HiGHS solves, compared with the
full LP of the same run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import vakhsh
from vakhsh.errors import ModelError, SolveError
from vakhsh.network import embedded_datasets, load_network
from vakhsh.rolling import optimise_rolling, parse
from vakhsh.rolling.spec import RollingSpec

TOY = embedded_datasets()["toy-cascade"]
# two weeks and two days of hours: windows of a week, keeping five days each
END = "2024-10-17"


@pytest.fixture(scope="module")
def hourly():
    return load_network(TOY, step="1h", end=END)


@pytest.fixture(scope="module")
def full(hourly):
    return vakhsh.optimise(hourly)


@pytest.fixture(scope="module")
def rolled(hourly):
    return optimise_rolling(hourly, parse("7D,2D"))


def test_windows_cover_every_step_once():
    spec = parse("7D,1D")
    windows = spec.windows(400, pd.Timedelta("1h"))
    assert [(w.start, w.stop, w.keep) for w in windows] == [
        (0, 168, 144),
        (144, 312, 288),
        (288, 400, 400),
    ]
    assert windows[-1].last and not windows[0].last
    kept = np.concatenate([np.arange(w.start, w.keep) for w in windows])
    assert (kept == np.arange(400)).all()
    # default overlap: a seventh of the window, at least the longest delay
    assert RollingSpec(pd.Timedelta("7D")).windows(400, pd.Timedelta("1h"), 48)[0].keep == 120
    assert parse("1D").windows(3, pd.Timedelta("1D"))[0].keep == 1


@pytest.mark.parametrize("text", ["7D,7D", "7D,x", "-1D", "90min"])
def test_bad_specs_name_the_option(text):
    with pytest.raises(ModelError, match="--rolling"):
        parse(text).windows(1000, pd.Timedelta("1h"))


def test_one_window_as_long_as_the_run_is_the_full_lp(hourly, full):
    one = optimise_rolling(hourly, parse("30D"))
    assert one.solve_info["rolling"]["windows"] == 1
    assert one.objective_usd == pytest.approx(full.objective_usd, rel=1e-12)
    assert float(abs(one.dataset["storage_hm3"] - full.dataset["storage_hm3"]).max()) < 1e-9


def test_rolling_is_close_to_the_full_lp_and_audited(hourly, full, rolled):
    info = rolled.solve_info["rolling"]
    assert info["windows"] == 3 and info["coarse_step"] == "6h"  # four blocks a day
    gap = (rolled.objective_usd - full.objective_usd) / full.objective_usd
    # a window cannot do better than the full LP (same constraints, kept parts feasible)
    assert -1e-9 <= gap <= 1e-3
    assert rolled.audit.passed
    # one run's results: every step once, the same variables and summary keys
    ds = rolled.dataset
    assert list(ds["time"].values) == list(hourly.time.values)
    assert set(ds.data_vars) == set(full.dataset.data_vars)
    assert set(rolled.summary()) == set(full.summary())
    assert set(rolled.summary()["solve"]) == set(full.summary()["solve"])
    # the run's own end target holds at the end of the last window
    final = hourly.tables["reservoirs"]["storage_final_min_hm3"]
    end = ds["storage_hm3"].isel(time=-1).to_pandas()
    assert (end >= final.reindex(end.index) - 1e-6).all()


def test_state_carries_across_window_boundaries(hourly, rolled):
    """Storage at each kept boundary moves by exactly the step's balance (the audit's
    water check), and the storage units' charge moves by their charge and discharge."""
    ds, h = rolled.dataset, hourly.step_hours
    units = hourly.tables["storage_units"]
    soc = ds["storage_soc_mwh"].transpose("time", "storage_unit").values
    start = np.vstack([units["soc_initial_mwh"].to_numpy()[None, :], soc[:-1]])
    eta = np.sqrt(units["efficiency_roundtrip"].to_numpy())
    change = h * (
        eta * ds["storage_charge_mw"].transpose("time", "storage_unit").values
        - ds["storage_discharge_mw"].transpose("time", "storage_unit").values / eta
    )
    assert np.abs(soc - start - change).max() < 1e-6
    assert rolled.audit.water.relative <= 1e-6


def test_successive_lp_is_refused(hourly):
    with pytest.raises(SolveError, match="--head fixed, auto or fpha"):
        optimise_rolling(hourly, parse("7D"), vakhsh.SolveOptions(head="iterate"))


def test_one_reused_lp_gives_the_rebuilt_windows_answer(hourly, rolled):
    """Windows that change bounds, row bounds and costs of one HiGHS LP (rolling.reuse)
    solve the same LPs as a linopy build per window: toy-cascade has delayed reaches
    (water in transit), storage units (charge handed over) and end credits."""
    info = rolled.solve_info["rolling"]
    assert info["rebuilt_because"] is None
    assert info["reused_windows"] == info["windows"] - 1  # the last has the run's targets
    rebuilt = optimise_rolling(hourly, parse("7D,2D"), reuse=False)
    assert rebuilt.solve_info["rolling"]["reused_windows"] == 0
    assert rolled.objective_usd == pytest.approx(rebuilt.objective_usd, rel=1e-9)
    for name in ("storage_hm3", "storage_soc_mwh", "reach_flow_m3s"):
        assert float(abs(rolled.dataset[name] - rebuilt.dataset[name]).max()) < 1e-6, name
    # the duals too: the water values reported for each kept step
    water = "water_value_usd_per_hm3"
    assert np.allclose(rolled.dataset[water], rebuilt.dataset[water], rtol=1e-6, atol=1e-6)


def test_fpha_windows_reuse_one_lp_too():
    """FPHA planes: their first rows hold half the storage handed over; reused or built
    per window, the same answer."""
    net = load_network(TOY, step="1h", end="2024-10-12")
    options = vakhsh.SolveOptions(head="auto")
    reused = optimise_rolling(net, parse("4D,1D"), options)
    info = reused.solve_info["rolling"]
    assert info["rebuilt_because"] is None and info["reused_windows"] == info["windows"] - 1
    rebuilt = optimise_rolling(net, parse("4D,1D"), options, reuse=False)
    assert reused.objective_usd == pytest.approx(rebuilt.objective_usd, rel=1e-9)
    assert float(abs(reused.dataset["storage_hm3"] - rebuilt.dataset["storage_hm3"]).max()) < 1e-6
    assert float(abs(reused.dataset["hydro_p_mw"] - rebuilt.dataset["hydro_p_mw"]).max()) < 1e-6
