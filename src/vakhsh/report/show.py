"""`vakhsh show`: counts and key figures per component kind.

`network_tables` computes the tables once, as plain values; `show_network` prints them
with rich and the web app serves them as JSON, so the terminal and the page agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from vakhsh.network import Network
from vakhsh.report.terminal import print_table


@dataclass
class Column:
    name: str
    digits: int | None = None  # a number shown with this many decimals; None: text
    percent: bool = False  # a fraction shown as a percentage


@dataclass
class ShowTable:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "columns": [vars(c) for c in self.columns],
            "rows": [[_plain(v) for v in row] for row in self.rows],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _level_at(curve, storage_hm3: float) -> float:
    if curve is None:
        return float("nan")
    points = np.asarray(curve, dtype=float)
    return float(np.interp(storage_hm3, points[:, 0], points[:, 1]))


def _fmt(value: float, digits: int = 0) -> str:
    return (
        "—"
        if value is None or (isinstance(value, float) and np.isnan(value))
        else f"{value:,.{digits}f}"
    )


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def network_tables(net: Network) -> list[ShowTable]:
    """Every table `vakhsh show` prints, in order."""
    years = len(net.time) * net.step_hours / 8760
    counts = ShowTable("components", "Components", [Column("kind"), Column("count", 0)])
    for kind, n in net.summary_counts().items():
        counts.rows.append([kind.replace("_", " "), n])
    counts.rows.append(["candidates", len(net.candidates)])
    tables = [counts, *_water_tables(net, years), *_power_tables(net, years)]
    return [t for t in tables if t.rows]


def _water_tables(net: Network, years: float) -> list[ShowTable]:
    res, plants = net.tables["reservoirs"], net.tables["hydro_plants"]
    reservoirs = ShowTable(
        "reservoirs",
        "Reservoirs",
        [
            Column("reservoir"),
            Column("storage min hm³", 0),
            Column("storage max hm³", 0),
            Column("live hm³", 0),
            Column("initial hm³", 0),
            Column("level at min m", 1),
            Column("level at max m", 1),
            Column("plants MW", 0),
        ],
    )
    for rid, row in res.iterrows():
        mw = plants.loc[plants["reservoir"] == rid, "capacity_mw"].sum()
        reservoirs.rows.append(
            [
                rid,
                row.storage_min_hm3,
                row.storage_max_hm3,
                row.storage_max_hm3 - row.storage_min_hm3,
                row.storage_initial_hm3,
                _level_at(row.level_curve, row.storage_min_hm3),
                _level_at(row.level_curve, row.storage_max_hm3),
                float(mw),
            ]
        )

    hydro = ShowTable(
        "hydro_plants",
        "Hydropower plants",
        [
            Column("plant"),
            Column("site"),
            Column("bus"),
            Column("capacity MW", 0),
            Column("max flow m³/s", 0),
            Column("efficiency", 2),
            Column("head"),
            Column("available from"),
        ],
    )
    for pid, row in plants.iterrows():
        site = row.reservoir if isinstance(row.reservoir, str) else f"{row.node} (RoR)"
        head = (
            f"{row.head_m:g} m fixed"
            if pd.notna(row.head_m)
            else f"tailwater {row.tailwater_masl:g} m"
        )
        start = "" if pd.isna(row.available_from) else f"{row.available_from:%Y-%m-%d}"
        hydro.rows.append(
            [pid, site, row.bus, row.capacity_mw, row.max_flow_m3s, row.efficiency, head, start]
        )

    inflow = net.series["catchments"]["inflow_m3s"]
    catchments = ShowTable(
        "catchments",
        "Catchments (natural inflow over the run)",
        [
            Column("catchment"),
            Column("enters at"),
            Column("mean m³/s", 1),
            Column("min m³/s", 1),
            Column("max m³/s", 1),
            Column("volume km³/yr", 2),
        ],
    )
    for cid in inflow["catchment"].values:
        series = inflow.sel(catchment=cid)
        volume = float(series.sum()) * net.hm3_per_m3s / 1000 / years
        catchments.rows.append(
            [
                str(cid),
                net.tables["catchments"].loc[cid, "to"],
                float(series.mean()),
                float(series.min()),
                float(series.max()),
                volume,
            ]
        )

    demand = net.series["water_demands"]["demand_m3s"]
    demands = ShowTable(
        "water_demands",
        "Water demands",
        [
            Column("demand"),
            Column("node"),
            Column("kind"),
            Column("country"),
            Column("km³/yr", 2),
            Column("return", 0, percent=True),
        ],
    )
    dem = net.tables["water_demands"]
    for did in demand["water_demand"].values:
        row = dem.loc[did]
        volume = float(demand.sel(water_demand=did).sum()) * net.hm3_per_m3s / 1000 / years
        demands.rows.append(
            [str(did), row.node, row.kind, _text(row.country), volume, row.return_fraction]
        )
    return [reservoirs, hydro, catchments, demands]


def _power_tables(net: Network, years: float) -> list[ShowTable]:
    buses = net.tables["buses"]
    if not len(buses):
        return []
    gens, plants = net.tables["generators"], net.tables["hydro_plants"]
    capacity = pd.concat(
        [
            gens.assign(carrier=gens["carrier"])[["bus", "carrier", "capacity_mw"]],
            plants.assign(carrier="hydro")[["bus", "carrier", "capacity_mw"]],
        ]
    )
    carriers = sorted(capacity["carrier"].unique()) if len(capacity) else []
    by_bus = (
        capacity.pivot_table(
            index="bus", columns="carrier", values="capacity_mw", aggfunc="sum", fill_value=0.0
        )
        if len(capacity)
        else None
    )
    load, loads = net.series["loads"]["p_mw"], net.tables["loads"]
    bus_table = ShowTable(
        "buses",
        "Buses: installed MW by carrier and annual load",
        [
            Column("bus"),
            Column("country"),
            *[Column(f"{c} MW", 0) for c in carriers],
            Column("load TWh/yr", 2),
            Column("peak MW", 0),
            Column("VoLL $/MWh", 0),
        ],
    )
    for bus, row in buses.iterrows():
        cells = [bus, _text(row.country)]
        for carrier in carriers:
            value = by_bus.loc[bus, carrier] if by_bus is not None and bus in by_bus.index else 0
            cells.append(float(value))
        ids = loads.index[loads["bus"] == bus]
        bus_load = (
            load.sel(load=list(ids)).sum("load") if len(ids) else load.isel(load=[]).sum("load")
        )
        energy = float(bus_load.sum()) * net.step_hours / 1e6 / years
        cells += [energy, float(bus_load.max()) if len(ids) else 0.0, row.voll_usd_per_mwh]
        bus_table.rows.append(cells)

    lines = net.tables["lines"]
    line_table = ShowTable(
        "lines",
        "Lines",
        [
            Column("line"),
            Column("from"),
            Column("to"),
            Column("capacity MW (max)", 0),
            Column("loss", 1, percent=True),
            Column("available from"),
        ],
    )
    if len(lines):
        cap = net.series["lines"]["capacity_mw"]
        for lid, row in lines.iterrows():
            start = "" if pd.isna(row.available_from) else f"{row.available_from:%Y-%m-%d}"
            line_table.rows.append(
                [lid, row["from"], row.to, float(cap.sel(line=lid).max()), row.loss_fraction, start]
            )
    markets = net.tables["markets"]
    market_table = ShowTable(
        "markets",
        "Markets",
        [
            Column("market"),
            Column("bus"),
            Column("mean price $/MWh", 1),
            Column("max export MW", 0),
            Column("max import MW", 0),
        ],
    )
    if len(markets):
        ms = net.series["markets"]
        for mid, row in markets.iterrows():
            market_table.rows.append(
                [
                    mid,
                    row.bus,
                    float(ms.price_usd_per_mwh.sel(market=mid).mean()),
                    float(ms.max_export_mw.sel(market=mid).max()),
                    float(ms.max_import_mw.sel(market=mid).max()),
                ]
            )
    return [bus_table, line_table, market_table]


def cell_text(value: Any, column: Column) -> str:
    if column.digits is None:
        return _text(value)
    if column.percent:
        return "—" if value is None or np.isnan(value) else f"{value:.{column.digits}%}"
    return _fmt(value, column.digits)


def show_network(net: Network, console: Console) -> None:
    head = f"[bold]{net.name}[/bold]"
    if net.scenario:
        head += f"  scenario [cyan]{net.scenario}[/cyan]"
    console.print(head, highlight=False)
    if net.description:
        console.print(net.description, style="dim")
    console.print(
        f"{net.time[0]:%Y-%m-%d %H:%M} .. {net.run.ends[-1]:%Y-%m-%d %H:%M}, "
        f"{len(net.time)} steps of {net.run.step_label}",
        highlight=False,
    )
    for shown in network_tables(net):
        table = Table(title=shown.title, title_justify="left")
        for i, column in enumerate(shown.columns):
            right = column.digits is not None and i > 0
            table.add_column(column.name, justify="right" if right else "left")
        for row in shown.rows:
            table.add_row(*[cell_text(v, c) for v, c in zip(row, shown.columns, strict=True)])
        print_table(table, console)
