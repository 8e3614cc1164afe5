"""The power-grid half of the schematic: buses where their countries are (or on a circle),
lines with their capacity, markets outside; every label where it overlaps no other."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import FancyArrowPatch

from vakhsh.report.schematic.common import (
    FONT,
    HALO,
    OFF,
    availability,
    on_curve,
    since_text,
    state_note,
    text_size_in,
)
from vakhsh.report.style import tooltip

# ---------------------------------------------------------------- power grid
# Approximate positions (longitude, latitude) of countries a model may name, so that
# a regional grid looks like the region; any other bus set goes on a circle.
PLACES = {
    "kazakhstan": (68.0, 47.5),
    "kz": (68.0, 47.5),
    "uzbekistan": (64.0, 41.5),
    "uz": (64.0, 41.5),
    "turkmenistan": (59.0, 39.0),
    "tm": (59.0, 39.0),
    "kyrgyzstan": (74.5, 41.5),
    "kg": (74.5, 41.5),
    "tajikistan": (71.0, 38.5),
    "tj": (71.0, 38.5),
    "afghanistan": (66.0, 34.5),
    "af": (66.0, 34.5),
    "pakistan": (71.5, 31.0),
    "pk": (71.5, 31.0),
    "china": (80.0, 42.0),
    "cn": (80.0, 42.0),
    "iran": (56.0, 34.0),
    "ir": (56.0, 34.0),
    "russia": (62.0, 54.0),
    "ru": (62.0, 54.0),
}


def bus_layout(net) -> dict[str, tuple[float, float]]:
    buses = net.tables["buses"]
    keys = [str(c).lower() for c in buses.get("country", pd.Series(index=buses.index))]
    keys = [k if k in PLACES else str(b).lower() for k, b in zip(keys, buses.index, strict=True)]
    if len(buses) > 2 and all(k in PLACES for k in keys):
        xy = np.array([PLACES[k] for k in keys], dtype=float)
        xy = (xy - xy.mean(axis=0)) / max(np.abs(xy - xy.mean(axis=0)).max(), 1e-9)
        return {b: (float(x), float(y)) for b, (x, y) in zip(buses.index, xy, strict=True)}
    angle = np.pi / 2 - 2 * np.pi * np.arange(len(buses)) / max(len(buses), 1)
    return {
        b: (float(np.cos(a)), float(np.sin(a))) for b, a in zip(buses.index, angle, strict=True)
    }


def _line_capacity(net) -> pd.DataFrame:
    """Largest capacity each way over the run (MW)."""
    lines = net.tables["lines"]
    if not len(lines):
        return pd.DataFrame({"forward": [], "backward": []})
    series = net.series["lines"]
    forward = series["capacity_mw"]
    backward = series["capacity_backward_mw"]
    backward = backward.where(np.isfinite(backward), forward)
    return pd.DataFrame(
        {"forward": forward.max("time").to_series(), "backward": backward.max("time").to_series()}
    ).reindex(lines.index)


def bus_prices(run) -> pd.Series | None:
    """Mean price per bus over the run (NaN: no price), or None without results."""
    ds = getattr(run, "dataset", None)
    if ds is None or "price_usd_per_mwh" not in ds:
        return None
    from vakhsh.results.metrics import mean_price_usd_per_mwh

    return mean_price_usd_per_mwh(run.net, ds)


class _Free:
    """Rectangles already taken on the grid's axes (data units), to put each label where it
    overlaps none of them."""

    def __init__(self, inch: float):
        self.inch = inch  # inches per data unit
        self.taken: list[tuple[float, float, float, float]] = []

    def rect(
        self,
        x: float,
        y: float,
        text: str,
        ha: str,
        va: str,
        pad_in: float = 0.03,
        size: float = FONT,
        bold: bool = False,
    ) -> tuple[float, float, float, float]:
        w, h = text_size_in(text, bold, size)
        w, h = (w + 2 * pad_in) / self.inch, (h + 2 * pad_in) / self.inch
        x0 = x - w / 2 if ha == "center" else x if ha == "left" else x - w
        y0 = y - h / 2 if va == "center" else y if va == "bottom" else y - h
        return x0, y0, x0 + w, y0 + h

    def free(self, r) -> bool:
        return all(r[2] <= o[0] or r[0] >= o[2] or r[3] <= o[1] or r[1] >= o[3] for o in self.taken)

    def take(self, r) -> None:
        self.taken.append(r)


def _anchor(direction) -> tuple[str, str]:
    ux, uy = direction
    return (
        "left" if ux > 0.3 else "right" if ux < -0.3 else "center",
        "bottom" if uy > 0.3 else "top" if uy < -0.3 else "center",
    )


def _turn(v, degrees: float) -> np.ndarray:
    a = np.deg2rad(degrees)
    return np.array([v[0] * np.cos(a) - v[1] * np.sin(a), v[0] * np.sin(a) + v[1] * np.cos(a)])


def draw_power(ax, net, prices: pd.Series | None = None) -> None:
    fig = ax.figure
    # equal scales on both axes; a wide figure spreads the buses sideways (a schematic,
    # not a map) so that the lines between close buses have room for their labels
    box = ax.get_position()
    fig_w, fig_h = fig.get_size_inches()
    half_y = 1.45
    half_x = half_y * (box.width * fig_w) / (box.height * fig_h)
    stretch = float(np.clip(half_x / 1.75, 1.0, 2.0))
    pos = {b: (x * stretch, y) for b, (x, y) in bus_layout(net).items()}
    free = _Free(box.height * fig_h / (2 * half_y))
    centre = np.mean(list(pos.values()), axis=0) if pos else np.zeros(2)
    from vakhsh.results.islands import supplied_buses

    supplied = supplied_buses(net).any("time").to_series() if len(pos) else pd.Series()
    for bus, (x, y) in pos.items():  # the bus boxes first: nothing goes over them
        free.take(free.rect(x, y, bus, "center", "center", 0.09, FONT + 1, True))
    _draw_lines(ax, net, pos, free)
    for bus, (x, y) in pos.items():
        isolated = not bool(supplied.get(bus, True))
        summary, detail = _bus_capacity(net, bus)
        price = None if prices is None else prices.get(bus, np.nan)
        tip = f"bus {bus}: " + (detail or "no generation")
        if prices is not None:
            tip += (
                "; no price: nothing can supply it during the run"
                if price != price
                else f"; mean price {price:,.1f} USD/MWh"
            )
        elif isolated:
            tip += "; no supply path during the run"
        label = ax.annotate(
            bus,
            (x, y),
            ha="center",
            va="center",
            color="white",
            fontsize=FONT + 1,
            fontweight="bold",
            zorder=4,
            bbox={"boxstyle": "round,pad=0.35", "fc": OFF if isolated else "#333", "ec": "none"},
        )
        tooltip(fig, label, tip)
        rows = [summary] if summary else []
        if prices is not None:
            rows.append("no price" if price != price else f"{price:,.1f} USD/MWh")
        elif isolated:
            rows.append("no supply path")
        if rows:
            _place_note(ax, free, (x, y), "\n".join(rows), _outward((x, y), centre), tip)
    market_state = availability(net, "markets")
    for mid_, row in net.tables["markets"].iterrows():
        x, y = pos[row["bus"]]
        out = _turn(_outward((x, y), centre), 50)  # aside, clear of the bus's note
        mx, my = x + 0.45 * out[0], y + 0.45 * out[1]
        s = market_state.loc[mid_]
        off = s["state"] == "not yet"
        colour = OFF if off else "#76b7b2"
        ax.plot([x, mx], [y, my], color=colour, lw=1.2, ls="--", zorder=1)
        dot = ax.scatter(mx, my, marker="p", s=130, color=colour, zorder=3)
        free.take(
            (mx - 0.1 / free.inch, my - 0.1 / free.inch, mx + 0.1 / free.inch, my + 0.1 / free.inch)
        )
        series = net.series["markets"]
        tip = (
            f"market {mid_} at bus {row['bus']}: mean price "
            f"{float(series['price_usd_per_mwh'].sel(market=mid_).mean()):,.1f} USD/MWh, "
            f"exports up to {float(series['max_export_mw'].sel(market=mid_).max()):,.0f}"
            f" MW, imports up to "
            f"{float(series['max_import_mw'].sel(market=mid_).max()):,.0f} MW"
            + (f" ({state_note(s)})" if state_note(s) else "")
        )
        tooltip(fig, dot, tip)
        text = f"market {mid_}" + (f"\n{since_text(s)}" if s["state"] != "in service" else "")
        _place_note(
            ax, free, (mx, my), text, out, tip, colour="#888" if off else "#2f6f6a", offset_pt=9
        )
    ax.set_xlim(-max(half_x, 1.75), max(half_x, 1.75))
    ax.set_ylim(-half_y, half_y)
    ax.set_aspect("equal")
    ax.set_axis_off()


def _draw_lines(ax, net, pos, free: _Free) -> None:
    """Each line as an arc (parallel lines bow apart), its capacity written on it where
    that overlaps no other label; grey and dashed when not in service during the run."""
    fig = ax.figure
    lines = net.tables["lines"]
    capacity = _line_capacity(net)
    state = availability(net, "lines")
    pairs: dict[tuple, int] = {}
    for lid, row in lines.iterrows():
        key = tuple(sorted((row["from"], row["to"])))
        k = pairs[key] = pairs.get(key, -1) + 1
        rad = 0.0 if k == 0 else 0.3 * ((k + 1) // 2) * (-1) ** k
        a, b = np.array(pos[row["from"]]), np.array(pos[row["to"]])
        s = state.loc[lid]
        off = s["state"] == "not yet"
        patch = FancyArrowPatch(
            tuple(a),
            tuple(b),
            arrowstyle="-",
            lw=1.6,
            color=OFF if off else "#777",
            linestyle="--" if off else "-",
            shrinkA=14,
            shrinkB=14,
            zorder=1,
            connectionstyle=f"arc3,rad={rad}",
        )
        ax.add_patch(patch)
        fwd, bwd = capacity.loc[lid, "forward"], capacity.loc[lid, "backward"]
        note = state_note(s)
        tip = (
            f"line {lid}: {row['from']} → {row['to']} up to {fwd:,.0f} MW, "
            f"{row['to']} → {row['from']} up to {bwd:,.0f} MW, losses "
            f"{row['loss_fraction']:.0%}" + (f" ({note})" if note else "")
        )
        tooltip(fig, patch, tip)
        text = f"{max(fwd, bwd):,.0f} MW"
        if s["state"] != "in service":
            text = f"{lid}\n{text} {since_text(s)}"
        spot, rect = _label_spot(free, a, b, rad, text)
        free.take(rect)
        label = ax.annotate(
            text,
            tuple(spot),
            ha="center",
            va="center",
            fontsize=FONT,
            color="#777" if off else "#333",
            zorder=2,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        )
        tooltip(fig, label, tip)


def _label_spot(free: _Free, a, b, rad: float, text: str):
    """Where a line's label overlaps no other: on the line (half-way first), else beside
    it; half-way when nothing is free."""
    d = np.asarray(b, float) - np.asarray(a, float)
    normal = np.array([-d[1], d[0]]) / max(np.hypot(*d), 1e-9)
    _w, h = text_size_in(text)
    for side in (0.0, 1.0, -1.0, 2.0, -2.0):
        for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78):
            point = on_curve(a, b, rad, t) + side * normal * (h / 2 + 0.06) / free.inch
            rect = free.rect(*point, text, "center", "center")
            if free.free(rect):
                return point, rect
    point = on_curve(a, b, rad, 0.5)
    return point, free.rect(*point, text, "center", "center")


def _place_note(
    ax, free: _Free, at, text: str, direction, tip: str, colour: str = "#333", offset_pt: float = 20
) -> None:
    """A note beside a point, in the first direction (outward first, then turning away
    from it) where it overlaps no other label."""
    choice = None
    for turn in (0, 40, -40, 80, -80, 120, -120, 180):
        d = _turn(direction, turn)
        ha, va = _anchor(d)
        x, y = np.asarray(at) + d * offset_pt / 72 / free.inch
        rect = free.rect(x, y, text, ha, va)
        if free.free(rect):
            choice = (d, ha, va, rect)
            break
    if choice is None:
        d = np.asarray(direction)
        ha, va = _anchor(d)
        x, y = np.asarray(at) + d * offset_pt / 72 / free.inch
        choice = (d, ha, va, free.rect(x, y, text, ha, va))
    d, ha, va, rect = choice
    free.take(rect)
    note = ax.annotate(
        text,
        at,
        xytext=(d[0] * offset_pt, d[1] * offset_pt),
        textcoords="offset points",
        fontsize=FONT,
        color=colour,
        zorder=4,
        ha=ha,
        va=va,
        bbox=HALO,
    )
    tooltip(ax.figure, note, tip)


def _outward(xy, centre) -> np.ndarray:
    v = np.asarray(xy, dtype=float) - centre
    norm = np.hypot(*v)
    return v / norm if norm > 1e-9 else np.array([0.0, 1.0])


def _bus_capacity(net, bus: str) -> tuple[str, str]:
    """A short note of what is installed at a bus (in service during the run) and the full
    list for its hover text."""
    gens = net.tables["generators"]
    plants = net.tables["hydro_plants"]
    units = net.tables["storage_units"]
    on = {
        kind: availability(net, kind)["state"] != "not yet"
        if len(net.tables[kind])
        else pd.Series(dtype=bool)
        for kind in ("generators", "hydro_plants", "storage_units")
    }
    here = gens[(gens["bus"] == bus) & on["generators"]] if len(gens) else gens
    by = here.groupby("carrier")["capacity_mw"].sum() if len(here) else pd.Series(dtype=float)
    hydro = (
        plants.loc[(plants["bus"] == bus) & on["hydro_plants"], "capacity_mw"].sum()
        if len(plants)
        else 0.0
    )
    if hydro:
        by = by.add(pd.Series({"hydro": hydro}), fill_value=0.0)
    storage = (
        units.loc[(units["bus"] == bus) & on["storage_units"], "power_mw"].sum()
        if len(units)
        else 0.0
    )
    by = by[by > 0].sort_values(ascending=False)
    parts = [f"{c} {v:,.0f}" for c, v in by.items()]
    if storage:
        parts.append(f"storage {storage:,.0f}")
    later = gens[(gens["bus"] == bus) & ~on["generators"]] if len(gens) else gens
    detail = ", ".join(parts) + (" MW" if parts else "")
    if len(later):
        detail += "; not in service during the run: " + ", ".join(
            f"{g} ({r['carrier']} {r['capacity_mw']:,.0f} MW, from "
            f"{pd.Timestamp(r['available_from']):%Y-%m-%d})"
            for g, r in later.iterrows()
        )
    if not parts:
        return "", detail
    total = float(by.sum())
    short = f"{total:,.0f} MW: " + ", ".join(f"{c}" for c in by.index[:3])
    if len(by) > 3:
        short += ", …"
    return short, detail
