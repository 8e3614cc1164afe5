"""`vakhsh show`: rich tables with counts and key figures per component kind."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from vakhsh.network import Network


def _level_at(curve, storage_hm3: float) -> float:
    if curve is None:
        return float("nan")
    points = np.asarray(curve, dtype=float)
    return float(np.interp(storage_hm3, points[:, 0], points[:, 1]))


def _fmt(value: float, digits: int = 0) -> str:
    return "—" if value is None or (isinstance(value, float) and np.isnan(value)) \
        else f"{value:,.{digits}f}"


def show_network(net: Network, console: Console) -> None:
    hours = net.step_hours
    years = len(net.time) * hours / 8760
    head = f"[bold]{net.name}[/bold]"
    if net.scenario:
        head += f"  scenario [cyan]{net.scenario}[/cyan]"
    console.print(head, highlight=False)
    if net.description:
        console.print(net.description, style="dim")
    console.print(f"{net.time[0]:%Y-%m-%d %H:%M} .. {net.run.ends[-1]:%Y-%m-%d %H:%M}, "
                  f"{len(net.time)} steps of {net.run.step_label}", highlight=False)

    counts = Table(title="Components", title_justify="left")
    counts.add_column("kind")
    counts.add_column("count", justify="right")
    for kind, n in net.summary_counts().items():
        counts.add_row(kind.replace("_", " "), str(n))
    counts.add_row("candidates", str(len(net.candidates)))
    console.print(counts)

    res = net.tables["reservoirs"]
    if len(res):
        table = Table(title="Reservoirs", title_justify="left")
        for col in ("reservoir", "storage min hm³", "storage max hm³", "live hm³",
                    "initial hm³", "level at min m", "level at max m", "plants MW"):
            table.add_column(col, justify="left" if col == "reservoir" else "right")
        plants = net.tables["hydro_plants"]
        for rid, row in res.iterrows():
            mw = plants.loc[plants["reservoir"] == rid, "capacity_mw"].sum()
            table.add_row(rid, _fmt(row.storage_min_hm3), _fmt(row.storage_max_hm3),
                          _fmt(row.storage_max_hm3 - row.storage_min_hm3),
                          _fmt(row.storage_initial_hm3),
                          _fmt(_level_at(row.level_curve, row.storage_min_hm3), 1),
                          _fmt(_level_at(row.level_curve, row.storage_max_hm3), 1),
                          _fmt(mw))
        console.print(table)

    plants = net.tables["hydro_plants"]
    if len(plants):
        table = Table(title="Hydropower plants", title_justify="left")
        for col in ("plant", "site", "bus", "capacity MW", "max flow m³/s", "efficiency",
                    "head", "available from"):
            table.add_column(col, justify="left" if col in ("plant", "site", "bus", "head",
                                                             "available from") else "right")
        for pid, row in plants.iterrows():
            site = row.reservoir if isinstance(row.reservoir, str) else f"{row.node} (RoR)"
            head = (f"{row.head_m:g} m fixed" if pd.notna(row.head_m)
                    else f"tailwater {row.tailwater_masl:g} m")
            start = "" if pd.isna(row.available_from) else f"{row.available_from:%Y-%m-%d}"
            table.add_row(pid, site, row.bus, _fmt(row.capacity_mw),
                          _fmt(row.max_flow_m3s), f"{row.efficiency:.2f}", head, start)
        console.print(table)

    inflow = net.series["catchments"]["inflow_m3s"]
    if inflow.sizes["catchment"]:
        table = Table(title="Catchments (natural inflow over the run)", title_justify="left")
        for col in ("catchment", "enters at", "mean m³/s", "min m³/s", "max m³/s",
                    "volume km³/yr"):
            table.add_column(col, justify="left" if col in ("catchment", "enters at")
                             else "right")
        for cid in inflow["catchment"].values:
            series = inflow.sel(catchment=cid)
            volume = float(series.sum()) * net.hm3_per_m3s / 1000 / years
            table.add_row(cid, net.tables["catchments"].loc[cid, "to"],
                          _fmt(float(series.mean()), 1), _fmt(float(series.min()), 1),
                          _fmt(float(series.max()), 1), _fmt(volume, 2))
        console.print(table)

    demand = net.series["water_demands"]["demand_m3s"]
    if demand.sizes["water_demand"]:
        table = Table(title="Water demands", title_justify="left")
        for col in ("demand", "node", "kind", "country", "km³/yr", "return"):
            table.add_column(col, justify="right" if col in ("km³/yr", "return") else "left")
        dem = net.tables["water_demands"]
        for did in demand["water_demand"].values:
            row = dem.loc[did]
            volume = float(demand.sel(water_demand=did).sum()) * net.hm3_per_m3s / 1000 / years
            table.add_row(did, row.node, row.kind, row.country or "", _fmt(volume, 2),
                          f"{row.return_fraction:.0%}")
        console.print(table)

    _show_power(net, console, years)


def _show_power(net: Network, console: Console, years: float) -> None:
    buses = net.tables["buses"]
    if not len(buses):
        return
    gens = net.tables["generators"]
    plants = net.tables["hydro_plants"]
    capacity = pd.concat([
        gens.assign(carrier=gens["carrier"])[["bus", "carrier", "capacity_mw"]],
        plants.assign(carrier="hydro")[["bus", "carrier", "capacity_mw"]],
    ])
    carriers = sorted(capacity["carrier"].unique()) if len(capacity) else []
    by_bus = capacity.pivot_table(index="bus", columns="carrier", values="capacity_mw",
                                  aggfunc="sum", fill_value=0.0) if len(capacity) else None
    load = net.series["loads"]["p_mw"]
    loads = net.tables["loads"]
    table = Table(title="Buses: installed MW by carrier and annual load", title_justify="left")
    table.add_column("bus")
    table.add_column("country")
    for carrier in carriers:
        table.add_column(f"{carrier} MW", justify="right")
    table.add_column("load TWh/yr", justify="right")
    table.add_column("peak MW", justify="right")
    table.add_column("VoLL $/MWh", justify="right")
    for bus, row in buses.iterrows():
        cells = [bus, row.country or ""]
        for carrier in carriers:
            value = by_bus.loc[bus, carrier] if by_bus is not None and bus in by_bus.index else 0
            cells.append(_fmt(float(value)))
        ids = loads.index[loads["bus"] == bus]
        bus_load = load.sel(load=list(ids)).sum("load") if len(ids) else load.isel(load=[]).sum(
            "load")
        energy = float(bus_load.sum()) * net.step_hours / 1e6 / years
        cells += [_fmt(energy, 2), _fmt(float(bus_load.max()) if len(ids) else 0.0),
                  _fmt(row.voll_usd_per_mwh)]
        table.add_row(*cells)
    console.print(table)

    lines = net.tables["lines"]
    if len(lines):
        cap = net.series["lines"]["capacity_mw"]
        table = Table(title="Lines", title_justify="left")
        for col in ("line", "from", "to", "capacity MW (max)", "loss", "available from"):
            table.add_column(col)
        for lid, row in lines.iterrows():
            start = "" if pd.isna(row.available_from) else f"{row.available_from:%Y-%m-%d}"
            table.add_row(lid, row["from"], row.to, _fmt(float(cap.sel(line=lid).max())),
                          f"{row.loss_fraction:.1%}", start)
        console.print(table)
    markets = net.tables["markets"]
    if len(markets):
        ms = net.series["markets"]
        table = Table(title="Markets", title_justify="left")
        for col in ("market", "bus", "mean price $/MWh", "max export MW", "max import MW"):
            table.add_column(col)
        for mid, row in markets.iterrows():
            table.add_row(mid, row.bus, _fmt(float(ms.price_usd_per_mwh.sel(market=mid).mean()),
                                             1),
                          _fmt(float(ms.max_export_mw.sel(market=mid).max())),
                          _fmt(float(ms.max_import_mw.sel(market=mid).max())))
        console.print(table)
