"""The data behind the page's interactive charts, as JSON-ready dicts.

Each chart is computed by the report's own functions (the same numbers as report.html);
only the drawing moves to the browser (plotly).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from vakhsh.report import metrics
from vakhsh.report.plots_power import generation_by_month
from vakhsh.results import metrics as m


def _floats(values) -> list[float | None]:
    array = np.asarray(values, dtype=float)
    return [None if not np.isfinite(v) else round(float(v), 6) for v in array]


def _times(index) -> list[str]:
    return [pd.Timestamp(t).strftime("%Y-%m-%d %H:%M") for t in index]


def storage(run) -> dict[str, Any]:
    """Storage of each reservoir at the end of every step, with its bounds (hm³)."""
    ds, res = run.dataset, run.net.tables["reservoirs"]
    if not len(res):
        return {"time": [], "reservoirs": []}
    frame = ds["storage_hm3"].transpose("time", "reservoir").to_pandas()
    return {
        "time": _times(frame.index),
        "unit": "hm³",
        "reservoirs": [
            {
                "id": str(rid),
                "storage": _floats(frame[rid]),
                "min": float(res.loc[rid, "storage_min_hm3"]),
                "max": float(res.loc[rid, "storage_max_hm3"]),
            }
            for rid in frame.columns
        ],
    }


def generation(run) -> dict[str, Any]:
    """Monthly energy per bus by source (GWh); exports and charging negative."""
    out = []
    for bus, frame in generation_by_month(run).items():
        sources = [c for c in frame.columns if c != "load"]
        out.append(
            {
                "bus": bus,
                "months": [m.strftime("%Y-%m") for m in frame.index],
                "load": _floats(frame["load"]),
                "sources": [{"name": c, "values": _floats(frame[c])} for c in sources],
            }
        )
    return {"unit": "GWh", "buses": out}


def winter_deficit(run) -> dict[str, Any]:
    """Winter deficit per bus over the run and per winter (GWh), as summary.json has it
    (`vakhsh.results.metrics.winter_deficit_gwh`): winter unserved energy plus winter net
    imports clipped at zero."""
    net, ds = run.net, run.dataset
    buses = [str(b) for b in net.ids("buses")]
    by_winter = m.winter_deficit_by_year(net, ds)
    return {
        "unit": "GWh",
        "buses": buses,
        "deficit": _floats(m.winter_deficit_gwh(net, ds).reindex(buses)),
        "unserved": _floats(m.unserved_gwh(net, ds, m.WINTER).reindex(buses)),
        "net_imports": _floats(m.net_import_gwh(net, ds, m.WINTER).reindex(buses)),
        "winters": [
            {"winter": str(w), "deficit": {str(b): float(v) for b, v in row.items()}}
            for w, row in by_winter.iterrows()
        ],
    }


def costs(run) -> dict[str, Any]:
    """The objective by kind (USD; export revenue negative), summing to the total."""
    by_kind = m.costs_usd(run.net, run.dataset)
    return {"unit": "USD", "kinds": list(by_kind), "usd": _floats(list(by_kind.values()))}


def prices(run) -> dict[str, Any]:
    """Electricity price per bus (dual of its balance) and outside market prices."""
    ds = run.dataset
    bus = ds["price_usd_per_mwh"].transpose("time", "bus").to_pandas()
    market = ds["market_price_usd_per_mwh"].transpose("time", "market").to_pandas()
    return {
        "time": _times(bus.index),
        "unit": "USD/MWh",
        "buses": [{"id": str(b), "price": _floats(bus[b])} for b in bus.columns],
        "markets": [{"id": str(m), "price": _floats(market[m])} for m in market.columns],
    }


def headline(run) -> dict[str, Any]:
    """The figures report.html opens with."""
    return metrics.headline(run, run.summary())


def figures(run) -> dict[str, Any]:
    """Everything the run page draws."""
    return {
        "headline": headline(run),
        "storage": storage(run),
        "generation": generation(run),
        "winter_deficit": winter_deficit(run),
        "prices": prices(run),
        "costs": costs(run),
    }
