"""Which buses have an electricity price: the islands of the grid at each step.

The price of a bus is the dual of its balance. It means something only where one more MWh
could come from somewhere: the bus's island (the buses joined to it by lines in service at
that step) holds a source, i.e. a generator, hydropower plant or storage unit in service,
a market it may import from, or a load (whose unserved energy is priced at the value of
lost load). An island without one (in central-asia: Pakistan before CASA-1000 is built,
where the only thing at the bus is an export market) has a balance of `0 = 0`, and HiGHS
returns any dual in the degenerate range (0, or the market price). Such a bus has no
price: NaN in the results, "—" in tables.

    supplied[t, b] = any(source[t, b'] for b' in island(t, b))

Islands are computed once per distinct pattern of lines in service (a handful in a run),
never per step.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def lines_in_service(net) -> xr.DataArray:
    """(time, line) True where a line exists and can carry power one way or the other."""
    lines = net.tables["lines"]
    if not len(lines):
        return xr.DataArray(
            np.zeros((len(net.time), 0), bool),
            coords={"time": net.time, "line": net.coord("lines")},
            dims=["time", "line"],
        )
    series = net.series["lines"]
    forward = series["capacity_mw"].transpose("time", "line")
    backward = series["capacity_backward_mw"].transpose("time", "line")
    backward = backward.where(np.isfinite(backward), forward)  # unset (inf): capacity_mw both ways
    return net.active("lines").transpose("time", "line") & ((forward > 0) | (backward > 0))


def bus_sources(net) -> xr.DataArray:
    """(time, bus) True where something at the bus itself can supply power."""
    buses = net.coord("buses")
    time = pd.Index(net.time, name="time")
    source = np.zeros((len(time), len(buses)), bool)

    def mark(exists: xr.DataArray, kind: str, dim: str) -> None:
        columns = buses.get_indexer(net.tables[kind]["bus"].to_numpy())
        values = exists.transpose("time", dim).to_numpy()
        for j in np.unique(columns):  # one bus at a time: a handful of buses, not steps
            source[:, j] |= values[:, columns == j].any(axis=1)

    for kind, size in (
        ("generators", "capacity_mw"),
        ("hydro_plants", "capacity_mw"),
        ("storage_units", "power_mw"),
    ):
        if len(net.tables[kind]):
            dim = net.dim(kind)
            mark(net.active(kind) & (net.static(kind, size, fill=0.0) > 0), kind, dim)
    if len(net.tables["markets"]):
        imports = net.series["markets"]["max_import_mw"]
        mark(net.active("markets") & (imports > 0), "markets", "market")
    if len(net.tables["loads"]):
        mark(net.series["loads"]["p_mw"] > 0, "loads", "load")
    return xr.DataArray(source, coords=[time, buses], dims=["time", "bus"])


def supplied_buses(net) -> xr.DataArray:
    """(time, bus) True where the bus's island holds a source, i.e. where it has a price."""
    buses = net.coord("buses")
    source = bus_sources(net).to_numpy()
    if not len(buses):
        return bus_sources(net)
    lines = net.tables["lines"]
    ends = (buses.get_indexer(lines["from"].to_numpy()), buses.get_indexer(lines["to"].to_numpy()))
    service = lines_in_service(net).to_numpy()
    patterns, which = np.unique(service, axis=0, return_inverse=True)
    supplied = np.zeros_like(source)
    for p, pattern in enumerate(patterns):
        steps = np.flatnonzero(which.ravel() == p)
        a, b = ends[0][pattern], ends[1][pattern]
        graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(buses), len(buses)))
        _n, island = connected_components(graph, directed=False)
        member = island[None, :] == np.arange(island.max() + 1)[:, None]  # island x bus
        has = source[steps] @ member.T.astype(int) > 0  # step x island
        supplied[steps] = has @ member.astype(int) > 0
    return xr.DataArray(
        supplied, coords=[pd.Index(net.time, name="time"), buses], dims=["time", "bus"]
    )
