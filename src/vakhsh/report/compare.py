"""Compare runs: key metrics side by side and overlaid plots, in the terminal and in
compare.html (self-contained, like report.html)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from rich.console import Console
from rich.table import Table

from vakhsh.outputs import html_signature
from vakhsh.report import metrics
from vakhsh.report.html import CSS, _e, frame_html
from vakhsh.report.load import run_label
from vakhsh.report.style import (
    SERIES_COLOURS,
    arrange,
    axes_grid,
    bars,
    data_uri,
    for_lines,
    format_thousands,
    gwh,
    hm3,
    new_figure,
    shade_winter_dates,
)
from vakhsh.report.terminal import print_table

COMPARE_FILE = "compare.html"
COMPARE_KIND = "compare"


def labels(runs) -> list[str]:
    """Distinct short names, numbered when two runs share a name."""
    names = [run_label(r) for r in runs]
    return [f"{n} ({i + 1})" if names.count(n) > 1 else n for i, n in enumerate(names)]


def metrics_table(runs) -> pd.DataFrame:
    """One row per metric, one column per run."""
    columns = {}
    for name, run in zip(labels(runs), runs, strict=True):
        summary = run.summary()
        head = metrics.headline(run, summary)
        buses = metrics.bus_table(run)
        sinks = metrics.sink_table(run)
        res = metrics.reservoir_table(run)
        col: dict[str, object] = {
            "scenario": head["scenario"] or "—",
            "steps": head["period"].get("steps"),
            "total cost (M USD)": head["total_cost_usd"] / 1e6,
            "unserved energy (GWh)": head["unserved_gwh"],
            "winter unserved (GWh)": head["winter_unserved_gwh"],
        }
        for bus, value in buses["winter_deficit_gwh"].items():
            col[f"winter deficit {bus} (GWh)"] = value
        col["hydro generation (GWh)"] = float(buses["hydro_gwh"].sum())
        col["exports to markets (GWh)"] = head["exports_gwh"]
        col["winter exports (GWh)"] = head["winter_exports_gwh"]
        col["downstream shortage (hm³)"] = head["downstream_shortage_hm3"]
        for sink, value in sinks["inflow_hm3"].items():
            col[f"inflow to {sink} (hm³)"] = value
        col["sink shortfall (hm³)"] = head["sink_shortfall_hm3"]
        col["spill (hm³)"] = float(res["spill_hm3"].sum()) if len(res) else 0.0
        col["audit"] = "passed" if head["audit_passed"] else "FAILED"
        columns[name] = col
    table = pd.DataFrame(columns)
    table.index.name = "metric"
    return table


def print_comparison(table: pd.DataFrame, console: Console) -> None:
    out = Table(title="Runs compared", title_justify="left")
    out.add_column("metric")
    for column in table.columns:
        out.add_column(str(column), justify="right")
    for metric, row in table.iterrows():
        out.add_row(str(metric), *[_cell(v) for v in row])
    print_table(out, console)


def _cell(value) -> str:
    if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
        if value != value:
            return "—"
        return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


# ---- overlaid plots ----
def _line_style(i: int) -> dict:
    return {
        "color": SERIES_COLOURS[i % len(SERIES_COLOURS)],
        "lw": 1.6,
        "ls": ("-", "--", ":", "-.")[(i // len(SERIES_COLOURS)) % 4],
    }


def plot_monthly_energy(runs, names: list[str]) -> Figure:
    """Monthly hydro generation and unserved energy, all buses, one line per run (GWh)."""
    fig = new_figure(12, 3.6)
    left, right = fig.subplots(1, 2)
    for i, (name, run) in enumerate(zip(names, runs, strict=True)):
        hours = run.net.step_hours
        hydro = gwh(run.dataset["hydro_p_mw"], hours).sum(axis=1)
        unserved = gwh(run.dataset["unserved_mw"], hours).sum(axis=1)
        left.plot(hydro.index, hydro, marker="o", ms=3, label=name, **_line_style(i))
        right.plot(unserved.index, unserved, marker="o", ms=3, label=name, **_line_style(i))
    for ax, title in (
        (left, "Hydro generation, all plants"),
        (right, "Unserved energy, all buses"),
    ):
        _shade(ax)
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_ylabel("GWh per month", fontsize=8)
        ax.tick_params(labelsize=7)
        format_thousands(ax)
        ax.set_ylim(bottom=0)
    fig.legend(
        *left.get_legend_handles_labels(), loc="lower center", ncol=4, fontsize=8, frameon=False
    )
    fig.suptitle("Energy by month (shaded: October–March)", fontsize=11, x=0.01, ha="left")
    arrange(fig, bottom=0.95, wgap=0.9, top=0.65)
    return fig


def _shade(ax) -> None:
    """Shade winters over the span of the lines drawn, and keep the axis to that span."""
    import matplotlib.dates as mdates

    spans = [line.get_xdata() for line in ax.get_lines() if len(line.get_xdata())]
    if not spans:
        return
    lo = min(pd.Timestamp(np.min(x)) for x in spans)
    hi = max(pd.Timestamp(np.max(x)) for x in spans)
    shade_winter_dates(ax, lo, hi)
    pad = (hi - lo) * 0.02
    ax.set_xlim(mdates.date2num(lo - pad), mdates.date2num(hi + pad))


def plot_winter_deficit(runs, names: list[str]) -> Figure:
    """Winter deficit per bus, one bar per run (GWh)."""
    tables = [metrics.bus_table(r)["winter_deficit_gwh"] for r in runs]
    buses = list(dict.fromkeys(b for t in tables for b in t.index))
    fig = new_figure(12, 3.6)
    ax = fig.add_subplot()
    x = np.arange(len(buses))
    width = 0.8 / len(runs)
    for i, (name, table) in enumerate(zip(names, tables, strict=True)):
        values = table.reindex(buses).fillna(0.0).to_numpy()
        bars(
            ax,
            x - 0.4 + width * (i + 0.5),
            values,
            width=width,
            label=name,
            color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
        )
    ax.axhline(0, color="#333", lw=0.6)
    ax.set_xticks(x, buses, fontsize=8)
    ax.set_xlim(-0.6, len(buses) - 0.4)
    ax.set_ylabel("GWh over October–March", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    format_thousands(ax)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(
        "Winter deficit per bus: unserved energy plus net imports (counted where positive)",
        fontsize=10,
        loc="left",
    )
    arrange(fig, right=2.6, top=0.4)
    return fig


def plot_storage(runs, names: list[str]) -> Figure:
    """Storage of every reservoir, one line per run (hm³)."""
    reservoirs = list(dict.fromkeys(r for run in runs for r in run.net.ids("reservoirs")))
    if not reservoirs:
        return _note("no reservoirs in these runs")
    fig = new_figure(12, 2.5 * int(np.ceil(len(reservoirs) / 2)) + 0.9)
    axes = axes_grid(fig, len(reservoirs), columns=2)
    for ax, rid in zip(axes, reservoirs, strict=True):
        for i, (name, run) in enumerate(zip(names, runs, strict=True)):
            if rid in run.dataset["reservoir"].values:
                storage = for_lines(
                    run.dataset["storage_hm3"].sel(reservoir=[rid]), run.net.step_hours
                )
                ax.plot(storage.index, storage[rid], label=name, **_line_style(i))
        _shade(ax)
        ax.set_title(rid, fontsize=9, loc="left", fontweight="bold")
        ax.set_ylabel("storage (hm³)", fontsize=8)
        ax.tick_params(labelsize=7)
        format_thousands(ax)
    fig.legend(
        *axes[0].get_legend_handles_labels(), loc="lower center", ncol=4, fontsize=8, frameon=False
    )
    fig.suptitle("Reservoir storage (shaded: October–March)", fontsize=11, x=0.01, ha="left")
    arrange(fig, bottom=0.9, top=0.65, wgap=1.0)
    return fig


def plot_sinks(runs, names: list[str]) -> Figure:
    """Monthly inflow to every sink, one line per run (hm³)."""
    sinks = list(dict.fromkeys(s for run in runs for s in run.net.ids("sinks")))
    if not sinks:
        return _note("no sinks in these runs")
    fig = new_figure(12, 3.0 * int(np.ceil(len(sinks) / 2)) + 0.9)
    axes = axes_grid(fig, len(sinks), columns=2)
    for ax, sid in zip(axes, sinks, strict=True):
        for i, (name, run) in enumerate(zip(names, runs, strict=True)):
            if sid in run.dataset["sink"].values:
                inflow = hm3(run.dataset["sink_inflow_m3s"].sel(sink=[sid]), run.net.step_hours)
                ax.plot(inflow.index, inflow[sid], marker="o", ms=3, label=name, **_line_style(i))
        _shade(ax)
        ax.set_title(sid, fontsize=9, loc="left", fontweight="bold")
        ax.set_ylabel("hm³ per month", fontsize=8)
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=7)
        format_thousands(ax)
    fig.legend(
        *axes[0].get_legend_handles_labels(), loc="lower center", ncol=4, fontsize=8, frameon=False
    )
    fig.suptitle("Inflow to the sinks (shaded: October–March)", fontsize=11, x=0.01, ha="left")
    arrange(fig, bottom=0.9, top=0.65, wgap=1.0)
    return fig


def _note(message: str) -> Figure:
    from vakhsh.report.style import empty_figure

    return empty_figure(message)


COMPARE_PLOTS = [
    ("Winter deficit", plot_winter_deficit),
    ("Energy by month", plot_monthly_energy),
    ("Reservoir storage", plot_storage),
    ("Inflow to the sinks", plot_sinks),
]


def render_comparison(runs) -> tuple[str, pd.DataFrame]:
    names = labels(runs)
    table = metrics_table(runs)
    parts = [
        "<!DOCTYPE html>",
        html_signature(COMPARE_KIND),
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>vakhsh: runs compared</title>",
        f"<style>{CSS}</style></head>",
        "<body><main>",
        "<h1>Runs compared</h1>",
        f'<p class="sub">{_e(", ".join(names))}</p>',
        "<h2>Key metrics</h2>",
        frame_html(_display(table), right=True),
        "<h2>Plots</h2>",
    ]
    for title, function in COMPARE_PLOTS:
        parts.append(
            f'<figure><h3>{_e(title)}</h3><img src="{data_uri(function(runs, names))}"'
            f' alt="{_e(title)}"></figure>'
        )
    parts.append(
        f"<footer>Written by vakhsh on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        "Self-contained: no file or script is loaded from elsewhere.</footer>"
    )
    parts.append("</main></body></html>")
    return "\n".join(parts), table


def _display(table: pd.DataFrame) -> pd.DataFrame:
    return table.map(_cell)


def compare_path(out: str | Path) -> Path:
    """Where compare.html goes: `out` itself, or `out/compare.html` for a folder."""
    out = Path(out)
    return out / COMPARE_FILE if out.is_dir() and not out.is_symlink() else out


def compare_runs(
    runs, out: str | Path, overwrite: bool = False, option: str = "path"
) -> tuple[Path, pd.DataFrame]:
    """Write compare.html (atomically) and return its path and the metrics table.

    An existing file is replaced only when vakhsh wrote it and `overwrite=True`."""
    from vakhsh.outputs import write_text_file

    out = compare_path(out)
    text, table = render_comparison(runs)
    return write_text_file(out, text, COMPARE_KIND, overwrite=overwrite, option=option), table
