"""The LP size is estimated before building, and a run that cannot fit is refused.

The 100-year hourly toy-cascade used to build a 17.5M-column LP and end in
`resource_interrupt`; it is now refused in seconds, naming the size and the estimate.
"""

from __future__ import annotations

import pytest

import vakhsh
from vakhsh.math.build import build_model
from vakhsh.solve.head import fixed_parameters
from vakhsh.solve.size import (
    BYTES_PER_NONZERO,
    TooLargeError,
    available_bytes,
    estimate,
    require_fits,
)


def built_counts(net) -> tuple[int, int, int]:
    model = build_model(net, fixed_parameters(net)).model
    nonzeros = sum(int((model.constraints[n].vars.values >= 0).sum()) for n in model.constraints)
    return int(model.ncons), int(model.nvars), nonzeros


@pytest.mark.parametrize(
    ("model", "end", "step"),
    [
        ("toy-cascade", "2025-10-01", "1D"),
        ("toy-cascade", "2024-10-20", "1h"),  # the reach delay is 48 hourly steps
        ("central-asia", "2024-12-01", "3h"),
    ],
)
def test_the_estimate_is_the_size_of_the_lp_built(model, end, step):
    net = vakhsh.load(model, end=end, step=step)
    size = estimate(net)
    assert (size.rows, size.columns, size.nonzeros) == built_counts(net)


def test_the_100_year_hourly_horizon_is_measured_without_building_it():
    net = vakhsh.load("toy-cascade", end="2124-10-01", step="1h")
    size = estimate(net)
    assert size.steps == 876_576
    assert size.columns == 20 * 876_576  # twenty columns a step, as in the short builds
    assert size.bytes == size.nonzeros * BYTES_PER_NONZERO


def test_a_run_larger_than_the_memory_available_is_refused_naming_its_size():
    net = vakhsh.load("toy-cascade")
    with pytest.raises(TooLargeError) as info:
        require_fits(net, available=2**20)  # a machine with 1 MiB to spare
    text = str(info.value)
    size = estimate(net)
    assert text.startswith(
        f"the LP of this run would be {size.rows:,} rows x "
        f"{size.columns:,} columns, {size.nonzeros:,} nonzeros over 365 "
        "steps: about "
    )
    assert "pass --force" in text
    assert require_fits(net, force=True, available=2**20) == size


def test_a_small_run_is_not_measured():
    assert require_fits(vakhsh.load("toy-cascade")) is None


@pytest.mark.skipif(available_bytes() > 40 * 2**30, reason="this machine could build it")
def test_vakhsh_run_refuses_the_100_year_hourly_horizon(tmp_path):
    from tests.test_run_cli import vakhsh

    done = vakhsh(
        "run", "toy-cascade", "--end", "2124-10-01", "--step", "1h", "--out", tmp_path / "out"
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "17,531,520 columns" in done.stderr and "--force" in done.stderr
    assert not (tmp_path / "out").exists()
