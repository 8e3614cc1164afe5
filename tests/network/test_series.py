"""Series aligned to a run's steps, checked against answers worked out by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from vakhsh.network import load_network


def write_tiny(folder: Path, csv: str, start: str, end: str, step: str) -> Path:
    """A catchment draining to a sink, its inflow the column `c` of x.csv."""
    folder.mkdir(exist_ok=True)
    model = {
        "format": 1,
        "name": "tiny",
        "time": {"start": start, "end": end, "step": step},
        "sinks": {"sea": {}},
        "catchments": {"c": {"to": "sea", "inflow_m3s": "series:x.csv#c"}},
    }
    (folder / "model.yaml").write_text(yaml.safe_dump(model))
    (folder / "x.csv").write_text(csv)
    return folder


def tiny_model(folder: Path, csv: str, start: str, end: str, step: str) -> np.ndarray:
    """The inflows of write_tiny's catchment at the run's steps."""
    net = load_network(write_tiny(folder, csv, start, end, step))
    return net.series["catchments"]["inflow_m3s"].sel(catchment="c").to_numpy()


def hourly(values, start="2024-01-01 00:00") -> str:
    stamps = pd.date_range(start, periods=len(values), freq="1h")
    return "time,c\n" + "".join(f"{t},{v}\n" for t, v in zip(stamps, values, strict=True))


MONTHS = "month,c\n" + "".join(f"{m},{m}\n" for m in range(1, 13))  # January 1 ... December 12


def test_three_hourly_run_over_hourly_rows_takes_the_mean_of_each_three(tmp_path):
    got = tiny_model(tmp_path, hourly(range(24)), "2024-01-01", "2024-01-02", "3h")
    assert got.tolist() == [1, 4, 7, 10, 13, 16, 19, 22]  # mean of (0,1,2), (3,4,5), ...


def test_hourly_run_over_hourly_rows_is_the_rows(tmp_path):
    got = tiny_model(tmp_path, hourly([5, 0, 2.5, 7]), "2024-01-01 00:00", "2024-01-01 04:00", "1h")
    assert got.tolist() == [5, 0, 2.5, 7]


def test_finer_run_takes_the_row_it_falls_in(tmp_path):
    csv = "time,c\n2024-01-01 00:00,2\n2024-01-01 06:00,8\n2024-01-01 12:00,4\n"
    got = tiny_model(tmp_path, csv, "2024-01-01 00:00", "2024-01-01 18:00", "3h")
    assert got.tolist() == [2, 2, 8, 8, 4, 4]


def test_step_straddling_two_rows_is_time_weighted(tmp_path):
    # rows hold 00-06 at 2 and 06-12 at 8; a 4h step from 04:00 sees 2h of each
    csv = "time,c\n2024-01-01 00:00,2\n2024-01-01 06:00,8\n"
    got = tiny_model(tmp_path, csv, "2024-01-01 04:00", "2024-01-01 08:00", "4h")
    assert got.tolist() == [5]


def test_last_row_holds_for_one_spacing(tmp_path):
    csv = "time,c\n2024-01-01 00:00,1\n2024-01-01 06:00,2\n2024-01-01 12:00,3\n"
    got = tiny_model(tmp_path, csv, "2024-01-01 00:00", "2024-01-01 18:00", "1h")
    assert got.tolist() == [1] * 6 + [2] * 6 + [3] * 6


def test_last_row_does_not_hold_beyond_one_spacing(tmp_path, problem_lines):
    csv = "time,c\n2024-01-01 00:00,1\n2024-01-01 06:00,2\n2024-01-01 12:00,3\n"
    folder = write_tiny(tmp_path, csv, "2024-01-01 00:00", "2024-01-01 19:00", "1h")
    assert problem_lines(folder) == [
        "x.csv: c: does not cover the run 2024-01-01 00:00:00 .. 2024-01-01 19:00:00 "
        "[catchments.c.inflow_m3s] (series covers 2024-01-01 00:00:00 .. 2024-01-01 18:00:00)"
    ]


def test_a_single_row_holds_for_one_run_step(tmp_path):
    got = tiny_model(tmp_path, "time,c\n2024-01-01,7\n", "2024-01-01", "2024-01-02", "1D")
    assert got.tolist() == [7]


def test_daily_run_over_a_month_climatology_takes_each_months_value(tmp_path):
    got = tiny_model(tmp_path, MONTHS, "2024-01-30", "2024-03-02", "1D")
    assert got.tolist() == [1, 1] + [2] * 29 + [3]  # 2024 is a leap year


def test_climatology_repeats_every_year(tmp_path):
    got = tiny_model(tmp_path, MONTHS, "2023-12-31", "2025-01-02", "1D")
    assert got[0] == 12 and got[1] == 1 and got[-2] == 12 and got[-1] == 1
    assert len(got) == 368


def test_seven_day_step_spanning_two_months_is_time_weighted(tmp_path):
    # 29, 30, 31 January at 1 and 1..4 February at 2: (3 * 1 + 4 * 2) / 7
    got = tiny_model(tmp_path, MONTHS, "2024-01-29", "2024-02-12", "7D")
    assert got[0] == pytest.approx(11 / 7, rel=1e-12)
    assert got[1] == 2


def test_hourly_run_over_a_climatology(tmp_path):
    got = tiny_model(tmp_path, MONTHS, "2024-03-31 22:00", "2024-04-01 02:00", "1h")
    assert got.tolist() == [3, 3, 4, 4]


def test_month_rows_may_come_in_any_order(tmp_path):
    rows = "".join(f"{m},{m}\n" for m in [12, *range(1, 12)])
    got = tiny_model(tmp_path, "month,c\n" + rows, "2024-12-31", "2025-01-02", "1D")
    assert got.tolist() == [12, 1]


def test_a_number_is_a_constant(toy_folder):
    net = load_network(toy_folder)
    assert (
        net.series["generators"]["marginal_cost_usd_per_mwh"].sel(generator="gas_south") == 70
    ).all()
    assert np.isinf(net.series["reaches"]["max_flow_m3s"]).all()  # unset upper bound


# ---------------------------------------------------------------- scenarios
def test_inflow_factor_by_month_multiplies_inflows_exactly():
    base = load_network("toy-cascade", scenario="base")
    dry = load_network("toy-cascade", scenario="dry")
    factors = [0.9, 0.9, 0.85, 0.75, 0.7, 0.7, 0.7, 0.7, 0.75, 0.85, 0.9, 0.9]  # model.yaml
    month = base.time.month.to_numpy()
    expected = base.series["catchments"]["inflow_m3s"] * np.asarray(factors)[month - 1][:, None]
    np.testing.assert_array_equal(
        dry.series["catchments"]["inflow_m3s"].to_numpy(), expected.to_numpy()
    )
    # nothing else moves
    assert dry.series["water_demands"].equals(base.series["water_demands"])
    assert dry.tables["reservoirs"].equals(base.tables["reservoirs"])


def test_inflow_factor_is_time_weighted_over_a_step_spanning_months():
    """A 7D step from 2025-02-26 holds 3 days of February and 4 of March. The factor
    multiplies the inflow at each moment, so the step's inflow is the mean of the product:
    headwaters (3 * 32 * 0.9 + 4 * 38 * 0.85) / 7 = 30.8 m3/s, not the product of the
    means (35.43 * 0.8714 = 30.87)."""
    dry = load_network(
        "toy-cascade", scenario="dry", start="2025-02-26", end="2025-03-05", step="7D"
    )
    got = dry.series["catchments"]["inflow_m3s"].sel(catchment="headwaters").to_numpy()
    assert got.tolist() == [pytest.approx((3 * 32 * 0.9 + 4 * 38 * 0.85) / 7, rel=1e-12)]


def test_scenario_set_moves_the_default_end_target():
    base = load_network("toy-cascade")
    full = load_network("toy-cascade", scenario="full_upper")
    assert base.tables["reservoirs"].loc["upper", "storage_final_min_hm3"] == 1200
    assert full.tables["reservoirs"].loc["upper", "storage_initial_hm3"] == 2000
    assert full.tables["reservoirs"].loc["upper", "storage_final_min_hm3"] == 2000
    assert full.scenario == "full_upper"


def test_scenario_set_keeps_an_explicit_end_target(edit_model):
    def change(raw):
        raw["reservoirs"]["upper"]["storage_final_min_hm3"] = 900

    full = load_network(edit_model(change), scenario="full_upper")
    assert full.tables["reservoirs"].loc["upper", "storage_final_min_hm3"] == 900


def test_scenario_set_may_replace_a_series_by_a_number(edit_model):
    def change(raw):
        raw["scenarios"]["full_upper"]["set"]["catchments.headwaters.inflow_m3s"] = 12.5

    net = load_network(edit_model(change), scenario="full_upper")
    inflow = net.series["catchments"]["inflow_m3s"]
    assert (inflow.sel(catchment="headwaters") == 12.5).all()
    assert not (inflow.sel(catchment="tributary") == 12.5).all()


def test_without_a_scenario_base_is_used():
    assert load_network("toy-cascade").scenario == "base"


# ---------------------------------------------------------------- delays
@pytest.mark.parametrize(("step", "delay"), [("1D", 2), ("3h", 16), ("12h", 4), ("2D", 1)])
def test_delay_steps_converted_to_run_steps(step, delay):
    # toy-cascade: lower_river delays 2 model steps of 1D
    net = load_network("toy-cascade", end="2024-10-31", step=step)
    assert net.tables["reaches"].loc["lower_river", "delay_steps"] == delay


def test_inexact_delay_conversion_is_rounded_with_a_warning():
    with pytest.warns(
        UserWarning,
        match=r"reaches\.lower_river\.delay_steps: 2 model steps are "
        r"0\.285714 run steps; rounded to 0",
    ):
        net = load_network("toy-cascade", end="2024-10-29", step="7D")
    assert net.tables["reaches"].loc["lower_river", "delay_steps"] == 0
