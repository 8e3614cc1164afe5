"""A schematic of the network, laid out from its graph alone (no map, no internet).

Left: the rivers. Each water node sits at a height equal to its longest path to a sink,
so water flows down the page and every main stem is a straight vertical line; catchments
sit above the node they feed, withdrawals beside the node they draw from. Right: the
power grid, buses on a circle, lines labelled with their capacity, markets outside.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from vakhsh.report.style import arrange, new_figure

WATER = "#4e79a7"
STYLE = {  # marker, size, colour, label
    "junction": ("o", 30, "#555555", "junction"),
    "reservoir": ("v", 150, WATER, "reservoir"),
    "sink": ("H", 170, "#1b3a5c", "sink (sea, lake, border)"),
    "catchment": ("^", 60, "#59a14f", "catchment inflow"),
    "water_demand": ("s", 70, "#f28e2b", "water demand"),
    "hydro_plant": ("D", 45, "#e15759", "hydropower plant"),
}


def water_graph(net) -> dict[str, list[str]]:
    """Downstream neighbours of every water node: reaches, spill and turbine routes."""
    nodes = [n for kind in ("junctions", "reservoirs", "sinks") for n in net.ids(kind)]
    out: dict[str, list[str]] = {n: [] for n in nodes}
    for _rid, row in net.tables["reaches"].iterrows():
        out[row["from"]].append(row["to"])
    for rid, row in net.tables["reservoirs"].iterrows():
        out[rid].append(row["spill_to"])
    for _pid, row in net.tables["hydro_plants"].iterrows():
        out[_site(row)].append(row["to"])
    return {n: list(dict.fromkeys(t for t in targets if t in out)) for n, targets in
            out.items()}


def _site(plant: pd.Series) -> str:
    reservoir = plant.get("reservoir")
    return reservoir if isinstance(reservoir, str) and reservoir else plant["node"]


def water_layout(net) -> dict[str, tuple[float, float]]:
    """(x, y) of every water node, catchment and demand."""
    out = water_graph(net)
    depth: dict[str, int] = {}

    def depth_of(node: str, seen: frozenset = frozenset()) -> int:
        if node not in depth:
            targets = [t for t in out[node] if t not in seen]
            depth[node] = 1 + max((depth_of(t, seen | {node}) for t in targets),
                                  default=-1)
        return depth[node]

    for node in out:
        depth_of(node)
    children: dict[str, list[str]] = {n: [] for n in out}
    roots = []
    for node, targets in out.items():
        if targets:
            children[max(targets, key=lambda t: depth[t])].append(node)
        else:
            roots.append(node)
    size: dict[str, int] = {}

    def subtree(node: str) -> int:
        if node not in size:
            size[node] = 1 + sum(subtree(c) for c in children[node])
        return size[node]

    for node in children:
        children[node].sort(key=lambda c: -subtree(c))
    feeds = net.tables["catchments"]["to"]
    demands = net.tables["water_demands"]["node"]
    pos: dict[str, tuple[float, float]] = {}
    slot = [0.0]
    taken: dict[float, list[tuple[float, float]]] = {}  # column -> occupied heights

    def occupy(column: float, lo: float, hi: float) -> None:
        for c in (column, column + 1):  # a label runs about one column to the right
            taken.setdefault(c, []).append((lo, hi))

    def free_column(after: float, lo: float, hi: float) -> float:
        column = after + 1
        while column < slot[0]:
            if all(hi < a or lo > b for c in (column, column + 1)
                   for a, b in taken.get(c, [])):
                return column
            column += 1
        return _take(slot)

    def place(node: str) -> float:
        xs = [place(k) for k in children[node]]
        x = xs[0] if xs else _take(slot)
        y = depth[node]
        pos[node] = (x, y)
        occupy(x, y - 0.2, y + 0.2)
        side_in = list(feeds.index[feeds == node])
        side_out = list(demands.index[demands == node])
        if not xs and len(side_in) == 1:  # a headwater: its catchment sits right above
            pos[side_in.pop()] = (x, y + 0.8)
            occupy(x, y + 0.6, y + 1.0)
        if side_in or side_out:  # one column beside the node, inflows above, uses below
            lo = y - 0.45 - 0.4 * (len(side_out) - 1) if side_out else y + 0.3
            hi = y + 0.6 + 0.4 * (len(side_in) - 1) if side_in else y - 0.15
            column = free_column(x, lo, hi)
            occupy(column, lo, hi)
            for i, cid in enumerate(side_in):
                pos[cid] = (column, y + 0.45 + 0.4 * i)
            for i, did in enumerate(side_out):
                pos[did] = (column, y - 0.3 - 0.4 * i)
        return x

    for root in sorted(roots, key=lambda r: -subtree(r)):
        place(root)
        slot[0] += 1.5  # room for the plant labels left of the next river's stem
    return pos


def _take(slot: list[float]) -> float:
    x = slot[0]
    slot[0] += 1
    return x


def _bend(a, b, rad: float | None) -> float:
    """Edges that skip levels on one column bow sideways so they do not hide the stem."""
    if rad is not None:
        return rad
    return 0.35 if abs(a[0] - b[0]) < 0.01 and abs(a[1] - b[1]) > 1.01 else 0.0


def _on_curve(a, b, rad: float, t: float) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d = b - a
    c = (a + b) / 2 + rad * np.array([d[1], -d[0]])
    return (1 - t) ** 2 * a + 2 * t * (1 - t) * c + t ** 2 * b


def _arrow(ax, a, b, colour, width=1.2, style="-", rad=None, z=1) -> None:
    rad = _bend(a, b, rad)
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=9, color=colour,
                                 lw=width, linestyle=style, shrinkA=6, shrinkB=6,
                                 connectionstyle=f"arc3,rad={rad}", zorder=z))


def draw_water(ax, net) -> None:
    pos = water_layout(net)
    tables = net.tables
    plants = tables["hydro_plants"]
    plant_routes = {(_site(r), r["to"]) for _p, r in plants.iterrows()}
    for _rid, row in tables["reaches"].iterrows():
        _arrow(ax, pos[row["from"]], pos[row["to"]], WATER, 1.6)
    for rid, row in tables["reservoirs"].iterrows():
        if (rid, row["spill_to"]) not in plant_routes:
            _arrow(ax, pos[rid], pos[row["spill_to"]], "#9aaec6", 1.0, "--")
    for cid, row in tables["catchments"].iterrows():
        _arrow(ax, pos[cid], pos[row["to"]], "#59a14f", 1.0)
    for did, row in tables["water_demands"].iterrows():
        _arrow(ax, pos[row["node"]], pos[did], "#f28e2b", 1.0)
        if isinstance(row.get("return_to"), str) and row["return_to"] in pos:
            _arrow(ax, pos[did], pos[row["return_to"]], "#f28e2b", 0.8, ":", rad=-0.2)
    seen: dict[str, int] = {}
    for pid, row in plants.iterrows():
        a, b = np.array(pos[_site(row)]), np.array(pos[row["to"]])
        _arrow(ax, tuple(a), tuple(b), WATER, 2.4, z=2)
        k = seen[_site(row)] = seen.get(_site(row), -1) + 1
        bend = _bend(a, b, None)  # on a long bowed route: half a level below the site
        t = 0.5 / abs(a[1] - b[1]) if bend else min(0.4 + 0.3 * k, 0.8)
        mid = _on_curve(a, b, bend, t)
        ax.scatter(*mid, marker=STYLE["hydro_plant"][0], s=STYLE["hydro_plant"][1],
                   color=STYLE["hydro_plant"][2], zorder=4, edgecolor="white", lw=0.6)
        ax.annotate(f"{pid}\n{row['capacity_mw']:,.0f} MW → {row['bus']}", mid,
                    xytext=(-5, 0), textcoords="offset points", ha="right", va="center",
                    fontsize=6.5, color="#a23b3c", zorder=5)
    kinds = [("junctions", "junction"), ("reservoirs", "reservoir"), ("sinks", "sink"),
             ("catchments", "catchment"), ("water_demands", "water_demand")]
    for kind, key in kinds:
        ids = list(tables[kind].index)
        if not ids:
            continue
        marker, size, colour, _label = STYLE[key]
        xy = np.array([pos[i] for i in ids])
        ax.scatter(xy[:, 0], xy[:, 1], marker=marker, s=size, color=colour, zorder=3,
                   edgecolor="white", lw=0.6)
        for i, (x, y) in zip(ids, xy, strict=True):
            ax.annotate(_water_label(net, kind, i), (x, y), xytext=(6, 0),
                        textcoords="offset points", va="center", fontsize=7,
                        fontweight="bold" if kind in ("reservoirs", "sinks") else "normal",
                        zorder=5)
    xs = [p[0] for p in pos.values()] or [0]
    ys = [p[1] for p in pos.values()] or [0]
    ax.set_xlim(min(xs) - 1.8, max(xs) + 1.8)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.9)
    ax.set_axis_off()
    ax.set_title("Rivers (water flows down the page)", fontsize=10, loc="left")
    handles = [Line2D([], [], marker=m, ls="", color=c, markersize=np.sqrt(s) * 0.8, label=lb)
               for m, s, c, lb in STYLE.values()]
    handles += [Line2D([], [], color=WATER, lw=1.6, label="river reach"),
                Line2D([], [], color=WATER, lw=2.4, label="turbine route"),
                Line2D([], [], color="#9aaec6", lw=1, ls="--", label="spillway")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), fontsize=7,
              frameon=False, ncol=3)


def _water_label(net, kind: str, cid: str) -> str:
    if kind == "reservoirs":
        row = net.tables["reservoirs"].loc[cid]
        return f"{cid}\n{row['storage_max_hm3']:,.0f} hm³"
    if kind == "water_demands":
        country = net.tables["water_demands"].loc[cid].get("country")
        return f"{cid} ({country})" if isinstance(country, str) else cid
    return cid


# Approximate positions (longitude, latitude) of countries a model may name, so that
# a regional grid looks like the region; any other bus set goes on a circle.
PLACES = {
    "kazakhstan": (68.0, 47.5), "kz": (68.0, 47.5), "uzbekistan": (64.0, 41.5),
    "uz": (64.0, 41.5), "turkmenistan": (59.0, 39.0), "tm": (59.0, 39.0),
    "kyrgyzstan": (74.5, 41.5), "kg": (74.5, 41.5), "tajikistan": (71.0, 38.5),
    "tj": (71.0, 38.5), "afghanistan": (66.0, 34.5), "af": (66.0, 34.5),
    "pakistan": (71.5, 31.0), "pk": (71.5, 31.0), "china": (80.0, 42.0),
    "cn": (80.0, 42.0), "iran": (56.0, 34.0), "ir": (56.0, 34.0), "russia": (62.0, 54.0),
    "ru": (62.0, 54.0),
}


def bus_layout(net) -> dict[str, tuple[float, float]]:
    buses = net.tables["buses"]
    keys = [str(c).lower() for c in buses.get("country", pd.Series(index=buses.index))]
    keys = [k if k in PLACES else str(b).lower() for k, b in zip(keys, buses.index,
                                                                 strict=True)]
    if len(buses) > 2 and all(k in PLACES for k in keys):
        xy = np.array([PLACES[k] for k in keys], dtype=float)
        xy = (xy - xy.mean(axis=0)) / max(np.abs(xy - xy.mean(axis=0)).max(), 1e-9)
        return {b: (float(x), float(y)) for b, (x, y) in zip(buses.index, xy, strict=True)}
    angle = np.pi / 2 - 2 * np.pi * np.arange(len(buses)) / max(len(buses), 1)
    return {b: (float(np.cos(a)), float(np.sin(a))) for b, a in zip(buses.index, angle,
                                                                    strict=True)}


def draw_power(ax, net) -> None:
    pos = bus_layout(net)
    centre = np.mean(list(pos.values()), axis=0) if pos else np.zeros(2)
    lines = net.tables["lines"]
    capacity = net.series["lines"]["capacity_mw"].max("time").to_series() if len(lines) \
        else pd.Series(dtype=float)
    pairs: dict[tuple, int] = {}
    for lid, row in lines.iterrows():
        key = tuple(sorted((row["from"], row["to"])))
        k = pairs[key] = pairs.get(key, -1) + 1
        rad = 0.0 if k == 0 else 0.25 * ((k + 1) // 2) * (-1) ** k
        a, b = np.array(pos[row["from"]]), np.array(pos[row["to"]])
        ax.add_patch(FancyArrowPatch(tuple(a), tuple(b), arrowstyle="-", color="#777", lw=1.4,
                                     shrinkA=12, shrinkB=12, zorder=1,
                                     connectionstyle=f"arc3,rad={rad}"))
        d = b - a  # arc3 control point: midpoint + rad * (dy, -dx); the curve passes half-way
        mid = (a + b) / 2 + 0.5 * rad * np.array([d[1], -d[0]])
        ax.annotate(f"{lid}\n{capacity.get(lid, np.nan):,.0f} MW", tuple(mid), ha="center",
                    va="center", fontsize=6, color="#333",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.85}, zorder=2)
    for mid_, row in net.tables["markets"].iterrows():
        x, y = pos[row["bus"]]
        out = _outward((x, y), centre)  # turned aside, clear of the bus's capacity note
        turn = np.deg2rad(50)
        out = np.array([out[0] * np.cos(turn) - out[1] * np.sin(turn),
                        out[0] * np.sin(turn) + out[1] * np.cos(turn)])
        mx, my = x + 0.5 * out[0], y + 0.5 * out[1]
        ax.plot([x, mx], [y, my], color="#76b7b2", lw=1.2, ls="--", zorder=1)
        ax.scatter(mx, my, marker="p", s=130, color="#76b7b2", zorder=3)
        ax.annotate(f"market {mid_}", (mx, my), xytext=(out[0] * 10, out[1] * 10),
                    textcoords="offset points", fontsize=6.5, color="#2f6f6a",
                    ha="left" if out[0] > 0.2 else "right" if out[0] < -0.2 else "center",
                    va="bottom" if out[1] > 0.2 else "top" if out[1] < -0.2 else "center")
    for bus, (x, y) in pos.items():
        ax.annotate(bus, (x, y), ha="center", va="center", color="white", fontsize=8,
                    fontweight="bold", zorder=4,
                    bbox={"boxstyle": "round,pad=0.35", "fc": "#333", "ec": "none"})
        out = _outward((x, y), centre)
        text = _bus_capacity(net, bus)
        if text:
            ax.annotate(text, (x, y), xytext=(out[0] * 20, out[1] * 20),
                        textcoords="offset points", fontsize=6.5, color="#333", zorder=4,
                        ha="left" if out[0] > 0.3 else "right" if out[0] < -0.3 else "center",
                        va="bottom" if out[1] > 0.3 else "top" if out[1] < -0.3 else "center")
    ax.set_xlim(-1.7, 1.7)
    ax.set_ylim(-1.7, 1.7)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title("Power grid (installed MW per bus, line capacity)", fontsize=10, loc="left")


def _outward(xy, centre) -> np.ndarray:
    v = np.asarray(xy, dtype=float) - centre
    norm = np.hypot(*v)
    return v / norm if norm > 1e-9 else np.array([0.0, 1.0])


def _bus_capacity(net, bus: str) -> str:
    gens = net.tables["generators"]
    plants = net.tables["hydro_plants"]
    by = gens[gens["bus"] == bus].groupby("carrier")["capacity_mw"].sum() if len(gens) \
        else pd.Series(dtype=float)
    hydro = plants.loc[plants["bus"] == bus, "capacity_mw"].sum()
    if hydro:
        by = by.add(pd.Series({"hydro": hydro}), fill_value=0.0)
    units = net.tables["storage_units"]
    storage = units.loc[units["bus"] == bus, "power_mw"].sum()
    parts = [f"{c} {v:,.0f}" for c, v in by.sort_values(ascending=False).items() if v > 0]
    if storage:
        parts.append(f"storage {storage:,.0f}")
    rows = [", ".join(parts[i:i + 2]) for i in range(0, len(parts), 2)]
    return "\n".join(rows)


def plot_schematic(run) -> Figure:
    """The network: rivers on the left, the power grid on the right."""
    net = run.net
    pos = water_layout(net)
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    water_w = float(np.clip(1.0 * (max(xs) - min(xs) + 3), 5, 13))
    height = float(np.clip(0.5 * (max(ys) - min(ys) + 2) + 1.2, 5, 12))
    fig = new_figure(water_w + 6, height)
    water_ax, power_ax = fig.subplots(1, 2, width_ratios=[water_w, 6])
    draw_water(water_ax, net)
    draw_power(power_ax, net)
    fig.suptitle(f"{net.name}: network schematic", fontsize=12, x=0.01, ha="left")
    arrange(fig, left=0.3, right=0.2, top=0.8, bottom=0.7, wgap=0.3)
    return fig
