"""Metrics of one run and their statistics over an ensemble.

A run's metrics are a flat mapping `family/key -> value` (`winter_unserved_gwh/TJ`,
`generation_gwh/nurek_hpp`, `shortage_hm3/uz_amu_irrigation`, `cost_usd`,
`aral_inflow_hm3`, `objective/tj_winter_energy`, ...). Over the finished runs of an
ensemble each metric gets its mean, P10, P50 and P90 (linear interpolation between order
statistics, `numpy.percentile`) and its worst run: the highest value for costs, unserved
energy and shortages, the lowest for generation, deliveries and inflows. Ties go to the
first run in the spec's order, so the aggregate does not depend on the order in which runs
finished.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from vakhsh.ensemble.objectives import Selectors, applicable
from vakhsh.results import metrics as m

# family -> (unit, which way is worse)
FAMILIES: dict[str, tuple[str, str]] = {
    "cost_usd": ("USD", "high"),
    "unserved_gwh": ("GWh", "high"),
    "winter_unserved_gwh": ("GWh", "high"),
    "winter_deficit_gwh": ("GWh", "high"),
    "downstream_shortage_hm3": ("hm3", "high"),
    "shortage_hm3": ("hm3", "high"),
    "generation_gwh": ("GWh", "low"),
    "winter_hydro_gwh": ("GWh", "low"),
    "sink_inflow_hm3": ("hm3", "low"),
    "aral_inflow_hm3": ("hm3", "low"),
}
STATS = ("mean", "p10", "p50", "p90", "worst")


def run_metrics(
    results, selectors: Selectors | None = None, summary: dict[str, Any] | None = None
) -> dict[str, float]:
    """The metrics of one solved run, flat (`summary`: its summary, if already made);
    every figure is `vakhsh.results.metrics`' (through summary.json where it has it)."""
    sel = selectors or Selectors()
    summary = summary or results.summary()
    net, ds = results.net, results.dataset
    out: dict[str, float] = {"cost_usd": float(summary["objective_usd"])}

    def family(name: str, values: dict[str, float]) -> None:
        for key, value in values.items():
            out[f"{name}/{key}"] = float(value)

    energy, water = summary["energy"], summary["water"]
    family("winter_unserved_gwh", energy["winter_unserved_gwh"])
    family("winter_deficit_gwh", energy["winter_deficit_gwh"])
    family("unserved_gwh", energy["unserved_gwh"])
    family("generation_gwh", energy["generation_gwh"])
    family("winter_hydro_gwh", m.hydro_gwh_by_bus(net, ds, sel.winter_months).to_dict())
    family("shortage_hm3", water["shortage_hm3"])
    family("sink_inflow_hm3", water["sink_inflow_hm3"])
    out["downstream_shortage_hm3"] = m.downstream_shortage_hm3(
        net, ds, countries=sel.downstream_countries
    )
    if sel.sinks_of(net, sel.aral_pattern):
        out["aral_inflow_hm3"] = m.aral_inflow_hm3(net, ds, sel.aral_pattern)
    for objective in applicable(net, sel):
        if objective.name not in ("cost", "aral_inflow"):  # already cost_usd, aral_inflow_hm3
            out[f"objective/{objective.name}"] = objective.value(results)
    return out


def unit_and_direction(metric: str) -> tuple[str, str]:
    name = metric.split("/")[0]
    if name == "objective":
        from vakhsh.ensemble.objectives import objective

        obj = objective(metric.split("/", 1)[1])
        return obj.unit, "low" if obj.sense == "max" else "high"
    return FAMILIES.get(name, ("", "high"))


def aggregate(metrics: pd.DataFrame, metric_columns: list[str]) -> pd.DataFrame:
    """One row per metric: n, mean, P10, P50, P90, worst and the worst run's id."""
    rows = []
    for column in metric_columns:
        values = metrics[column].to_numpy(dtype=float)
        ok = ~np.isnan(values)
        unit, worse = unit_and_direction(column)
        family, _, key = column.partition("/")
        row: dict[str, Any] = {"metric": family, "key": key, "unit": unit, "n": int(ok.sum())}
        if ok.any():
            v = values[ok]
            ids = metrics["run"].to_numpy()[ok]
            p10, p50, p90 = np.percentile(v, [10, 50, 90])
            worst = int(np.argmax(v) if worse == "high" else np.argmin(v))
            row.update(
                mean=float(v.mean()),
                p10=float(p10),
                p50=float(p50),
                p90=float(p90),
                worst=float(v[worst]),
                worst_run=str(ids[worst]),
            )
        else:
            row.update(dict.fromkeys(STATS, np.nan), worst_run="")
        rows.append(row)
    return pd.DataFrame(rows, columns=["metric", "key", "unit", "n", *STATS, "worst_run"])


def tables(
    runs, records: dict[str, dict[str, Any] | None]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(index, metrics, metric columns) in the spec's order of runs."""
    axes: list[str] = []
    for run in runs:
        axes += [k for k in run.values if k not in axes]
    index_rows, metric_rows, columns = [], [], []
    for run in runs:
        record = records.get(run.id)
        timings = (record or {}).get("timings", {})
        status = "pending" if record is None else record.get("status", "ok")
        index_rows.append(
            {
                "run": run.id,
                **{a: run.values.get(a) for a in axes},
                "status": status,
                "error": (record or {}).get("error") or "",
                **{f"{k}": v for k, v in timings.items()},
            }
        )
        if status == "ok":
            metrics = record.get("metrics", {})
            columns += [c for c in metrics if c not in columns]
            metric_rows.append({"run": run.id, **{a: run.values.get(a) for a in axes}, **metrics})
    columns_sorted = sorted(columns, key=_order)
    index = pd.DataFrame(index_rows)
    metrics = pd.DataFrame(metric_rows, columns=["run", *axes, *columns_sorted])
    return index, metrics, columns_sorted


def _order(column: str) -> tuple[int, str]:
    family = column.split("/")[0]
    order = [
        "cost_usd",
        "objective",
        "aral_inflow_hm3",
        "winter_deficit_gwh",
        "winter_unserved_gwh",
        "downstream_shortage_hm3",
        "unserved_gwh",
        "shortage_hm3",
        "sink_inflow_hm3",
        "winter_hydro_gwh",
        "generation_gwh",
    ]
    return (order.index(family) if family in order else len(order), column)
