"""The coarse solve's blocks (`rolling.slices.blocked_network`): four blocks a day, each
the mean of a quarter of the day's hours sorted by net load. Checked by hand on
toy-cascade: the energy of each block is that of its hours, and the blocks of a day run
from the lowest net load to the highest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import vakhsh
from vakhsh.network import embedded_datasets, load_network
from vakhsh.rolling.slices import blocked_network, day_blocks, net_load_mw

TOY = embedded_datasets()["toy-cascade"]


@pytest.fixture(scope="module")
def hourly():
    return load_network(TOY, step="1h", end="2024-10-04")  # three days


@pytest.fixture(scope="module")
def blocked(hourly):
    return blocked_network(hourly)


def test_four_six_hour_blocks_a_day(hourly, blocked):
    assert blocked.run.step == pd.Timedelta("6h") and blocked.run.step_label == "6h"
    assert len(blocked.time) == 3 * 4
    assert blocked.time[0] == hourly.time[0] and blocked.time.unit == hourly.time.unit
    assert (np.diff(blocked.time) == pd.Timedelta("6h")).all()


def test_block_energy_is_the_hourly_energy(hourly, blocked):
    """Per load, generator (capacity factor) and catchment, and per day: the blocks' mean
    times their 6 hours equals the sum over the day's 24 hours."""
    for kind, name in (
        ("loads", "p_mw"),
        ("generators", "capacity_factor"),
        ("catchments", "inflow_m3s"),
    ):
        fine = hourly.series[kind][name].transpose("time", ...).values
        coarse = blocked.series[kind][name].transpose("time", ...).values
        assert coarse.shape == (12, fine.shape[1])
        by_day_fine = fine.reshape(3, 24, -1).sum(axis=1) * 1.0
        by_day_coarse = coarse.reshape(3, 4, -1).sum(axis=1) * 6.0
        np.testing.assert_allclose(by_day_coarse, by_day_fine, rtol=1e-12, err_msg=kind)


def test_blocks_follow_the_sorted_net_load(hourly, blocked):
    """Block b of a day holds the day's hours of rank 6b .. 6b+5 by net load: its mean
    net load is that of those hours, and every hour of it is at or below every hour of
    the next block."""
    fine = net_load_mw(hourly).reshape(3, 24)
    coarse = net_load_mw(blocked).reshape(3, 4)
    hand = np.sort(fine, axis=1).reshape(3, 4, 6).mean(axis=2)
    np.testing.assert_allclose(coarse, hand, rtol=1e-12)
    assert (np.diff(coarse, axis=1) >= 0).all()
    group = day_blocks(hourly).reshape(3, 24)
    for day in range(3):
        for b in range(3):
            assert (
                fine[day][group[day] == 4 * day + b].max()
                <= fine[day][group[day] == 4 * day + b + 1].min()
            )
    # the peak block is above the day's mean, which is all daily means would see
    assert (coarse[:, -1] > fine.mean(axis=1)).all()


def test_a_partial_last_day_and_steps_that_make_no_blocks():
    net = load_network(TOY, step="1h", end="2024-10-02 02:00")  # a day and two hours
    blocked = blocked_network(net)
    assert len(blocked.time) == 8
    load = blocked.series["loads"]["p_mw"].transpose("time", ...).values
    last = net.series["loads"]["p_mw"].transpose("time", ...).values[24:].mean(axis=0)
    np.testing.assert_allclose(load[4:], np.broadcast_to(last, load[4:].shape), rtol=1e-12)
    # 8 h steps: three a day, not a multiple of four blocks (the caller takes daily means)
    assert blocked_network(load_network(TOY, step="8h", end="2024-10-03")) is None
    # 3 h steps: eight a day, two in each block
    three = load_network(TOY, step="3h", end="2024-10-03")
    assert blocked_network(three).run.step == pd.Timedelta("6h")


def test_rolling_prices_windows_with_blocks_or_daily_means():
    """The rolling run's coarse solve is the blocked one by default; `coarse="means"`
    keeps daily means. Both are audited runs of every hour; a bad value is refused."""
    from vakhsh.errors import SolveError
    from vakhsh.rolling import optimise_rolling, parse

    net = load_network(TOY, step="1h", end="2024-10-10")
    blocks = optimise_rolling(net, parse("4D,1D"))
    means = optimise_rolling(net, parse("4D,1D"), coarse="means")
    assert blocks.solve_info["rolling"]["coarse"] == "blocks"
    assert blocks.solve_info["rolling"]["coarse_steps"] == 9 * 4
    assert means.solve_info["rolling"]["coarse"] == "means"
    assert means.solve_info["rolling"]["coarse_step"] == "1D"
    assert blocks.audit.passed and means.audit.passed
    with pytest.raises(SolveError, match="coarse must be one of blocks, means"):
        optimise_rolling(net, parse("4D,1D"), coarse="hours")


def test_coarse_at_the_run_s_own_step(hourly):
    """`coarse="step"`: the coarse solve is the run itself, whose duals are the full LP's
    water values; the windows do no worse than with blocks. (On this 3-day toy every
    coarse form gives the same 1.55e-2 gap: what is left there is the windows'.)"""
    from vakhsh.rolling import optimise_rolling, parse

    rolled = optimise_rolling(hourly, parse("1D,6h"), coarse="step")
    assert rolled.solve_info["rolling"]["coarse"] == "step"
    assert rolled.solve_info["rolling"]["coarse_steps"] == len(hourly.time)
    full = vakhsh.optimise(hourly).objective_usd
    blocks = optimise_rolling(hourly, parse("1D,6h")).objective_usd
    assert full - 1e-6 * abs(full) <= rolled.objective_usd <= blocks + 1e-6 * abs(full)
