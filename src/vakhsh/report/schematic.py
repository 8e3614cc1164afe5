"""A schematic of the network, laid out from its graph alone (no map, no internet).

Rivers: each water node sits at a height equal to its longest path to a sink, so water
flows down the page and every main stem is a straight vertical line; catchments sit above
the node they feed, withdrawals beside the node they draw from. Columns are spaced by the
width of the labels they carry, so that no two labels overlap. Power grid: buses where
their countries are (or on a circle), lines with their capacity, markets outside.

Readable at 100 % zoom: every label is `FONT` pt on a figure at most `PAGE_IN` wide (the
report's column), i.e. at least 10 px on a 1280-px page. Junction names, line names and the
details of every component are hover texts (SVG <title>), not labels. Components that are
not in service during the run (`available_from` after its end, e.g. CASA-1000 before 2027)
are drawn grey and dashed with their date; a bus whose island has nothing that can supply
it (`vakhsh.results.islands`) has no price.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch
from matplotlib.textpath import TextToPath

from vakhsh.report.style import new_figure, tooltip

FONT = 8.0  # pt; at most PAGE_IN wide, that is >= 10.6 px on the report's 1190-px column
PAGE_IN = 12.4  # the report's column (1190 px) in inches at 96 px per inch
LEVEL_IN = 0.5  # height of one level of the river graph
GAP_IN = 0.14  # least room between two labels side by side
WATER = "#4e79a7"
OFF = "#a9a9a9"  # components not in service during the run
STYLE = {  # marker, size, colour, label
    "junction": ("o", 30, "#555555", "junction"),
    "reservoir": ("v", 150, WATER, "reservoir"),
    "sink": ("H", 170, "#1b3a5c", "sink (sea, lake, border)"),
    "catchment": ("^", 60, "#59a14f", "catchment inflow"),
    "water_demand": ("s", 70, "#f28e2b", "water demand"),
    "hydro_plant": ("D", 45, "#e15759", "hydropower plant"),
}
_TEXT = TextToPath()
# a light backing behind labels, so that an edge passing behind one does not hide it
_HALO = {"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.75}


def text_size_in(text: str, bold: bool = False, size: float = FONT) -> tuple[float, float]:
    """Width and height of a (multi-line) label in inches, as matplotlib draws it."""
    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    lines = str(text).split("\n")
    width = max(
        _TEXT.get_text_width_height_descent(line or " ", prop, ismath=False)[0] for line in lines
    )
    return width / 72, len(lines) * size * 1.25 / 72


# ---------------------------------------------------------------- availability
def availability(net, kind: str) -> pd.DataFrame:
    """Per component: `state` ("in service", "from" when it comes into service during the
    run, "not yet" when not before its end) and `since` (its `available_from`)."""
    table = net.tables[kind]
    since = (
        pd.to_datetime(table["available_from"])
        if "available_from" in table
        else pd.Series(pd.NaT, index=table.index)
    )
    if not len(table):
        return pd.DataFrame({"state": [], "since": []})
    active = net.active(kind)
    share = active.mean("time").to_series().reindex(table.index)
    state = np.where(share >= 1.0, "in service", np.where(share > 0, "from", "not yet"))
    return pd.DataFrame({"state": state, "since": since}, index=table.index)


def _since(row) -> str:
    return f"from {row['since']:%Y-%m-%d}" if pd.notna(row["since"]) else ""


def _state_note(row) -> str:
    if row["state"] == "not yet":
        return f"{_since(row)}, not in service during this run"
    return _since(row) if row["state"] == "from" else ""


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


def _on_curve(a, b, rad: float, t: float) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d = b - a
    c = (a + b) / 2 + rad * np.array([d[1], -d[0]])
    return (1 - t) ** 2 * a + 2 * t * (1 - t) * c + t**2 * b


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
    return text + (f"\n{_since(state)}" if state["state"] != "in service" else "")


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
        mid = _on_curve(a, b, bend, plant_at[pid])
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
        note = _state_note(state)
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
            bbox=_HALO,
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
                bbox=_HALO,
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
            + (f" ({_state_note(s)})" if _state_note(s) else "")
        )
        tooltip(fig, dot, tip)
        text = f"market {mid_}" + (f"\n{_since(s)}" if s["state"] != "in service" else "")
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
        note = _state_note(s)
        tip = (
            f"line {lid}: {row['from']} → {row['to']} up to {fwd:,.0f} MW, "
            f"{row['to']} → {row['from']} up to {bwd:,.0f} MW, losses "
            f"{row['loss_fraction']:.0%}" + (f" ({note})" if note else "")
        )
        tooltip(fig, patch, tip)
        text = f"{max(fwd, bwd):,.0f} MW"
        if s["state"] != "in service":
            text = f"{lid}\n{text} {_since(s)}"
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
            point = _on_curve(a, b, rad, t) + side * normal * (h / 2 + 0.06) / free.inch
            rect = free.rect(*point, text, "center", "center")
            if free.free(rect):
                return point, rect
    point = _on_curve(a, b, rad, 0.5)
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
        bbox=_HALO,
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


# ---------------------------------------------------------------- figures
def _water_axes(fig: Figure, geometry: WaterGeometry, x0: float, y0: float):
    """Axes at (x0, y0) inches whose data units are inches (so offsets in points and
    label widths agree with the layout)."""
    fig_w, fig_h = fig.get_size_inches()
    width, height = geometry.size_in
    return fig.add_axes([x0 / fig_w, y0 / fig_h, width / fig_w, height / fig_h])


def plot_rivers(run) -> Figure:
    """The rivers: reservoirs, plants, demands and sinks, water flowing down the page."""
    net = run.net
    geometry = water_geometry(net)
    width, height = geometry.size_in
    top, bottom = 0.45, 0.75
    fig_w, fig_h = max(width + 0.3, 7.0), height + top + bottom
    fig = new_figure(fig_w, fig_h)
    draw_water(_water_axes(fig, geometry, 0.15, bottom), net, geometry)
    fig.text(
        0.15 / fig_w,
        1 - 0.25 / fig_h,
        f"{net.name}: rivers (water flows down the page; hover for details)",
        fontsize=10,
        va="center",
    )
    water_legend(fig, 0.05 / fig_h)
    return fig


def plot_grid(run) -> Figure:
    """The power grid: buses with what is installed (and their mean price), lines with
    their capacity, markets; what is not in service during the run grey and dashed."""
    net = run.net
    height = float(np.clip(2.6 + 0.6 * len(net.tables["buses"]), 3.8, 6.2))
    fig = new_figure(PAGE_IN, height)
    ax = fig.add_axes([0.02, 0.02, 0.96, 1 - 0.5 / height])
    prices = bus_prices(run)
    draw_power(ax, net, prices)
    title = f"{net.name}: power grid (installed MW per bus, line capacity"
    title += ", mean price" if prices is not None else ""
    fig.text(0.01, 1 - 0.25 / height, title + "; hover for details)", fontsize=10, va="center")
    return fig


def plot_schematic(run) -> Figure:
    """The network in one figure: the rivers above, the power grid below."""
    net = run.net
    geometry = water_geometry(net)
    width, height = geometry.size_in
    grid_h = float(np.clip(2.6 + 0.6 * len(net.tables["buses"]), 3.8, 6.2))
    top, gap, bottom = 0.45, 0.9, 0.3
    fig_w, fig_h = max(PAGE_IN, width + 0.3), top + height + gap + grid_h + bottom
    fig = new_figure(fig_w, fig_h)
    draw_water(_water_axes(fig, geometry, 0.15, bottom + grid_h + gap), net, geometry)
    water_legend(fig, (bottom + grid_h + 0.15) / fig_h)
    fig.text(
        0.01,
        1 - 0.25 / fig_h,
        f"{net.name}: network schematic (rivers above, power grid below; hover for details)",
        fontsize=10,
        va="center",
    )
    power_ax = fig.add_axes([0.02, bottom / fig_h, 0.96, grid_h / fig_h])
    draw_power(power_ax, net, bus_prices(run))
    return fig
