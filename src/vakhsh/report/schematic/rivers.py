"""The rivers half of the schematic: each water node at a height equal to its longest path
to a sink, so water flows down the page and every main stem is a straight vertical line;
catchments above the node they feed, withdrawals beside the node they draw from; columns
spaced by the width of the labels they carry, so that no two labels overlap."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from vakhsh.report.schematic.common import (
    FONT,
    GAP_IN,
    HALO,
    LEVEL_IN,
    OFF,
    STYLE,
    WATER,
    availability,
    on_curve,
    since_text,
    state_note,
    text_size_in,
)
from vakhsh.report.style import tooltip


# ---------------------------------------------------------------- river graph layout
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
    return {n: list(dict.fromkeys(t for t in targets if t in out)) for n, targets in out.items()}


def _site(plant: pd.Series) -> str:
    reservoir = plant.get("reservoir")
    return reservoir if isinstance(reservoir, str) and reservoir else plant["node"]


def water_layout(net) -> dict[str, tuple[float, float]]:
    """(column, level) of every water node, catchment and demand."""
    out = water_graph(net)
    depth: dict[str, int] = {}

    def depth_of(node: str, seen: frozenset = frozenset()) -> int:
        if node not in depth:
            targets = [t for t in out[node] if t not in seen]
            depth[node] = 1 + max((depth_of(t, seen | {node}) for t in targets), default=-1)
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
        taken.setdefault(column, []).append((lo, hi))

    def free_column(after: float, lo: float, hi: float) -> float:
        column = after + 1
        while column < slot[0]:
            if all(hi < a or lo > b for a, b in taken.get(column, [])):
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
        slot[0] += 1  # the next river in a column of its own
    return pos


def _take(slot: list[float]) -> float:
    x = slot[0]
    slot[0] += 1
    return x


@dataclass(frozen=True)
class _Room:
    """What something drawn in a column needs: inches left and right of the column, and
    half its height, around level `y` (in inches)."""

    column: float
    y: float
    left: float
    right: float
    half: float


def pack_columns(rooms: list[_Room]) -> dict[float, float]:
    """x (inches) of every column: each as close to the ones before as the labels that
    stand at the same height allow."""
    xs: dict[float, float] = {}
    placed: list[_Room] = []
    for column in sorted({r.column for r in rooms}):
        mine = [r for r in rooms if r.column == column]
        x = max(r.left for r in mine)
        if xs:
            x = max(x, max(xs.values()) + 0.3)
        for r in mine:
            for other in placed:
                if abs(r.y - other.y) < r.half + other.half:
                    x = max(x, xs[other.column] + other.right + GAP_IN + r.left)
        xs[column] = x
        placed += mine
    return xs


# ---------------------------------------------------------------- rivers
def _arrow(ax, a, b, colour, width=1.2, style="-", rad=0.0, z=1):
    patch = FancyArrowPatch(
        a,
        b,
        arrowstyle="-|>",
        mutation_scale=9,
        color=colour,
        lw=width,
        linestyle=style,
        shrinkA=6,
        shrinkB=6,
        connectionstyle=f"arc3,rad={rad}",
        zorder=z,
    )
    ax.add_patch(patch)
    return patch


def _bend(a, b) -> float:
    """Edges that skip levels on one column bow sideways so they do not hide the stem."""
    return 0.35 if abs(a[0] - b[0]) < 0.01 and abs(a[1] - b[1]) > 1.01 * LEVEL_IN else 0.0


def _marker_in(key: str) -> float:
    return np.sqrt(STYLE[key][1]) / 2 / 72


def _water_labels(net) -> dict[str, tuple[str, bool]]:
    """The labels drawn beside water nodes: reservoirs, sinks, demands and catchments
    (junctions have only a hover text)."""
    tables = net.tables
    labels: dict[str, tuple[str, bool]] = {}
    for rid, row in tables["reservoirs"].iterrows():
        labels[rid] = (f"{rid}\n{row['storage_max_hm3']:,.0f} hm³", True)
    for sid in tables["sinks"].index:
        labels[sid] = (str(sid), True)
    for cid in tables["catchments"].index:
        labels[cid] = (str(cid), False)
    for did, row in tables["water_demands"].iterrows():
        country = row.get("country")
        named = isinstance(country, str) and not str(did).lower().startswith(country.lower())
        labels[did] = (f"{did} ({country})" if named else str(did), False)
    return labels


def _water_tip(net, kind: str, cid: str) -> str:
    row = net.tables[kind].loc[cid]
    if kind == "reservoirs":
        return (
            f"reservoir {cid}: {row['storage_min_hm3']:,.0f} to "
            f"{row['storage_max_hm3']:,.0f} hm³, starts at "
            f"{row['storage_initial_hm3']:,.0f} hm³; spills to {row['spill_to']}"
        )
    if kind == "water_demands":
        country = row.get("country")
        where = f" ({country})" if isinstance(country, str) else ""
        demand = net.series["water_demands"]["demand_m3s"].sel(water_demand=cid)
        return (
            f"water demand {cid}{where}: {float(demand.sum()) * net.hm3_per_m3s:,.0f} hm³ "
            f"over the run, drawn from {row['node']}"
        )
    if kind == "catchments":
        inflow = net.series["catchments"]["inflow_m3s"].sel(catchment=cid)
        return f"catchment {cid}: mean inflow {float(inflow.mean()):,.0f} m³/s into {row['to']}"
    return f"{kind.rstrip('s').replace('_', ' ')} {cid}"


def _plant_label(pid: str, row, state) -> str:
    text = f"{pid}\n{row['capacity_mw']:,.0f} MW"
    return text + (f"\n{since_text(state)}" if state["state"] != "in service" else "")


@dataclass(frozen=True)
class WaterGeometry:
    """Where the rivers' parts go, in inches, and the room the drawing takes."""

    pos: dict[str, tuple[float, float]]
    plant_at: dict[str, float]  # plant -> t along its route
    left: float
    right: float
    bottom: float
    top: float

    @property
    def size_in(self) -> tuple[float, float]:
        return self.right - self.left, self.top - self.bottom


_KIND_KEY = {
    "junctions": "junction",
    "reservoirs": "reservoir",
    "sinks": "sink",
    "catchments": "catchment",
    "water_demands": "water_demand",
}


def _kind_of(net) -> dict[str, str]:
    return {i: k for k in _KIND_KEY for i in net.tables[k].index}


def water_geometry(net) -> WaterGeometry:
    """Positions in inches: levels LEVEL_IN apart, columns as close as labels allow."""
    layout = water_layout(net)
    plants = net.tables["hydro_plants"]
    plant_state = availability(net, "hydro_plants")
    labels = _water_labels(net)
    kind_of = _kind_of(net)
    rooms = []
    for node, (column, level) in layout.items():
        r = _marker_in(_KIND_KEY[kind_of[node]])
        width, height = text_size_in(*labels[node]) if node in labels else (0.0, 0.0)
        right = r + (6 / 72 + width if width else 0.0)
        rooms.append(_Room(column, level * LEVEL_IN, r, right, max(height / 2, r)))
    seen: dict[str, int] = {}
    plant_at: dict[str, float] = {}
    for pid, row in plants.iterrows():
        a, b = layout[_site(row)], layout[row["to"]]
        k = seen[_site(row)] = seen.get(_site(row), -1) + 1
        skip = abs(a[0] - b[0]) < 0.01 and abs(a[1] - b[1]) > 1.01
        t = 0.5 / abs(a[1] - b[1]) if skip else min(0.4 + 0.3 * k, 0.8)
        plant_at[pid] = t
        width, height = text_size_in(_plant_label(pid, row, plant_state.loc[pid]))
        y = (a[1] + t * (b[1] - a[1])) * LEVEL_IN
        room_left = width + 5 / 72 + _marker_in("hydro_plant") + (0.2 if skip else 0.0)
        rooms.append(_Room(a[0], y, room_left, 0.0, height / 2))
    for node, targets in water_graph(net).items():  # bowed edges reach left of the stem
        for target in targets:
            a, b = layout[node], layout[target]
            if abs(a[0] - b[0]) < 0.01 and abs(a[1] - b[1]) > 1.01:
                span = abs(a[1] - b[1]) * LEVEL_IN
                rooms.append(
                    _Room(a[0], (a[1] + b[1]) / 2 * LEVEL_IN, 0.18 * span, 0.0, span / 2 - LEVEL_IN)
                )
    xs = pack_columns(rooms)
    pos = {n: (xs[c], level * LEVEL_IN) for n, (c, level) in layout.items()}
    if not rooms:
        return WaterGeometry(pos, plant_at, 0.0, 1.0, 0.0, 1.0)
    ys = [p[1] for p in pos.values()]
    return WaterGeometry(
        pos,
        plant_at,
        left=min(xs[r.column] - r.left for r in rooms) - 0.1,
        right=max(xs[r.column] + r.right for r in rooms) + 0.1,
        bottom=min(ys) - 0.3,
        top=max(ys) + 0.3,
    )


def draw_water(ax, net, geometry: WaterGeometry | None = None) -> None:
    """Draw the rivers on `ax`, whose data units are inches (`water_geometry`)."""
    fig = ax.figure
    geometry = geometry or water_geometry(net)
    pos, plant_at = geometry.pos, geometry.plant_at
    tables = net.tables
    plants = tables["hydro_plants"]
    plant_state = availability(net, "hydro_plants")
    labels = _water_labels(net)
    kind_of = _kind_of(net)
    plant_routes = {(_site(r), r["to"]) for _p, r in plants.iterrows()}
    for rid, row in tables["reaches"].iterrows():
        patch = _arrow(
            ax,
            pos[row["from"]],
            pos[row["to"]],
            WATER,
            1.6,
            rad=_bend(pos[row["from"]], pos[row["to"]]),
        )
        tooltip(fig, patch, f"reach {rid}: {row['from']} → {row['to']}")
    for rid, row in tables["reservoirs"].iterrows():
        if (rid, row["spill_to"]) not in plant_routes:
            _arrow(
                ax,
                pos[rid],
                pos[row["spill_to"]],
                "#9aaec6",
                1.0,
                "--",
                rad=_bend(pos[rid], pos[row["spill_to"]]),
            )
    for _cid, row in tables["catchments"].iterrows():
        _arrow(ax, pos[_cid], pos[row["to"]], "#59a14f", 1.0)
    for did, row in tables["water_demands"].iterrows():
        _arrow(ax, pos[row["node"]], pos[did], "#f28e2b", 1.0)
        if isinstance(row.get("return_to"), str) and row["return_to"] in pos:
            _arrow(ax, pos[did], pos[row["return_to"]], "#f28e2b", 0.8, ":", rad=-0.2)
    for pid, row in plants.iterrows():
        a, b = pos[_site(row)], pos[row["to"]]
        state = plant_state.loc[pid]
        off = state["state"] == "not yet"
        bend = _bend(a, b)
        _arrow(ax, a, b, OFF if off else WATER, 2.4, "--" if off else "-", rad=bend, z=2)
        mid = on_curve(a, b, bend, plant_at[pid])
        colour = OFF if off else STYLE["hydro_plant"][2]
        dot = ax.scatter(
            *mid,
            marker=STYLE["hydro_plant"][0],
            s=STYLE["hydro_plant"][1],
            color=colour,
            zorder=4,
            edgecolor="white",
            lw=0.6,
        )
        note = state_note(state)
        tip = (
            f"hydropower plant {pid}: {row['capacity_mw']:,.0f} MW to bus {row['bus']}, "
            f"from {_site(row)} to {row['to']}" + (f" ({note})" if note else "")
        )
        tooltip(fig, dot, tip)
        text = ax.annotate(
            _plant_label(pid, row, state),
            mid,
            xytext=(-5, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=FONT,
            color="#888" if off else "#a23b3c",
            zorder=5,
            bbox=HALO,
        )
        tooltip(fig, text, tip)
    for node, (x, y) in pos.items():
        kind = kind_of[node]
        marker, size, colour, _label = STYLE[_KIND_KEY[kind]]
        dot = ax.scatter(
            [x], [y], marker=marker, s=size, color=colour, zorder=3, edgecolor="white", lw=0.6
        )
        tip = _water_tip(net, kind, node)
        tooltip(fig, dot, tip)
        if node in labels:
            text, bold = labels[node]
            label = ax.annotate(
                text,
                (x, y),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=FONT,
                fontweight="bold" if bold else "normal",
                zorder=5,
                bbox=HALO,
            )
            tooltip(fig, label, tip)
    ax.set_xlim(geometry.left, geometry.right)
    ax.set_ylim(geometry.bottom, geometry.top)
    ax.set_axis_off()


def water_legend(fig: Figure, y: float) -> None:
    handles = [
        Line2D([], [], marker=m, ls="", color=c, markersize=np.sqrt(s) * 0.8, label=lb)
        for m, s, c, lb in STYLE.values()
    ]
    handles += [
        Line2D([], [], color=WATER, lw=1.6, label="river reach"),
        Line2D([], [], color=WATER, lw=2.4, label="turbine route"),
        Line2D([], [], color="#9aaec6", lw=1, ls="--", label="spillway"),
        Line2D([], [], color=OFF, lw=2, ls="--", label="not in service in this run"),
    ]
    fig.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.01, y),
        fontsize=FONT,
        frameon=False,
        ncol=5,
        handlelength=1.6,
        columnspacing=1.2,
    )
