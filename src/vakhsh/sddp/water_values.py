"""Water values from the cut slopes: the marginal value of stored water.

For stage s, the cost-to-go after it (`cuts.CutStore.evaluate`) is a convex piecewise
linear function of the state leaving it; the water value of reservoir r at storage v is
minus its slope in r at a state where r holds v and every other state is at a reference
(the median over simulated members of that state at the end of the stage, or the initial
state when nothing was simulated). One row per (stage, reservoir, storage level): the
levels are `levels` points from the reservoir's minimum to its maximum storage. The last
stage has no cost-to-go (the horizon ends) and no rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vakhsh.sddp.model import SDDPModel

COLUMNS = ["stage", "reservoir", "storage_hm3", "value_usd_per_hm3"]


def water_values(
    model: SDDPModel, reference: np.ndarray | None = None, levels: int = 11
) -> pd.DataFrame:
    """`reference`: (stage, state) state at the end of each stage (default: initial)."""
    states = model.states
    res = model.net.tables["reservoirs"]
    rows = []
    for s, store in enumerate(model.cuts[:-1]):
        ref = states.initial if reference is None else reference[s]
        for i in states.positions("storage"):
            rid = states.component[i]
            grid = np.linspace(
                float(res.loc[rid, "storage_min_hm3"]),
                float(res.loc[rid, "storage_max_hm3"]),
                levels,
            )
            points = np.repeat(ref[None, :], levels, axis=0)
            points[:, i] = grid
            _value, grad = store.evaluate(points)
            for v, g in zip(grid, grad[:, i], strict=True):
                rows.append((model.stages[s].label, rid, float(v), float(-g)))
    return pd.DataFrame(rows, columns=COLUMNS)
