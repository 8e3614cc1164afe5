"""Water plots: reservoir storage and level, deliveries, sink inflows, water values.

Each function takes a run (`.net`, `.dataset`) and returns a matplotlib Figure.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from vakhsh.report.style import (
    SERIES_COLOURS,
    arrange,
    axes_grid,
    bars,
    empty_figure,
    for_lines,
    format_thousands,
    hm3,
    month_labels,
    new_figure,
    shade_winter_bars,
    shade_winter_dates,
)

STORAGE = "#4e79a7"
BOUND = "#e15759"


def _level_axis(ax, curve) -> None:
    """A right-hand axis in m a.s.l., read through the reservoir's level curve."""
    points = np.asarray(curve, dtype=float)
    storage, level = points[:, 0], points[:, 1]
    if len(points) < 2 or np.any(np.diff(storage) <= 0) or np.any(np.diff(level) <= 0):
        return
    forward = lambda s: _interp(s, storage, level)  # noqa: E731
    inverse = lambda z: _interp(z, level, storage)  # noqa: E731
    right = ax.secondary_yaxis("right", functions=(forward, inverse))
    right.set_ylabel("level (m a.s.l.)", fontsize=8)
    right.tick_params(labelsize=7)


def _interp(x, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """Piecewise-linear, extended linearly beyond both ends (axis limits may lie there)."""
    x = np.asarray(x, dtype=float)
    y = np.interp(x, xp, fp)
    lo_slope = (fp[1] - fp[0]) / (xp[1] - xp[0])
    hi_slope = (fp[-1] - fp[-2]) / (xp[-1] - xp[-2])
    y = np.where(x < xp[0], fp[0] + (x - xp[0]) * lo_slope, y)
    return np.where(x > xp[-1], fp[-1] + (x - xp[-1]) * hi_slope, y)


def plot_reservoirs(run) -> Figure:
    """Storage per reservoir over time within its min/max band; level on the right axis."""
    net, ds = run.net, run.dataset
    hours = net.step_hours
    res = net.tables["reservoirs"]
    if not len(res):
        return empty_figure("no reservoirs in this model")
    storage = for_lines(ds["storage_hm3"], hours)
    fig = new_figure(12, 2.6 * int(np.ceil(len(res) / 2)) + 0.6)
    axes = axes_grid(fig, len(res), columns=2)
    start, end = storage.index[0], storage.index[-1]
    for ax, (rid, row) in zip(axes, res.iterrows(), strict=True):
        lo, hi = row["storage_min_hm3"], row["storage_max_hm3"]
        shade_winter_dates(ax, start, end)
        ax.axhspan(lo, hi, color=STORAGE, alpha=0.14, lw=0, label="live storage")
        ax.axhline(hi, color=BOUND, lw=0.9, ls="--", label="max (FSL)")
        ax.axhline(lo, color=BOUND, lw=0.9, ls=":", label="min (MOL)")
        ax.plot(storage.index, storage[rid], color=STORAGE, lw=1.6, label="storage")
        ax.set_title(f"{rid}", fontsize=9, loc="left", fontweight="bold")
        ax.set_ylabel("storage (hm³)", fontsize=8)
        ax.set_ylim(max(0.0, lo - 0.08 * (hi - lo + 1)), hi + 0.08 * (hi - lo + 1))
        ax.tick_params(labelsize=7)
        format_thousands(ax)
        if row.get("level_curve") is not None:
            _level_axis(ax, row["level_curve"])
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.suptitle("Reservoir storage (shaded: October–March)", fontsize=11, x=0.01, ha="left")
    arrange(fig, right=0.9, bottom=0.9, wgap=1.6)
    return fig


def plot_water_delivery(run) -> Figure:
    """Monthly water delivered against demanded, per demand (hm³)."""
    net, ds = run.net, run.dataset
    hours = net.step_hours
    demands = net.tables["water_demands"]
    if not len(demands):
        return empty_figure("no water demands in this model")
    demanded, delivered = hm3(ds["demand_m3s"], hours), hm3(ds["withdrawal_m3s"], hours)
    fig = new_figure(12, 2.3 * int(np.ceil(len(demands) / 3)) + 0.7)
    axes = axes_grid(fig, len(demands), columns=3)
    x = np.arange(len(demanded.index))
    for ax, did in zip(axes, demands.index, strict=True):
        shade_winter_bars(ax, demanded.index)
        bars(
            ax,
            x,
            demanded[did],
            width=0.8,
            facecolor="white",
            edgecolor="#f28e2b",
            linewidth=1.0,
            label="demanded",
        )
        bars(ax, x, delivered[did], width=0.55, color="#4e79a7", label="delivered")
        short = (demanded[did] - delivered[did]).to_numpy()
        bars(
            ax,
            x,
            np.where(short > 1e-6, short, 0.0),
            bottom=delivered[did].to_numpy(),
            width=0.55,
            color="#e15759",
            label="shortage",
        )
        ax.set_ylim(0, max(demanded[did].max(), delivered[did].max(), 1e-9) * 1.08)
        country = demands.loc[did].get("country")
        asked, got = demanded[did].sum(), delivered[did].sum()
        share = f"{got / asked:.0%}" if asked > 0 else "—"
        ax.set_title(
            f"{did}"
            + (f" ({country})" if isinstance(country, str) else "")
            + f": {got:,.0f} of {asked:,.0f} hm³ ({share})",
            fontsize=8.5,
            loc="left",
        )
        ax.set_ylabel("hm³ per month", fontsize=8)
        ax.set_xticks(x, month_labels(demanded.index), fontsize=6)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_xlim(-0.6, len(x) - 0.4)
        format_thousands(ax)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle("Water delivered against demanded", fontsize=11, x=0.01, ha="left")
    arrange(fig, bottom=0.95, hgap=0.85)
    return fig


def plot_sink_inflow(run) -> Figure:
    """Monthly inflow to each sink (e.g. the Aral Sea) with its required minimum (hm³)."""
    net, ds = run.net, run.dataset
    hours = net.step_hours
    sinks = list(net.ids("sinks"))
    if not sinks:
        return empty_figure("no sinks in this model")
    inflow = hm3(ds["sink_inflow_m3s"], hours)
    required = (
        hm3(net.series["sinks"]["min_inflow_m3s"], hours)
        if "min_inflow_m3s" in net.series.get("sinks", {})
        else None
    )
    fig = new_figure(12, 3.0 * int(np.ceil(len(sinks) / 2)) + 0.6)
    axes = axes_grid(fig, len(sinks), columns=2)
    x = np.arange(len(inflow.index))
    for ax, sid in zip(axes, sinks, strict=True):
        shade_winter_bars(ax, inflow.index)
        bars(ax, x, inflow[sid], width=0.75, color="#1b3a5c", label="inflow")
        ax.set_ylim(bottom=0)
        if required is not None and required[sid].max() > 0:
            ax.step(
                np.r_[x - 0.5, x[-1] + 0.5],
                np.r_[required[sid].to_numpy(), required[sid].iloc[-1]],
                where="post",
                color="#e15759",
                lw=1.4,
                ls="--",
                label="required minimum",
            )
        total = inflow[sid].sum()
        ax.set_title(f"{sid}: {total:,.0f} hm³ in the run", fontsize=9, loc="left")
        ax.set_ylabel("hm³ per month", fontsize=8)
        ax.set_xticks(x, month_labels(inflow.index), fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_xlim(-0.6, len(x) - 0.4)
        format_thousands(ax)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.suptitle("Inflow to the sinks", fontsize=11, x=0.01, ha="left")
    arrange(fig, bottom=0.95, hgap=0.85)
    return fig


def plot_water_values(run) -> Figure:
    """Water value per reservoir over time (USD per hm³ of stored water)."""
    ds, hours = run.dataset, run.net.step_hours
    if "water_value_usd_per_hm3" not in ds or ds.sizes.get("reservoir", 0) == 0:
        return empty_figure("no water values in this run")
    values = for_lines(ds["water_value_usd_per_hm3"], hours)
    fig = new_figure(12, 3.6)
    ax = fig.add_subplot()
    shade_winter_dates(ax, values.index[0], values.index[-1])
    for i, rid in enumerate(values.columns):
        ax.plot(
            values.index,
            values[rid] / 1e3,
            lw=1.3,
            label=str(rid),
            color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
            ls="-" if i < len(SERIES_COLOURS) else "--",
        )
    ax.set_ylabel("water value (thousand USD per hm³)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(
        fontsize=7,
        ncol=1 if len(values.columns) <= 12 else 2,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        title="reservoir",
        title_fontsize=7,
    )
    ax.set_title(
        "Water values: what one more hm³ in store is worth (shaded: October–March)",
        fontsize=10,
        loc="left",
    )
    arrange(fig, right=2.0, top=0.4)
    return fig
