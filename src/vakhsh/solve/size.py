"""How large a run's LP will be, and whether it fits in this machine's memory.

Every constraint family is written once over the time axis, so the rows, columns and
nonzeros of the LP grow linearly with the number of steps once the longest reach delay
has passed. The size is therefore measured, not guessed: the LP of the same Network is
built for two short horizons (`t1` and `2 t1` steps, `t1` beyond the longest delay) and
extrapolated to the run's steps. This counts whatever families the LP has, so the
estimate cannot drift from the formulation.

Memory is the nonzeros times `BYTES_PER_NONZERO`, measured on toy-cascade and
central-asia (peak RSS of load + build + solve + results, 660-1,250 bytes per nonzero at
1e5 nonzeros; `bench/` has the figures). A run whose estimate exceeds the memory the
machine has available is refused before anything large is built, unless forced.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import numpy as np

from vakhsh.errors import VakhshError
from vakhsh.network import Network, RunTime

BYTES_PER_NONZERO = 1_300
# a crude bound first: nonzeros per component and step that no family exceeds; runs far
# below the machine's memory by this bound are not measured at all
CRUDE_NONZEROS_PER_COMPONENT_STEP = 50


class TooLargeError(VakhshError):
    """A run's LP would not fit in the machine's memory."""


@dataclass(frozen=True)
class LPSize:
    steps: int
    rows: int
    columns: int
    nonzeros: int

    @property
    def bytes(self) -> float:
        return self.nonzeros * BYTES_PER_NONZERO

    def describe(self) -> str:
        return (
            f"{self.rows:,} rows x {self.columns:,} columns, {self.nonzeros:,} nonzeros "
            f"over {self.steps:,} steps: about {self.bytes / 2**30:,.1f} GiB of memory"
        )


def available_bytes() -> float:
    """Memory the machine can give this process now (Linux MemAvailable; else total)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return float("inf")


def crude_nonzeros(net: Network) -> int:
    components = sum(len(table) for table in net.tables.values())
    return len(net.time) * max(components, 1) * CRUDE_NONZEROS_PER_COMPONENT_STEP


def estimate(net: Network) -> LPSize:
    """Rows, columns and nonzeros of the run's LP, from two short builds."""
    steps = len(net.time)
    delays = net.tables["reaches"]["delay_steps"] if len(net.tables["reaches"]) else [0]
    t1 = min(steps, int(max(delays, default=0)) + 4)
    t2 = min(steps, 2 * t1)
    first = _counts(_first_steps(net, t1))
    if t2 == t1:
        return LPSize(steps, *first)
    second = _counts(_first_steps(net, t2))
    per_step = (np.array(second) - np.array(first)) / (t2 - t1)
    rows, columns, nonzeros = np.round(np.array(first) + per_step * (steps - t1)).astype(int)
    return LPSize(steps, int(rows), int(columns), int(nonzeros))


def require_fits(
    net: Network, force: bool = False, available: float | None = None
) -> LPSize | None:
    """Refuse a run whose LP would not fit in memory (unless `force`); the estimate, or
    None when the crude bound alone shows that it fits."""
    available = available_bytes() if available is None else available
    if crude_nonzeros(net) * BYTES_PER_NONZERO < available / 4:
        return None
    size = estimate(net)
    if size.bytes > available and not force:
        raise TooLargeError(
            f"the LP of this run would be {size.describe()}, and this machine has "
            f"{available / 2**30:,.1f} GiB available: shorten the period (--end), use a "
            "longer step (--step), or pass --force to build it anyway"
        )
    return size


def _first_steps(net: Network, steps: int) -> Network:
    run = RunTime(index=net.run.index[:steps], step=net.run.step)
    series = {kind: ds.isel(time=slice(0, steps)) for kind, ds in net.series.items()}
    return dataclasses.replace(net, run=run, series=series)


def _counts(net: Network) -> tuple[int, int, int]:
    from vakhsh.math.build import build_model
    from vakhsh.solve.head import fixed_parameters

    model = build_model(net, fixed_parameters(net)).model
    nonzeros = 0
    for name in model.constraints:
        nonzeros += int((model.constraints[name].vars.values >= 0).sum())
    return int(model.ncons), int(model.nvars), nonzeros
