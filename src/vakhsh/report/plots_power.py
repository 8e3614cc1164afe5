"""Power plots: generation stack per bus by month, unserved energy, prices.

Each function takes a run (`.net`, `.dataset`) and returns a matplotlib Figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from vakhsh.report.metrics import power_flows
from vakhsh.report.style import (
    CARRIER_COLOURS,
    LOAD_COLOUR,
    SERIES_COLOURS,
    arrange,
    axes_grid,
    bars,
    carrier_colour,
    empty_figure,
    for_lines,
    format_thousands,
    gwh,
    hydro_shades,
    month_labels,
    new_figure,
    shade_winter_bars,
    shade_winter_dates,
    thinned,
)


def generation_by_month(run) -> dict[str, pd.DataFrame]:
    """Per bus, monthly energy (GWh) by source: one column per hydro plant, per other
    carrier, storage, imports; negative columns for exports and charging; plus load and
    unserved energy."""
    net, ds = run.net, run.dataset
    hours = net.step_hours
    plants, gens = net.tables["hydro_plants"], net.tables["generators"]
    hydro = gwh(ds["hydro_p_mw"], hours) if len(plants) else None
    other = gwh(ds["generator_p_mw"], hours) if len(gens) else None
    flows = {k: gwh(v, hours) for k, v in power_flows(run).items()}
    load, unserved = gwh(ds["load_mw"], hours), gwh(ds["unserved_mw"], hours)
    out: dict[str, pd.DataFrame] = {}
    for bus in net.ids("buses"):
        parts: dict[str, pd.Series] = {}
        if hydro is not None:
            for pid in plants.index[plants["bus"] == bus]:
                parts[f"hydro: {pid}"] = hydro[pid]
        if other is not None:
            at_bus = gens[gens["bus"] == bus]
            for carrier, ids in at_bus.groupby("carrier").groups.items():
                name = "hydro (other plants)" if carrier == "hydro" else str(carrier)
                parts[name] = other[list(ids)].sum(axis=1)
        parts["storage discharge"] = flows["discharge"][bus]
        parts["imports"] = flows["line_in"][bus] + flows["market_in"][bus]
        parts["unserved"] = unserved[bus]
        parts["exports"] = -(flows["line_out"][bus] + flows["market_out"][bus])
        parts["storage charge"] = -flows["charge"][bus]
        frame = pd.DataFrame(parts)
        frame = frame.loc[:, (frame.abs() > 1e-6).any()]
        frame["load"] = load[bus]
        out[str(bus)] = frame
    return out


def _colour(name: str, shades: dict[str, object]) -> object:
    if name in shades:
        return shades[name]
    if name.startswith("hydro"):
        return "#a0cbe8"
    return {
        "storage discharge": CARRIER_COLOURS["storage"],
        "storage charge": CARRIER_COLOURS["storage"],
        "imports": CARRIER_COLOURS["imports"],
        "exports": CARRIER_COLOURS["exports"],
        "unserved": CARRIER_COLOURS["unserved"],
    }.get(name, carrier_colour(name))


def plot_generation(run) -> Figure:
    """Monthly generation stack per bus (GWh): hydro by plant, thermal, solar, wind,
    storage, imports and unserved above zero; exports and charging below; load line."""
    stacks = {
        b: f
        for b, f in generation_by_month(run).items()
        if f.drop(columns="load").abs().to_numpy().sum() > 1e-6
    }
    if not stacks:
        return empty_figure("no generation in this run")
    fig = new_figure(12, 3.1 * len(stacks) + 0.6)
    axes = axes_grid(fig, len(stacks), columns=1, sharex=False)
    for ax, (bus, frame) in zip(axes, stacks.items(), strict=True):
        months = frame.index
        x = np.arange(len(months))
        plants = [c for c in frame.columns if c.startswith("hydro: ")]
        tones = hydro_shades(len(plants))  # alternate dark and light so neighbours differ
        shades = dict(
            zip(
                plants,
                [tones[(i // 2) + (len(tones) + 1) // 2 * (i % 2)] for i in range(len(plants))],
                strict=True,
            )
        )
        shade_winter_bars(ax, months)
        up, down = np.zeros(len(x)), np.zeros(len(x))
        for name in frame.columns.drop("load"):
            values = frame[name].to_numpy()
            negative = values.sum() < 0
            base = down if negative else up
            hatch = "//" if name in ("imports", "exports") else None
            if name == "hydro (other plants)":
                hatch = ".."
            bars(
                ax,
                x,
                values,
                bottom=base.copy(),
                width=0.78,
                facecolor=_colour(name, shades),
                hatch=hatch,
                edgecolor="white" if hatch else "none",
                label=name.removeprefix("hydro: ") + (" (hydro)" if name in plants else ""),
            )
            base += values
        ax.step(
            np.r_[x - 0.5, x[-1] + 0.5],
            np.r_[frame["load"].to_numpy(), frame["load"].iloc[-1]],
            where="post",
            color=LOAD_COLOUR,
            lw=1.5,
            label="load",
        )
        ax.axhline(0, color="#333", lw=0.6)
        ax.set_xticks(x, month_labels(months), fontsize=7)
        ax.set_xlim(-0.6, len(x) - 0.4)
        ax.set_ylabel("GWh per month", fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
        format_thousands(ax)
        ax.set_title(f"bus {bus}", fontsize=9, loc="left", fontweight="bold")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.02), frameon=False)
    fig.suptitle(
        "Generation by month (shaded: October–March; below zero: exports and charging)",
        fontsize=11,
        x=0.01,
        ha="left",
    )
    arrange(fig, right=2.4, hgap=0.8, top=0.8)
    return fig


def plot_unserved(run) -> Figure:
    """Unserved energy per bus by month (GWh): the winter deficit made visible."""
    ds, hours = run.dataset, run.net.step_hours
    unserved = gwh(ds["unserved_mw"], hours)
    fig = new_figure(12, 3.4)
    ax = fig.add_subplot()
    months = unserved.index
    x = np.arange(len(months))
    shade_winter_bars(ax, months)
    buses = [b for b in unserved.columns if unserved[b].sum() > 1e-6]
    width = 0.8 / max(len(buses), 1)
    for i, bus in enumerate(buses):
        bars(
            ax,
            x - 0.4 + width * (i + 0.5),
            unserved[bus],
            width=width,
            label=str(bus),
            color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
        )
        ax.set_ylim(bottom=0)
    total = unserved.to_numpy().sum()
    if not buses:
        ax.text(
            0.5,
            0.5,
            "no unserved energy: every bus met its load",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            color="#555",
        )
        ax.set_ylim(0, 1)
    else:
        ax.legend(
            fontsize=8, title="bus", title_fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0)
        )
    ax.set_xticks(x, month_labels(months), fontsize=7)
    ax.set_xlim(-0.6, len(x) - 0.4)
    ax.set_ylabel("unserved energy (GWh per month)", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    format_thousands(ax)
    ax.set_title(
        f"Unserved energy by month: {total:,.1f} GWh in the run (shaded: October–March)",
        fontsize=10,
        loc="left",
    )
    arrange(fig, right=1.2, top=0.4)
    return fig


def plot_prices(run) -> Figure:
    """Electricity price per bus (dual of the bus balance) and market prices (USD/MWh)."""
    ds, hours = run.dataset, run.net.step_hours
    if "price_usd_per_mwh" not in ds:
        return empty_figure("no electricity prices in this run")
    price = for_lines(ds["price_usd_per_mwh"], hours)
    fig = new_figure(12, 3.8)
    ax = fig.add_subplot()
    shade_winter_dates(ax, price.index[0], price.index[-1])
    for i, bus in enumerate(price.columns):
        ax.plot(
            price.index,
            price[bus],
            lw=1.2,
            label=f"bus {bus}",
            color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
        )
    if ds.sizes.get("market", 0):
        market = for_lines(ds["market_price_usd_per_mwh"], hours)
        for j, mid in enumerate(market.columns):
            ax.plot(
                market.index,
                market[mid],
                lw=1.2,
                ls=("--", ":", "-.")[j % 3],
                color=("#333", "#8c564b", "#7f7f7f")[j % 3],
                label=f"market {mid}",
            )
    top = float(np.nanpercentile(price.to_numpy(), 99.5)) if price.size else 1.0
    ax.set_ylim(min(0.0, float(np.nanmin(price.to_numpy()))), max(top * 1.1, 1.0))
    ax.set_ylabel("price (USD/MWh)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    mean = "daily means; " if thinned(hours) else ""
    ax.set_title(
        f"Electricity prices ({mean}axis capped at the 99.5th percentile; shaded: October–March)",
        fontsize=10,
        loc="left",
    )
    arrange(fig, right=1.8, top=0.4)
    return fig
