"""A vakhsh Network as a PyPSA network at fixed head (`to_pypsa`).

The power side maps one to one: buses, generators, loads, storage units, lines (with
`x_ohm`: PyPSA Lines, so PyPSA writes the same KVL; without: Links) and markets (a
Generator that may run negative, priced at the market price both ways). Unserved energy
is a Generator at the bus's VoLL bounded by the load.

The water side uses PyPSA's chained-reservoir pattern, at the head vakhsh's fixed-head
LP uses (`vakhsh.solve.head.fixed_parameters`). Water buses (carrier `water`) carry m3/s;
a Store holds (m3/s)*h (`storage_hm3 / 0.0036`):

- reservoir: a water bus and a Store (`e_min_pu` the minimum, the last step the end
  target); with a minimum release, turbines and spill draw from a second bus
  `{id}_release` fed by a Link whose `p_min_pu` is the minimum;
- junction: a water bus; sink: a water bus whose outflow Generator takes any water
  (`p_min_pu -1`), with a Load of its minimum inflow (and a shortfall Generator at the
  shortfall cost when it is priced);
- catchment: a Generator fixed at the inflow (`p_min_pu = p_max_pu`);
- hydro plant: a three-port Link: bus0 its reservoir (or junction), bus1 its power bus
  with `efficiency` MW per m3/s (`9.81e-3 * efficiency * head_m`), bus2 the node below
  (`efficiency2` 1); `p_nom` the flow limit, both limits folded into it per step;
- spill: a Link to `spill_to` at the spill cost; reach: a Link with efficiency
  `1 - loss_fraction` and its flow limits; water demand: a Link to a delivery bus
  `{id}_delivered` (a Load of the demand, a shortage Generator at the shortage cost)
  with bus2 `return_to` at `return_fraction`; evaporation: a Load on the reservoir bus.

Water costs per hm3 become costs per (m3/s)*h: times 0.0036. Links and Generators that
vakhsh leaves unbounded get `p_nom` = all the water the system can move in a step (every
catchment's peak inflow plus every reservoir emptied in one step), a bound that cannot
bind. Snapshot weightings are the step's hours, so PyPSA's objective is vakhsh's in USD.

What has no counterpart raises `ExportError` naming the component and field: reaches
with delays or priced shortfalls, lines with KVL and losses or direction limits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vakhsh.errors import ModelError, Problem
from vakhsh.interop.water_import import EXPORT_MARK
from vakhsh.network import Network
from vakhsh.solve.head import fixed_parameters

G_MW = 9.81e-3  # MW per (m3/s * m) at efficiency 1 (FORMAT.md)
HM3_PER_M3S_HOUR = 3600 / 1e6  # 1 m3/s for one hour is 0.0036 hm3
WATER = "water"


class ExportError(ModelError):
    """A model that PyPSA cannot represent as vakhsh solves it."""


def _frame(net: Network, kind: str, field: str, ids=None) -> pd.DataFrame:
    data = net.series[kind][field].transpose("time", net.dim(kind)).to_pandas()
    data.index = pd.DatetimeIndex(net.time, name="snapshot")
    return data if ids is None else data[list(ids)]


def _active(net: Network, kind: str) -> pd.DataFrame:
    frame = net.active(kind).transpose("time", net.dim(kind)).to_pandas().astype(float)
    frame.index = pd.DatetimeIndex(net.time, name="snapshot")
    return frame


def _per_unit(values: pd.DataFrame, floor: float = 1e-9) -> tuple[pd.Series, pd.DataFrame]:
    """A nominal value per column (its peak, at least `floor`) and the series over it."""
    nominal = values.max().clip(lower=floor)
    return nominal, values / nominal


def to_pypsa(net: Network, name: str | None = None):
    """The Network as a `pypsa.Network` whose optimum is vakhsh's fixed-head optimum."""
    import pypsa

    problems = unsupported(net)
    if problems:
        raise ExportError(problems)
    n = pypsa.Network(name=name or net.name)
    n.set_snapshots(pd.DatetimeIndex(net.time, name="snapshot"))
    n.snapshot_weightings.loc[:, :] = float(net.step_hours)
    builder = _Builder(net, n)
    builder.power()
    builder.water()
    carriers = set()
    for component in ("buses", "generators", "links", "lines", "stores", "storage_units", "loads"):
        table = getattr(n, component)
        if "carrier" in table and len(table):
            carriers |= set(table["carrier"].dropna().astype(str))
    carriers.discard("")
    n.add("Carrier", sorted(carriers))
    # the mark by which `vakhsh import pypsa` reads the water side back (water_import)
    n.meta = {
        EXPORT_MARK: {
            "pattern": "chained-reservoir",
            "head": "fixed",
            "water_unit": "m3/s",
            "store_unit": "(m3/s)*h",
            "version": _version(),
            # the bound that stands for "no limit" on water links
            "unbounded_m3s": getattr(builder, "big", None),
        }
    }
    return n


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("vakhsh")
    except PackageNotFoundError:
        return "unknown"


def unsupported(net: Network) -> list[Problem]:
    """What the export cannot carry, field by field."""
    file = "model.yaml"
    problems = []
    reaches = net.tables["reaches"]
    for rid, row in reaches.iterrows():
        if row["delay_steps"]:
            problems.append(
                Problem(
                    file,
                    f"reaches.{rid}.delay_steps",
                    "PyPSA links have no delay: only reaches without delay export",
                    row["delay_steps"],
                )
            )
        if (
            pd.notna(row["shortfall_cost_usd_per_hm3"])
            and float(net.series["reaches"]["min_flow_m3s"].sel(reach=rid).max()) > 0
        ):
            problems.append(
                Problem(
                    file,
                    f"reaches.{rid}.shortfall_cost_usd_per_hm3",
                    "a priced reach minimum has no PyPSA counterpart",
                )
            )
    lines = net.tables["lines"]
    for lid, row in lines[lines["x_ohm"].notna()].iterrows():
        forward = net.series["lines"]["capacity_mw"].sel(line=lid).values
        backward = net.series["lines"]["capacity_backward_mw"].sel(line=lid).values
        if row["loss_fraction"] > 0:
            problems.append(
                Problem(
                    file,
                    f"lines.{lid}.loss_fraction",
                    "a PyPSA Line (with x_ohm) is lossless",
                    row["loss_fraction"],
                )
            )
        if np.isfinite(backward).any() and not np.allclose(backward, forward):
            problems.append(
                Problem(
                    file,
                    f"lines.{lid}.capacity_backward_mw",
                    "a PyPSA Line (with x_ohm) has one limit both ways",
                )
            )
        if float(net.series["lines"]["min_flow_mw"].sel(line=lid).max()) > 0:
            problems.append(
                Problem(
                    file,
                    f"lines.{lid}.min_flow_mw",
                    "a PyPSA Line (with x_ohm) has no minimum flow",
                )
            )
    if len(net.candidates):
        pass  # candidates are for planning; vakhsh run ignores them and so does the export
    return problems


class _Builder:
    def __init__(self, net: Network, n):
        self.net, self.n = net, n
        self.h = float(net.step_hours)
        self.k = net.hm3_per_m3s  # hm3 per m3/s over one step
        self.params = fixed_parameters(net)

    # ------------------------------------------------------------------ power
    def power(self) -> None:
        net, n = self.net, self.n
        buses = net.tables["buses"]
        if len(buses):
            v_nom = buses["v_nom_kv"].astype(float).fillna(1.0)
            n.add("Bus", buses.index, carrier="AC", v_nom=v_nom.to_numpy())
        self._generators()
        self._loads_and_unserved()
        self._storage_units()
        self._lines()
        self._markets()

    def _generators(self) -> None:
        net, n = self.net, self.n
        gens = net.tables["generators"]
        if not len(gens):
            return
        active = _active(net, "generators")
        cost = _frame(net, "generators", "marginal_cost_usd_per_mwh")
        varying = cost.nunique() > 1
        n.add(
            "Generator",
            gens.index,
            bus=gens["bus"].to_numpy(),
            carrier=gens["carrier"].to_numpy(),
            p_nom=gens["capacity_mw"].to_numpy(),
            p_max_pu=_frame(net, "generators", "capacity_factor") * active,
            p_min_pu=_frame(net, "generators", "min_capacity_factor") * active,
            marginal_cost=cost.iloc[0].to_numpy(),
        )
        if varying.any():
            n.generators_t.marginal_cost = cost.loc[:, varying]

    def _loads_and_unserved(self) -> None:
        net, n = self.net, self.n
        loads = net.tables["loads"]
        if not len(loads):
            return
        p = _frame(net, "loads", "p_mw")
        n.add("Load", loads.index, bus=loads["bus"].to_numpy(), p_set=p)
        by_bus = p.T.groupby(loads["bus"].loc[p.columns].to_numpy()).sum().T
        by_bus = by_bus.loc[:, by_bus.max() > 0]
        if by_bus.shape[1]:
            nominal, pu = _per_unit(by_bus)
            ids = [f"{b}_unserved" for b in by_bus.columns]
            n.add(
                "Generator",
                ids,
                bus=list(by_bus.columns),
                carrier="unserved",
                p_nom=nominal.to_numpy(),
                marginal_cost=net.tables["buses"]
                .loc[by_bus.columns, "voll_usd_per_mwh"]
                .to_numpy(),
                p_max_pu=pu.set_axis(ids, axis=1),
            )

    def _storage_units(self) -> None:
        from vakhsh.math.power import storage_efficiencies

        net, n = self.net, self.n
        units = net.tables["storage_units"]
        if not len(units):
            return
        store, dispatch = (e.to_pandas() for e in storage_efficiencies(net))
        active = _active(net, "storage_units")
        inflow = _frame(net, "storage_units", "inflow_mw")
        cyclic = units["soc_cyclic"].fillna(False).astype(bool)
        # PyPSA's StorageUnit keeps 0 <= soc <= max_hours * p_nom and has no end target:
        # a unit with a floor or an end target goes as a Store between two Links
        plain = (units["soc_min_mwh"] <= 0) & (units["soc_final_min_mwh"] <= 0)
        su = units[plain]
        if len(su):
            ids = list(su.index)
            n.add(
                "StorageUnit",
                ids,
                bus=su["bus"].to_numpy(),
                carrier="storage",
                p_nom=su["power_mw"].to_numpy(),
                max_hours=(
                    su["energy_mwh"] / su["power_mw"].where(su["power_mw"] > 0, 1)
                ).to_numpy(),
                efficiency_store=store[ids].to_numpy(),
                efficiency_dispatch=dispatch[ids].to_numpy(),
                state_of_charge_initial=su["soc_initial_mwh"].to_numpy(),
                cyclic_state_of_charge=cyclic[ids].to_numpy(),
                p_max_pu=active[ids],
                p_min_pu=-active[ids],
                inflow=inflow[ids],
            )
        rest = units[~plain]
        for uid, row in rest.iterrows():  # units with a floor: a few, not steps
            bus = f"{uid}_store"
            n.add("Bus", bus, carrier="storage")
            e_min = pd.Series(row["soc_min_mwh"], index=n.snapshots)
            e_min.iloc[-1] = max(row["soc_min_mwh"], row["soc_final_min_mwh"])
            e_nom = max(float(row["energy_mwh"]), 1e-9)
            n.add(
                "Store",
                uid,
                bus=bus,
                carrier="storage",
                e_nom=e_nom,
                e_initial=float(row["soc_initial_mwh"]),
                e_cyclic=bool(cyclic[uid]),
                e_min_pu=e_min / e_nom,
            )
            n.add(
                "Link",
                f"{uid}_charge",
                bus0=row["bus"],
                bus1=bus,
                carrier="storage",
                p_nom=row["power_mw"],
                efficiency=float(store[uid]),
                p_max_pu=active[uid],
            )
            n.add(
                "Link",
                f"{uid}_discharge",
                bus0=bus,
                bus1=row["bus"],
                carrier="storage",
                p_nom=row["power_mw"] / float(dispatch[uid]),
                efficiency=float(dispatch[uid]),
                p_max_pu=active[uid],
            )
            if float(inflow[uid].max()) > 0:
                nominal = float(inflow[uid].max())
                n.add(
                    "Generator",
                    f"{uid}_inflow",
                    bus=bus,
                    carrier="inflow",
                    p_nom=nominal,
                    p_max_pu=inflow[uid] / nominal,
                )

    def _lines(self) -> None:
        net, n = self.net, self.n
        lines = net.tables["lines"]
        if not len(lines):
            return
        active = _active(net, "lines")
        forward = _frame(net, "lines", "capacity_mw") * active
        backward = _frame(net, "lines", "capacity_backward_mw")
        backward = backward.where(np.isfinite(backward), _frame(net, "lines", "capacity_mw"))
        backward = backward * active
        minimum = _frame(net, "lines", "min_flow_mw") * active
        ac = lines[lines["x_ohm"].notna()]
        if len(ac):
            ids = list(ac.index)
            nominal, pu = _per_unit(forward[ids])
            n.add(
                "Line",
                ids,
                bus0=ac["from"].to_numpy(),
                bus1=ac["to"].to_numpy(),
                carrier="AC",
                s_nom=nominal.to_numpy(),
                s_max_pu=pu,
                x=ac["x_ohm"].to_numpy(dtype=float),
                r=ac["r_ohm"].astype(float).fillna(0.0).to_numpy(),
            )
        links = lines[lines["x_ohm"].isna()]
        symmetric = [
            lid
            for lid in links.index
            if links.loc[lid, "loss_fraction"] == 0
            and np.allclose(forward[lid], backward[lid])
            and float(minimum[lid].max()) == 0
        ]
        if symmetric:
            nominal, pu = _per_unit(forward[symmetric])
            n.add(
                "Link",
                symmetric,
                bus0=links.loc[symmetric, "from"].to_numpy(),
                bus1=links.loc[symmetric, "to"].to_numpy(),
                carrier="DC",
                p_nom=nominal.to_numpy(),
                p_max_pu=pu,
                p_min_pu=-pu,
                efficiency=1.0,
            )
        one_way = [lid for lid in links.index if lid not in symmetric]
        if one_way:
            keep = (1.0 - links.loc[one_way, "loss_fraction"]).to_numpy()
            nominal, pu = _per_unit(forward[one_way])
            low = minimum[one_way] / nominal
            n.add(
                "Link",
                [f"{lid}_forward" for lid in one_way],
                bus0=links.loc[one_way, "from"].to_numpy(),
                bus1=links.loc[one_way, "to"].to_numpy(),
                carrier="DC",
                p_nom=nominal.to_numpy(),
                efficiency=keep,
                p_max_pu=pu.set_axis([f"{lid}_forward" for lid in one_way], axis=1),
                p_min_pu=low.set_axis([f"{lid}_forward" for lid in one_way], axis=1),
            )
            nominal, pu = _per_unit(backward[one_way])
            n.add(
                "Link",
                [f"{lid}_backward" for lid in one_way],
                bus0=links.loc[one_way, "to"].to_numpy(),
                bus1=links.loc[one_way, "from"].to_numpy(),
                carrier="DC",
                p_nom=nominal.to_numpy(),
                efficiency=keep,
                p_max_pu=pu.set_axis([f"{lid}_backward" for lid in one_way], axis=1),
            )

    def _markets(self) -> None:
        net, n = self.net, self.n
        markets = net.tables["markets"]
        if not len(markets):
            return
        active = _active(net, "markets")
        imports = _frame(net, "markets", "max_import_mw") * active
        exports = _frame(net, "markets", "max_export_mw") * active
        nominal = np.maximum(imports.max(), exports.max()).clip(lower=1e-9)
        price = _frame(net, "markets", "price_usd_per_mwh")
        # one Generator per market: p > 0 buys at the price, p < 0 sells at it
        n.add(
            "Generator",
            markets.index,
            bus=markets["bus"].to_numpy(),
            carrier="market",
            p_nom=nominal.to_numpy(),
            p_max_pu=imports / nominal,
            p_min_pu=-exports / nominal,
            marginal_cost=price.iloc[0].to_numpy(),
        )
        if (price.nunique() > 1).any():
            n.generators_t.marginal_cost = pd.concat(
                [n.generators_t.marginal_cost, price.loc[:, price.nunique() > 1]], axis=1
            )

    # ------------------------------------------------------------------ water
    def _all_water_m3s(self) -> float:
        """More water than can move through any link in one step."""
        net = self.net
        inflow = (
            float(net.series["catchments"]["inflow_m3s"].max("time").sum())
            if len(net.tables["catchments"])
            else 0.0
        )
        stored = float(net.tables["reservoirs"]["storage_max_hm3"].sum()) / self.k
        initial = (
            float(net.tables["reaches"]["initial_flow_m3s"].sum())
            if len(net.tables["reaches"])
            else 0.0
        )
        return float(np.ceil(2 * (inflow + stored + initial) + 1.0))

    def water(self) -> None:
        net, n = self.net, self.n
        nodes = [*net.ids("reservoirs"), *net.ids("junctions"), *net.ids("sinks")]
        if not nodes:
            return
        big = self.big = self._all_water_m3s()
        n.add("Bus", nodes, carrier=WATER)
        res = net.tables["reservoirs"]
        # where turbines and spill draw from: the reservoir, or its release bus
        minimum = _frame(net, "reservoirs", "min_release_m3s") if len(res) else None
        source = {rid: rid for rid in res.index}
        for rid in res.index:
            if minimum is not None and float(minimum[rid].max()) > 0:
                bus = f"{rid}_release"
                n.add("Bus", bus, carrier=WATER)
                n.add(
                    "Link",
                    bus,
                    bus0=rid,
                    bus1=bus,
                    carrier="release",
                    p_nom=big,
                    p_min_pu=minimum[rid] / big,
                )
                source[rid] = bus
        if len(res):
            self._reservoirs(res, source, big)
        self._catchments()
        self._plants(source)
        self._reaches(big)
        self._demands(big)
        self._sinks(big)

    def _reservoirs(self, res: pd.DataFrame, source: dict, big: float) -> None:
        net, n = self.net, self.n
        steps = len(net.time)
        e_nom = res["storage_max_hm3"] / HM3_PER_M3S_HOUR
        low = (res["storage_min_hm3"] / res["storage_max_hm3"]).to_numpy()
        e_min = pd.DataFrame(np.tile(low, (steps, 1)), index=n.snapshots, columns=res.index)
        e_min.iloc[-1] = (
            np.maximum(res["storage_min_hm3"], res["storage_final_min_hm3"])
            / res["storage_max_hm3"]
        ).to_numpy()
        n.add(
            "Store",
            res.index,
            bus=res.index.to_numpy(),
            carrier=WATER,
            e_nom=e_nom.to_numpy(),
            e_initial=(res["storage_initial_hm3"] / HM3_PER_M3S_HOUR).to_numpy(),
            e_cyclic=False,
            e_min_pu=e_min,
        )
        n.add(
            "Link",
            [f"{rid}_spill" for rid in res.index],
            bus0=[source[rid] for rid in res.index],
            bus1=res["spill_to"].to_numpy(),
            carrier="spill",
            p_nom=big,
            marginal_cost=(res["spill_cost_usd_per_hm3"] * HM3_PER_M3S_HOUR).to_numpy(),
        )
        evaporation = self.params.evaporation_hm3.transpose("time", "reservoir").to_pandas()
        evaporation.index = n.snapshots
        evaporating = [rid for rid in res.index if float(evaporation[rid].abs().max()) > 0]
        if evaporating:
            ids = [f"{rid}_evaporation" for rid in evaporating]
            n.add(
                "Load",
                ids,
                bus=evaporating,
                carrier="evaporation",
                p_set=(evaporation[evaporating] / self.k).set_axis(ids, axis=1),
            )

    def _catchments(self) -> None:
        net, n = self.net, self.n
        cat = net.tables["catchments"]
        if not len(cat):
            return
        nominal, pu = _per_unit(_frame(net, "catchments", "inflow_m3s"), floor=1.0)
        n.add(
            "Generator",
            cat.index,
            bus=cat["to"].to_numpy(),
            carrier="inflow",
            p_nom=nominal.to_numpy(),
            p_min_pu=pu,
            p_max_pu=pu,
            marginal_cost=0.0,
        )

    def _plants(self, source: dict) -> None:
        net, n = self.net, self.n
        plants = net.tables["hydro_plants"]
        if not len(plants):
            return
        head = self.params.head_m.transpose("time", "hydro_plant").to_pandas()
        head.index = n.snapshots
        mw_per_m3s = G_MW * plants["efficiency"].astype(float) * head
        capacity = plants["capacity_mw"].astype(float) * _frame(
            net, "hydro_plants", "capacity_factor"
        )
        by_power = (capacity / mw_per_m3s.where(mw_per_m3s > 0)).fillna(0.0)
        flow = by_power.clip(upper=plants["max_flow_m3s"].astype(float), axis=1) * _active(
            net, "hydro_plants"
        )
        nominal, pu = _per_unit(flow)
        site = [
            source[r] if pd.notna(r) else node
            for r, node in zip(plants["reservoir"], plants["node"], strict=True)
        ]
        constant = (mw_per_m3s.nunique() <= 1).all()
        n.add(
            "Link",
            plants.index,
            bus0=site,
            bus1=plants["bus"].to_numpy(),
            bus2=plants["to"].to_numpy(),
            carrier="hydro",
            p_nom=nominal.to_numpy(),
            p_max_pu=pu,
            efficiency=mw_per_m3s.iloc[0].to_numpy() if constant else 1.0,
            efficiency2=1.0,
        )
        if not constant:
            n.links_t.efficiency = mw_per_m3s

    def _reaches(self, big: float) -> None:
        net, n = self.net, self.n
        reaches = net.tables["reaches"]
        if not len(reaches):
            return
        upper = _frame(net, "reaches", "max_flow_m3s")
        upper = upper.where(np.isfinite(upper), big)
        nominal = upper.max()
        n.add(
            "Link",
            reaches.index,
            bus0=reaches["from"].to_numpy(),
            bus1=reaches["to"].to_numpy(),
            carrier="reach",
            p_nom=nominal.to_numpy(),
            efficiency=(1 - reaches["loss_fraction"]).to_numpy(),
            p_max_pu=upper / nominal,
            p_min_pu=_frame(net, "reaches", "min_flow_m3s") / nominal,
        )

    def _demands(self, big: float) -> None:
        net, n = self.net, self.n
        demands = net.tables["water_demands"]
        if not len(demands):
            return
        delivered = [f"{d}_delivered" for d in demands.index]
        n.add("Bus", delivered, carrier=WATER)
        returns = demands["return_to"].where(demands["return_fraction"] > 0, "")
        n.add(
            "Link",
            demands.index,
            bus0=demands["node"].to_numpy(),
            bus1=delivered,
            bus2=returns.fillna("").to_numpy(),
            carrier="withdrawal",
            p_nom=big,
            efficiency=1.0,
            efficiency2=demands["return_fraction"].to_numpy(),
        )
        demand = _frame(net, "water_demands", "demand_m3s")
        n.add(
            "Load",
            demands.index,
            bus=delivered,
            carrier="demand",
            p_set=demand.set_axis(demands.index, axis=1),
        )
        nominal, pu = _per_unit(demand)
        ids = [f"{d}_shortage" for d in demands.index]
        n.add(
            "Generator",
            ids,
            bus=delivered,
            carrier="shortage",
            p_nom=nominal.to_numpy(),
            p_max_pu=pu.set_axis(ids, axis=1),
            marginal_cost=(demands["shortage_cost_usd_per_hm3"] * HM3_PER_M3S_HOUR).to_numpy(),
        )

    def _sinks(self, big: float) -> None:
        net, n = self.net, self.n
        sinks = net.tables["sinks"]
        if not len(sinks):
            return
        n.add(
            "Generator",
            [f"{s}_outflow" for s in sinks.index],
            bus=sinks.index.to_numpy(),
            carrier="outflow",
            p_nom=big,
            p_min_pu=-1.0,
            p_max_pu=0.0,
            marginal_cost=0.0,
        )
        minimum = _frame(net, "sinks", "min_inflow_m3s")
        needs = [s for s in sinks.index if float(minimum[s].max()) > 0]
        if not needs:
            return
        ids = [f"{s}_min_inflow" for s in needs]
        n.add(
            "Load", ids, bus=needs, carrier="min_inflow", p_set=minimum[needs].set_axis(ids, axis=1)
        )
        priced = [s for s in needs if pd.notna(sinks.loc[s, "shortfall_cost_usd_per_hm3"])]
        if priced:
            nominal, pu = _per_unit(minimum[priced])
            ids = [f"{s}_shortfall" for s in priced]
            n.add(
                "Generator",
                ids,
                bus=priced,
                carrier="shortfall",
                p_nom=nominal.to_numpy(),
                p_max_pu=pu.set_axis(ids, axis=1),
                marginal_cost=(
                    sinks.loc[priced, "shortfall_cost_usd_per_hm3"] * HM3_PER_M3S_HOUR
                ).to_numpy(),
            )
