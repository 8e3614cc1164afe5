"""vakhsh's own chained-reservoir pattern, read back from a PyPSA network it exported.

`vakhsh export pypsa` marks the network (`n.meta["vakhsh"]`, `EXPORT_MARK`) and writes
the water side as described in `vakhsh.interop.export`: water buses (carrier `water`) in
m3/s, Stores in (m3/s)*h, Links for turbines (`hydro`), spill, reaches, minimum releases
and withdrawals, Generators for inflows, outflows and shortages, Loads for evaporation,
demands and minimum inflows. This module maps each back from the values in the network
(so a PyPSA user's edits carry over), at fixed head:

- a water bus with a `water` Store -> reservoir (`e_nom`, `e_initial`, `e_min_pu`: the
  minimum, its last step the end target; times 0.0036 hm3 per (m3/s)*h); its `spill`
  Link -> `spill_to` and `spill_cost_usd_per_hm3`; a `release` Link to `{id}_release`
  -> `min_release_m3s`; an `evaporation` Load -> a flat `area_curve` and the
  `evaporation_mm_per_month` that give the same hm3 per step;
- a water bus with an `outflow` Generator -> sink (a `min_inflow` Load, a `shortfall`
  Generator's price); any other water bus -> junction;
- an `inflow` Generator (fixed, `p_min_pu = p_max_pu`) -> catchment;
- a `hydro` Link (bus0 the reservoir, its release bus or a junction; bus1 the power bus;
  bus2 below) -> hydro plant with `head_m = efficiency / 9.81e-3` and efficiency 1 (only
  their product, MW per m3/s, is in the network), `max_flow_m3s = p_nom`,
  `capacity_factor = p_max_pu`;
- a `reach` Link -> reach (no delay: PyPSA links have none);
- a `withdrawal` Link to `{id}_delivered` -> water demand (its Load, its `shortage`
  Generator's price, `bus2` and `efficiency2` as `return_to`, `return_fraction`);
- an `unserved` Generator `{bus}_unserved` -> the bus's `voll_usd_per_mwh`.

Anything else on a water bus is an error naming component and attribute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HM3_PER_M3S_HOUR = 3600 / 1e6
G_MW = 9.81e-3
WATER = "water"
EXPORT_MARK = "vakhsh"  # n.meta key written by vakhsh.interop.export
MAX_EVAPORATION_MM = 400.0  # the flat area is chosen so every month stays below this


def is_vakhsh_export(n) -> bool:
    return isinstance(getattr(n, "meta", None), dict) and EXPORT_MARK in n.meta


def water_buses(n) -> list[str]:
    carrier = n.buses["carrier"].fillna("").astype(str) if "carrier" in n.buses else None
    return [] if carrier is None else list(n.buses.index[carrier == WATER])


class WaterReader:
    """Reads the water side of an exported network into a translator's model."""

    def __init__(self, t, n, time: dict):
        self.t, self.n, self.time = t, n, time
        self.hours = float(time["hours"])
        self.k = HM3_PER_M3S_HOUR * self.hours  # hm3 per m3/s over one step
        self.water = set(water_buses(n))
        self.used: dict[str, list[str]] = {}  # PyPSA component -> names read here

    # ---- helpers ----
    def _use(self, component: str, names) -> None:
        self.used.setdefault(component, []).extend(str(x) for x in names)

    def _dense(self, component: str, attr: str, names) -> pd.DataFrame:
        return self.n.get_switchable_as_dense(component, attr).reindex(columns=list(names))

    def _of(self, table: pd.DataFrame, carrier: str, bus_attr: str = "bus") -> pd.DataFrame:
        on_water = table[bus_attr].isin(self.water) if bus_attr else True
        return table[(table["carrier"].fillna("").astype(str) == carrier) & on_water]

    def _id(self, component: str, name: str) -> str:
        return self.t.new_id(component, name)

    # ---- the whole side ----
    def read(self, buses: dict[str, str]) -> dict[str, list[str]]:
        n, t = self.n, self.t
        gens, links, stores = n.generators, n.links, n.stores
        release = self._of(links, "release", "bus0")
        delivered = set(self._of(links, "withdrawal", "bus0")["bus1"])
        release_of = dict(zip(release["bus1"], release.index.map(str), strict=True))
        reservoir_stores = self._of(stores, WATER)
        sinks = self._of(gens, "outflow")
        node_buses = [b for b in self.water if b not in release_of and b not in delivered]
        reservoirs = {str(b) for b in reservoir_stores["bus"]}
        sink_buses = {str(b) for b in sinks["bus"]}
        ids = {b: self._id("Bus", b) for b in sorted(node_buses)}
        self._use("Bus", self.water)
        t.model["junctions"] = {
            ids[b]: {} for b in sorted(node_buses) if b not in reservoirs and b not in sink_buses
        }
        site = {
            rb: ids[link_bus0]
            for rb, link_bus0 in zip(release["bus1"], release["bus0"], strict=True)
        }
        site.update(ids)
        self._reservoirs(reservoir_stores, release, ids)
        self._sinks(sinks, ids)
        self._catchments(ids)
        self._plants(site, ids, buses)
        self._reaches(ids)
        self._demands(ids)
        self._unserved(buses)
        self._leftovers()
        return self.used

    def _reservoirs(self, stores: pd.DataFrame, release: pd.DataFrame, ids: dict) -> None:
        n, t = self.n, self.t
        if not len(stores):
            return
        e_min = self._dense("Store", "e_min_pu", stores.index)
        e_max = self._dense("Store", "e_max_pu", stores.index)
        spills = self._of(n.links, "spill", None)
        evaporation = self._of(n.loads, "evaporation")
        p_evap = self._dense("Load", "p_set", evaporation.index)
        section = {}
        for name, row in stores.iterrows():
            rid = ids[row["bus"]]
            low = e_min[name].to_numpy()
            if not np.all(e_max[name].to_numpy() == 1) or not np.all(low[:-1] == low[0]):
                t.bad(
                    "stores",
                    name,
                    "e_min_pu",
                    "a water Store of vakhsh's export keeps "
                    "e_max_pu 1 and one e_min_pu (its last step the end target)",
                )
                continue
            top = float(row["e_nom"]) * HM3_PER_M3S_HOUR
            fields = {
                "storage_min_hm3": top * low[0],
                "storage_max_hm3": top,
                "storage_initial_hm3": float(row["e_initial"]) * HM3_PER_M3S_HOUR,
                "storage_final_min_hm3": top * low[-1],
            }
            source = row["bus"]
            mine = release[release["bus0"] == row["bus"]]
            if len(mine):
                link = mine.index[0]
                source = mine.loc[link, "bus1"]
                minimum = (
                    float(mine.loc[link, "p_nom"])
                    * self._dense("Link", "p_min_pu", [link])[link].to_numpy()
                )
                fields["min_release_m3s"] = t.value("reservoirs", "min_release_m3s", rid, minimum)
                self._use("Link", [link])
            spill = spills[spills["bus0"] == source]
            if len(spill) != 1:
                t.bad(
                    "stores",
                    name,
                    "bus",
                    f"a reservoir of vakhsh's export has one spill Link from {source}",
                    len(spill),
                )
                continue
            fields["spill_to"] = ids.get(spill["bus1"].iloc[0], spill["bus1"].iloc[0])
            fields["spill_cost_usd_per_hm3"] = (
                float(spill["marginal_cost"].iloc[0]) / HM3_PER_M3S_HOUR
            )
            self._use("Link", spill.index)
            evap = evaporation[evaporation["bus"] == row["bus"]]
            if len(evap):
                hm3 = p_evap[evap.index].sum(axis=1).to_numpy() * self.k
                area, mm = self._evaporation(name, hm3)
                if mm is not None:
                    fields["area_curve"] = [[fields["storage_min_hm3"], area], [top, area]]
                    fields["evaporation_mm_per_month"] = mm
                self._use("Load", evap.index)
            self._use("Store", [name])
            section[rid] = {
                key: (float(v) if isinstance(v, np.floating) else v) for key, v in fields.items()
            }
        self.t.model["reservoirs"] = section

    def _evaporation(self, store: str, hm3: np.ndarray):
        """A flat area and the monthly depths that give `hm3` per step (vakhsh spreads a
        month's depth over its steps by hours); None if the series is not of that form."""
        stamps = pd.DatetimeIndex(
            [self.time["start"] + i * self.time["delta"] for i in range(len(hm3))]
        )
        month_hours = stamps.days_in_month.to_numpy() * 24.0
        per_month = hm3 * month_hours / self.hours  # hm3 the month would see in full
        depth = np.zeros(12)
        for month in range(1, 13):
            values = per_month[stamps.month == month]
            if not len(values):
                continue
            if not np.allclose(values, values[0], rtol=1e-9, atol=1e-12):
                self.t.bad(
                    "loads",
                    f"{store}_evaporation",
                    "p_set",
                    "evaporation that is "
                    "not one depth per calendar month has no vakhsh counterpart",
                )
                return None, None
            depth[month - 1] = values[0]
        area = max(1.0, float(depth.max()) * 1e3 / MAX_EVAPORATION_MM)  # km2; hm3/km2 = m
        return area, [float(d / area * 1e3) for d in depth]

    def _sinks(self, sinks: pd.DataFrame, ids: dict) -> None:
        n, t = self.n, self.t
        section = {}
        minimum = self._of(n.loads, "min_inflow")
        shortfall = self._of(n.generators, "shortfall")
        p_min = self._dense("Load", "p_set", minimum.index)
        for name, row in sinks.iterrows():
            sid = ids[row["bus"]]
            fields: dict = {}
            mine = minimum[minimum["bus"] == row["bus"]]
            if len(mine):
                fields["min_inflow_m3s"] = t.value(
                    "sinks", "min_inflow_m3s", sid, p_min[mine.index].sum(axis=1).to_numpy()
                )
                self._use("Load", mine.index)
            priced = shortfall[shortfall["bus"] == row["bus"]]
            if len(priced):
                fields["shortfall_cost_usd_per_hm3"] = (
                    float(priced["marginal_cost"].iloc[0]) / HM3_PER_M3S_HOUR
                )
                self._use("Generator", priced.index)
            self._use("Generator", [name])
            section[sid] = fields
        t.model["sinks"] = section

    def _catchments(self, ids: dict) -> None:
        t = self.t
        gens = self._of(self.n.generators, "inflow")
        if not len(gens):
            return
        high = self._dense("Generator", "p_max_pu", gens.index)
        low = self._dense("Generator", "p_min_pu", gens.index)
        section = {}
        for name, row in gens.iterrows():
            if not np.allclose(high[name], low[name], rtol=0, atol=0):
                t.bad(
                    "generators",
                    name,
                    "p_min_pu",
                    "an inflow of vakhsh's export is fixed (p_min_pu = p_max_pu)",
                )
                continue
            cid = self._id("Generator", name)
            section[cid] = {
                "to": ids[row["bus"]],
                "inflow_m3s": t.value(
                    "catchments", "inflow_m3s", cid, float(row["p_nom"]) * high[name].to_numpy()
                ),
            }
            self._use("Generator", [name])
        t.model["catchments"] = section

    def _plants(self, site: dict, ids: dict, buses: dict[str, str]) -> None:
        t, n = self.t, self.n
        links = self._of(n.links, "hydro", "bus0")
        if not len(links):
            return
        reservoirs = set(t.model.get("reservoirs", {}))
        varying = n.links_t.get("efficiency", pd.DataFrame())
        pu = self._dense("Link", "p_max_pu", links.index)
        section = {}
        for name, row in links.iterrows():
            if name in varying.columns:
                t.bad(
                    "links",
                    name,
                    "efficiency",
                    "a turbine whose MW per m3/s changes in time has no fixed-head counterpart",
                )
                continue
            if row["bus1"] not in buses or row.get("bus2", "") not in ids:
                t.bad(
                    "links",
                    name,
                    "bus2",
                    "a turbine of vakhsh's export runs from water "
                    "(bus0) to a power bus (bus1) and water below (bus2)",
                    row.get("bus2"),
                )
                continue
            pid = self._id("Link", name)
            at = site[row["bus0"]]
            mw_per_m3s, flow = float(row["efficiency"]), float(row["p_nom"])
            fields = {
                ("reservoir" if at in reservoirs else "node"): at,
                "to": ids[row["bus2"]],
                "bus": buses[row["bus1"]],
                "capacity_mw": flow * mw_per_m3s,
                "max_flow_m3s": flow,
                "efficiency": 1.0,
                "head_m": mw_per_m3s / G_MW,
            }
            factor = pu[name].to_numpy()
            if (factor != 1).any():
                fields["capacity_factor"] = t.value("hydro_plants", "capacity_factor", pid, factor)
            section[pid] = fields
            self._use("Link", [name])
        t.model["hydro_plants"] = section

    def _reaches(self, ids: dict) -> None:
        t = self.t
        links = self._of(self.n.links, "reach", "bus0")
        if not len(links):
            return
        high = self._dense("Link", "p_max_pu", links.index)
        low = self._dense("Link", "p_min_pu", links.index)
        section = {}
        unbounded = self.n.meta[EXPORT_MARK].get("unbounded_m3s") or np.inf
        for name, row in links.iterrows():
            rid = self._id("Link", name)
            p_nom = float(row["p_nom"])
            upper = p_nom * high[name].to_numpy()
            fields = {
                "from": ids[row["bus0"]],
                "to": ids[row["bus1"]],
                "loss_fraction": 1.0 - float(row["efficiency"]),
                "min_flow_m3s": t.value(
                    "reaches", "min_flow_m3s", rid, p_nom * low[name].to_numpy()
                ),
            }
            if (upper < unbounded).any():  # the export's stand-in for "no limit" is none
                fields["max_flow_m3s"] = t.value("reaches", "max_flow_m3s", rid, upper)
            section[rid] = fields
            self._use("Link", [name])
        t.model["reaches"] = section

    def _demands(self, ids: dict) -> None:
        t, n = self.t, self.n
        links = self._of(n.links, "withdrawal", "bus0")
        if not len(links):
            return
        loads = self._of(n.loads, "demand")
        shortage = self._of(n.generators, "shortage")
        p_set = self._dense("Load", "p_set", loads.index)
        section = {}
        for name, row in links.iterrows():
            at = row["bus1"]
            mine, short = loads[loads["bus"] == at], shortage[shortage["bus"] == at]
            if len(short) != 1:
                t.bad(
                    "links",
                    name,
                    "bus1",
                    "a withdrawal of vakhsh's export delivers to a bus with one shortage Generator",
                    at,
                )
                continue
            did = self._id("Link", name)
            fields = {
                "node": ids[row["bus0"]],
                "demand_m3s": t.value(
                    "water_demands", "demand_m3s", did, p_set[mine.index].sum(axis=1).to_numpy()
                ),
                "shortage_cost_usd_per_hm3": float(short["marginal_cost"].iloc[0])
                / HM3_PER_M3S_HOUR,
            }
            back = str(row.get("bus2", "") or "")
            if back and float(row.get("efficiency2", 0.0)) > 0:
                fields.update(return_to=ids[back], return_fraction=float(row["efficiency2"]))
            section[did] = fields
            self._use("Link", [name])
            self._use("Load", mine.index)
            self._use("Generator", short.index)
        t.model["water_demands"] = section

    def _unserved(self, buses: dict[str, str]) -> None:
        gens = self.n.generators
        unserved = gens[gens["carrier"].fillna("").astype(str) == "unserved"]
        self.voll = {}
        for name, row in unserved.iterrows():
            if str(name) == f"{row['bus']}_unserved":
                self.voll[row["bus"]] = float(row["marginal_cost"])
                self._use("Generator", [name])

    def _leftovers(self) -> None:
        """Whatever touches a water bus and was not read is an error, by name."""
        n, t = self.n, self.t
        for component, table, ports in (
            ("Generator", n.generators, ("bus",)),
            ("Load", n.loads, ("bus",)),
            ("Store", n.stores, ("bus",)),
            ("StorageUnit", n.storage_units, ("bus",)),
            ("Line", n.lines, ("bus0", "bus1")),
            (
                "Link",
                n.links,
                tuple(c for c in n.links.columns if c[:3] == "bus" and c[3:].isdigit()),
            ),
        ):
            used = set(self.used.get(component, []))
            for name, row in table.iterrows():
                if str(name) in used:
                    continue
                for port in ports:
                    if row.get(port) in self.water:
                        t.bad(
                            table_name(component),
                            name,
                            port,
                            "touches a water bus but is "
                            "none of the components vakhsh's export writes there "
                            f"(carrier {row.get('carrier')!r})",
                            row.get(port),
                        )
                        break


def table_name(component: str) -> str:
    return {
        "Generator": "generators",
        "Load": "loads",
        "Store": "stores",
        "StorageUnit": "storage_units",
        "Line": "lines",
        "Link": "links",
    }[component]
