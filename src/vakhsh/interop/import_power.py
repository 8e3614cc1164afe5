"""PyPSA's power components as vakhsh sections: generators (and markets), loads, lines,
two-port links, storage units and stores; what has no counterpart is a problem naming
component and attribute (the mapping is listed in `vakhsh.interop.imports`)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from vakhsh.interop.translator import Translator, drop_inactive, plain


def _extendable(t: Translator, component: str, table: pd.DataFrame, attr: str) -> None:
    t.check(
        component,
        table,
        attr,
        lambda s: s.astype(bool),
        "extendable components are not "
        "supported by vakhsh import: fix the size (vakhsh plan sizes candidates)",
    )


def add_generators(t: Translator, buses: dict[str, str]) -> None:
    n = t.n
    gens = drop_inactive(t, "generators", n.generators)
    if not len(gens):
        return
    c = "generators"
    _extendable(t, c, gens, "p_nom_extendable")
    t.check(
        c,
        gens,
        "committable",
        lambda s: s.astype(bool),
        "unit commitment has no vakhsh counterpart",
    )
    t.check(c, gens, "p_nom", lambda s: ~np.isfinite(s.astype(float)), "must be finite")
    t.check(
        c,
        gens,
        "marginal_cost_quadratic",
        lambda s: s.astype(float) != 0,
        "quadratic costs are not linear",
    )
    t.check(c, gens, "sign", lambda s: s.astype(float) != 1, "only sign 1 is supported")
    for attr in ("ramp_limit_up", "ramp_limit_down"):
        t.check(
            c,
            gens,
            attr,
            lambda s: s.astype(float).notna() & (s.astype(float) < 1),
            "ramp limits have no vakhsh counterpart",
        )
    for attr in ("e_sum_min", "e_sum_max"):
        t.check(
            c,
            gens,
            attr,
            lambda s: np.isfinite(s.astype(float)),
            "energy sums over the horizon have no vakhsh counterpart",
        )
    names = gens.index
    p_max = t.dense("Generator", "p_max_pu", names)
    p_min = t.dense("Generator", "p_min_pu", names)
    cost = t.dense("Generator", "marginal_cost", names)
    co2 = n.carriers["co2_emissions"] if "co2_emissions" in n.carriers else pd.Series(dtype=float)
    generators, markets = {}, {}
    for name, row in gens.iterrows():
        if row["bus"] not in buses:
            t.bad(c, name, "bus", "names no bus", row["bus"])
            continue
        low, high, price = p_min[name].to_numpy(), p_max[name].to_numpy(), cost[name].to_numpy()
        if (price < 0).any():
            t.bad(c, name, "marginal_cost", "must be >= 0 in vakhsh", f"min {price.min():g}")
            continue
        if (high < low).any() or (high < 0).any():
            t.bad(c, name, "p_max_pu", "must be >= 0 and >= p_min_pu", f"min {high.min():g}")
            continue
        p_nom = float(row["p_nom"])
        if not math.isfinite(p_nom):
            continue
        if (low < 0).any():
            if (low > 0).any():
                t.bad(c, name, "p_min_pu", "changes sign: neither a generator nor a market")
                continue
            vid = t.new_id("Generator", name)
            markets[vid] = {
                "bus": buses[row["bus"]],
                "price_usd_per_mwh": t.value("markets", "price_usd_per_mwh", vid, price),
                "max_import_mw": t.value("markets", "max_import_mw", vid, p_nom * high),
                "max_export_mw": t.value("markets", "max_export_mw", vid, -p_nom * low),
            }
            continue
        vid = t.new_id("Generator", name)
        fields = {
            "bus": buses[row["bus"]],
            "carrier": str(row.get("carrier") or "other"),
            "capacity_mw": plain(p_nom),
            "marginal_cost_usd_per_mwh": t.value(c, "marginal_cost_usd_per_mwh", vid, price),
        }
        if (high != 1).any():
            fields["capacity_factor"] = t.value(c, "capacity_factor", vid, high)
        if (low != 0).any():
            fields["min_capacity_factor"] = t.value(c, "min_capacity_factor", vid, low)
        carrier = row.get("carrier")
        if carrier in co2.index and float(co2[carrier]) > 0:
            eff = float(row.get("efficiency", 1.0)) or 1.0
            fields["co2_t_per_mwh"] = plain(float(co2[carrier]) / eff)
        generators[vid] = fields
    t.model["generators"] = generators
    t.model["markets"] = markets


def add_loads(t: Translator, buses: dict[str, str]) -> None:
    loads = drop_inactive(t, "loads", t.n.loads)
    if not len(loads):
        return
    c = "loads"
    t.check(c, loads, "sign", lambda s: s.astype(float) != -1, "only sign -1 is supported")
    p = t.dense("Load", "p_set", loads.index)
    section = {}
    for name, row in loads.iterrows():
        values = p[name].to_numpy()
        if (values < 0).any():
            t.bad(
                c,
                name,
                "p_set",
                "negative loads are not supported (make it a generator)",
                f"min {values.min():g}",
            )
            continue
        vid = t.new_id("Load", name)
        section[vid] = {"bus": buses[row["bus"]], "p_mw": t.value(c, "p_mw", vid, values)}
    t.model["loads"] = section


def add_lines(t: Translator, buses: dict[str, str]) -> None:
    lines = drop_inactive(t, "lines", t.n.lines)
    if not len(lines):
        return
    c = "lines"
    _extendable(t, c, lines, "s_nom_extendable")
    t.check(
        c,
        lines,
        "type",
        lambda s: s.fillna("").astype(str) != "",
        "line types are not supported: give x (and r) in ohm",
    )
    # PyPSA's linear power flow: AC lines by reactance x, lines between DC buses by
    # resistance r (DC sub-networks); the same KVL, so a DC line's r becomes its x_ohm
    dc = t.n.buses["carrier"].reindex(lines["bus0"]).to_numpy() == "DC"
    ac_lines, dc_lines = lines[~dc], lines[dc]
    t.check(c, ac_lines, "x", lambda s: ~(s.astype(float) > 0), "must be > 0 (ohm)")
    t.check(
        c,
        dc_lines,
        "r",
        lambda s: ~(s.astype(float) > 0),
        "must be > 0 (ohm) on a line between DC buses (its KVL weighs flows by r)",
    )
    if len(dc_lines):
        t.warnings.append(
            f"lines: {len(dc_lines)} between DC buses take their resistance r "
            "as x_ohm (PyPSA's DC power flow)"
        )
    cap = t.dense("Line", "s_max_pu", lines.index) * lines["s_nom"].astype(float)
    section = t.model.setdefault("lines", {})
    bad = {p.path.split(".")[1] for p in t.problems if p.path.startswith("lines.")}
    for (name, row), is_dc in zip(lines.iterrows(), dc, strict=True):
        if name in bad:
            continue
        vid = t.new_id("Line", name)
        fields = {
            "from": buses[row["bus0"]],
            "to": buses[row["bus1"]],
            "capacity_mw": t.value(c, "capacity_mw", vid, cap[name].to_numpy()),
        }
        if is_dc:
            fields["x_ohm"] = plain(row["r"])
        else:
            fields.update(x_ohm=plain(row["x"]), r_ohm=plain(row.get("r", 0.0)))
        section[vid] = fields


def add_links(t: Translator, buses: dict[str, str]) -> None:
    links = drop_inactive(t, "links", t.n.links)
    if not len(links):
        return
    c = "links"
    _extendable(t, c, links, "p_nom_extendable")
    t.check(
        c,
        links,
        "committable",
        lambda s: s.astype(bool),
        "unit commitment has no vakhsh counterpart",
    )
    for port in [col for col in links.columns if re.fullmatch(r"bus[2-9]\d*", col)]:
        t.check(
            c,
            links,
            port,
            lambda s: s.fillna("").astype(str) != "",
            "multi-port links have no vakhsh counterpart",
        )
    t.check(
        c,
        links,
        "marginal_cost",
        lambda s: s.astype(float) != 0,
        "vakhsh lines have no marginal cost",
    )
    t.check(
        c,
        links,
        "efficiency",
        lambda s: s.astype(float) > 1,
        "vakhsh lines lose power, they do not make it (efficiency at most 1)",
    )
    t.check(c, links, "p_nom", lambda s: ~np.isfinite(s.astype(float)), "must be finite")
    if len(t.n.links_t.get("efficiency", [])) and t.n.links_t.efficiency.shape[1]:
        for name in t.n.links_t.efficiency.columns:
            t.bad(c, name, "efficiency", "a time-varying efficiency has no vakhsh counterpart")
    p_max = t.dense("Link", "p_max_pu", links.index)
    p_min = t.dense("Link", "p_min_pu", links.index)
    section = t.model.setdefault("lines", {})
    bad = {p.path.split(".")[1] for p in t.problems if p.path.startswith("links.")}
    for name, row in links.iterrows():
        if name in bad:
            continue
        eff, p_nom = float(row["efficiency"]), float(row["p_nom"])
        high, low = p_max[name].to_numpy(), p_min[name].to_numpy()
        if (high < 0).any() or (high < low).any():
            t.bad(c, name, "p_max_pu", "must be >= 0 and >= p_min_pu", f"min {high.min():g}")
            continue
        if (low < 0).any() and eff != 1:
            t.bad(
                c,
                name,
                "efficiency",
                "a lossy link that runs backward (p_min_pu < 0) "
                "gains power in PyPSA; vakhsh lines lose it both ways",
                eff,
            )
            continue
        vid = t.new_id("Link", name)
        fields = {
            "from": buses[row["bus0"]],
            "to": buses[row["bus1"]],
            "capacity_mw": t.value("lines", "capacity_mw", vid, p_nom * high),
            "capacity_backward_mw": t.value(
                "lines", "capacity_backward_mw", vid, p_nom * np.clip(-low, 0, None)
            ),
        }
        if (low > 0).any():
            fields["min_flow_mw"] = t.value(
                "lines", "min_flow_mw", vid, p_nom * np.clip(low, 0, None)
            )
        if eff != 1:
            fields["loss_fraction"] = plain(1 - eff)
        section[vid] = fields


def add_storage_units(t: Translator, buses: dict[str, str], time: dict) -> None:
    units = drop_inactive(t, "storage_units", t.n.storage_units)
    if not len(units):
        return
    c = "storage_units"
    _extendable(t, c, units, "p_nom_extendable")
    for attr in (
        "standing_loss",
        "marginal_cost",
        "marginal_cost_storage",
        "spill_cost",
        "marginal_cost_quadratic",
    ):
        t.check(
            c,
            units,
            attr,
            lambda s: s.astype(float) != 0,
            "has no vakhsh counterpart (only 0 is supported)",
        )
    t.check(
        c,
        units,
        "p_max_pu",
        lambda s: s.astype(float) != 1,
        "vakhsh storage units charge and discharge up to one power_mw (p_max_pu 1)",
    )
    t.check(
        c,
        units,
        "p_min_pu",
        lambda s: s.astype(float) != -1,
        "vakhsh storage units charge and discharge up to one power_mw (p_min_pu -1)",
    )
    for attr in (
        "p_max_pu",
        "p_min_pu",
        "state_of_charge_set",
        "standing_loss",
        "efficiency_store",
        "efficiency_dispatch",
    ):
        frame = t.n.storage_units_t.get(attr)
        if frame is not None and frame.shape[1] and frame.notna().to_numpy().any():
            for name in frame.columns[frame.notna().any()]:
                t.bad(c, name, attr, "a time-varying value has no vakhsh counterpart")
    inflow = t.dense("StorageUnit", "inflow", units.index)
    section = t.model.setdefault("storage_units", {})
    bad = {p.path.split(".")[1] for p in t.problems if p.path.startswith("storage_units.")}
    for name, row in units.iterrows():
        if name in bad:
            continue
        p_nom = float(row["p_nom"])
        es, ed = float(row["efficiency_store"]), float(row["efficiency_dispatch"])
        vid = t.new_id("StorageUnit", name)
        cyclic = bool(row["cyclic_state_of_charge"])
        fields = {
            "bus": buses[row["bus"]],
            "power_mw": plain(p_nom),
            "energy_mwh": plain(p_nom * float(row["max_hours"])),
            "efficiency_roundtrip": es * ed,
            "efficiency_store": es,
            "efficiency_dispatch": ed,
            "soc_initial_mwh": 0 if cyclic else plain(row["state_of_charge_initial"]),
            "soc_final_min_mwh": 0,
        }
        if cyclic:
            fields["soc_cyclic"] = True
        values = inflow[name].to_numpy()
        if (values != 0).any():
            if (values < 0).any():
                t.bad(c, name, "inflow", "must be >= 0", f"min {values.min():g}")
                continue
            fields["inflow_mw"] = t.value(c, "inflow_mw", vid, values)
        section[vid] = fields


def add_stores(t: Translator, buses: dict[str, str], time: dict) -> None:
    stores = drop_inactive(t, "stores", t.n.stores)
    if not len(stores):
        return
    c = "stores"
    _extendable(t, c, stores, "e_nom_extendable")
    for attr in (
        "standing_loss",
        "marginal_cost",
        "marginal_cost_storage",
        "marginal_cost_quadratic",
    ):
        t.check(
            c,
            stores,
            attr,
            lambda s: s.astype(float) != 0,
            "has no vakhsh counterpart (only 0 is supported)",
        )
    t.check(c, stores, "e_nom", lambda s: ~np.isfinite(s.astype(float)), "must be finite")
    e_min = t.dense("Store", "e_min_pu", stores.index)
    e_max = t.dense("Store", "e_max_pu", stores.index)
    section = t.model.setdefault("storage_units", {})
    bad = {p.path.split(".")[1] for p in t.problems if p.path.startswith("stores.")}
    for name, row in stores.iterrows():
        if name in bad:
            continue
        e_nom = float(row["e_nom"])
        low, high = e_min[name].to_numpy(), e_max[name].to_numpy()
        if not np.all(high == high[0]):
            t.bad(c, name, "e_max_pu", "a time-varying maximum has no vakhsh counterpart")
            continue
        if (len(low) > 1 and not np.all(low[:-1] == low[0])) or (low < 0).any():
            t.bad(
                c,
                name,
                "e_min_pu",
                "only a constant minimum >= 0 (its last step may "
                "differ: the end target) has a vakhsh counterpart",
            )
            continue
        vid = t.new_id("Store", name)
        cyclic = bool(row["e_cyclic"])
        fields = {
            "bus": buses[row["bus"]],
            # a Store's power is not limited; e_nom per step cannot bind
            "power_mw": plain(e_nom / time["hours"]),
            "energy_mwh": plain(e_nom * high[0]),
            "efficiency_roundtrip": 1,
            "soc_initial_mwh": 0 if cyclic else plain(row["e_initial"]),
            "soc_min_mwh": plain(e_nom * low[0]),
            "soc_final_min_mwh": plain(e_nom * low[-1]),
        }
        if cyclic:
            fields["soc_cyclic"] = True
        section[vid] = fields
