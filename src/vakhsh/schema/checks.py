"""Rules that relate components to each other (FORMAT.md, "Rules every model obeys").

Each `check_*` function looks at the validated components and returns the problems it
finds; `semantic_problems` runs them all so that every problem is reported at once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

from vakhsh.errors import Problem
from vakhsh.schema import registry
from vakhsh.schema.components import KINDS, NODE_KINDS, Reservoir
from vakhsh.schema.dates import date_problem
from vakhsh.schema.parse import MODEL_FILE, ParsedModel

ID_PATTERN = re.compile(r"^[a-z0-9_]+$")
BUS_ID_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")

# (kind, field, kinds the field may name), from the registry's declarations
REFERENCES: list[tuple[str, str, tuple[str, ...]]] = registry.REFERENCES

Check = Callable[[ParsedModel], list[Problem]]


def _p(path: str, message: str, *value) -> Problem:
    return Problem(MODEL_FILE, path, message, *value)


def _items(model: ParsedModel, kind: str) -> Iterator[tuple[str, object]]:
    return iter(model.components[kind].items())


def check_ids(model: ParsedModel) -> list[Problem]:
    """Ids match the pattern of their kind and are unique across the whole model."""
    problems = []
    owner: dict[str, str] = {}
    groups = dict(model.written_ids)
    for kind, ids in groups.items():
        if kind == "scenarios":
            continue
        pattern = BUS_ID_PATTERN if kind == "buses" else ID_PATTERN
        for cid in sorted(ids):
            if not pattern.match(cid):
                rule = "letters, digits and _" if kind == "buses" else "[a-z0-9_]+"
                problems.append(_p(f"{kind}.{cid}", f"id must match {rule}", cid))
            if cid in owner:
                problems.append(_p(f"{kind}.{cid}", f"id is already used by {owner[cid]}", cid))
            else:
                owner[cid] = kind
    return problems


def check_references(model: ParsedModel) -> list[Problem]:
    """Every reference names an existing component of the right kind."""
    problems = []
    kinds_of: dict[str, set[str]] = defaultdict(set)
    for kind, ids in model.written_ids.items():
        if kind != "scenarios":
            for cid in ids:
                kinds_of[cid].add(kind)
    for kind, attr, allowed in REFERENCES:
        written = attr.rstrip("_")
        for cid, comp in _items(model, kind):
            problems += _reference(
                f"{kind}.{cid}.{written}", getattr(comp, attr), allowed, kinds_of
            )
        # a component that failed elsewhere: its references as written (ids are text)
        for cid, data in model.invalid.get(kind, {}).items():
            target = data.get(written)
            if isinstance(target, str):
                problems += _reference(f"{kind}.{cid}.{written}", target, allowed, kinds_of)
    for cid, cand in model.candidates.items():
        for kind, attr, allowed in REFERENCES:
            written = attr.rstrip("_")
            if kind == cand.component and written in cand.template:
                problems += _reference(
                    f"candidates.{cid}.template.{written}",
                    cand.template[written],
                    allowed,
                    kinds_of,
                )
    for cid, line in _items(model, "lines"):
        if line.from_ == line.to:
            problems.append(_p(f"lines.{cid}.to", "a line must join two different buses", line.to))
    return problems


def _reference(
    path: str, target, allowed: tuple[str, ...], kinds_of: dict[str, set[str]]
) -> list[Problem]:
    if target is None:
        return []
    if target not in kinds_of:
        return [_p(path, "names no component", target)]
    if not kinds_of[target] & set(allowed):
        names = " or ".join(KINDS[a][1].replace("_", " ") for a in allowed)
        found = " and ".join(sorted(kinds_of[target]))
        return [_p(path, f"must name a {names}, not one of {found}", target)]
    return []


def water_edges(model: ParsedModel) -> list[tuple[str, str, str]]:
    """Directed edges (from node, to node, path of the field that makes them)."""
    edges = []
    for cid, res in _items(model, "reservoirs"):
        edges.append((cid, res.spill_to, f"reservoirs.{cid}.spill_to"))
    for cid, reach in _items(model, "reaches"):
        edges.append((reach.from_, reach.to, f"reaches.{cid}.to"))
    for cid, plant in _items(model, "hydro_plants"):
        edges.append((plant.reservoir or plant.node, plant.to, f"hydro_plants.{cid}.to"))
    for cid, demand in _items(model, "water_demands"):
        if demand.return_to is not None and demand.return_fraction > 0:
            edges.append((demand.node, demand.return_to, f"water_demands.{cid}.return_to"))
    return edges


def check_water_graph(model: ParsedModel) -> list[Problem]:
    """The river network is acyclic and every reservoir and junction drains somewhere."""
    nodes = {n for kind in NODE_KINDS for n in model.components[kind]}
    edges = [(a, b, path) for a, b, path in water_edges(model) if a in nodes and b in nodes]
    problems = []
    outgoing: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for a, b, path in edges:
        if a == b:
            problems.append(_p(path, "water cannot flow from a node into itself", b))
        else:
            outgoing[a].append((b, path))
    for cid in model.components["junctions"]:
        if not outgoing[cid]:
            problems.append(
                _p(
                    f"junctions.{cid}",
                    "drains nowhere: give it a reach or a run-of-river plant that leaves it",
                )
            )
    cycle = _find_cycle(nodes, outgoing)
    if cycle:
        loop = " -> ".join(cycle)
        problems.append(_p(cycle[1], "the river network has a cycle", loop))
    return problems


def _find_cycle(nodes: set[str], outgoing: dict[str, list[tuple[str, str]]]) -> list[str]:
    """A cycle as [node, field, node, field, ..., node] (each field between its own two
    ends), or [] (iterative depth-first search)."""
    state: dict[str, int] = {}
    for root in sorted(nodes):
        if state.get(root):
            continue
        stack: list[tuple[str, Iterator]] = [(root, iter(outgoing[root]))]
        trail: list[tuple[str, str]] = [(root, "")]  # (node, field of the edge into it)
        state[root] = 1
        while stack:
            node, children = stack[-1]
            for child, path in children:
                if state.get(child) == 1:
                    start = [n for n, _ in trail].index(child)
                    loop = [child]
                    for later, into in trail[start + 1 :]:
                        loop += [into, later]
                    return loop + [path, child]
                if not state.get(child):
                    state[child] = 1
                    trail.append((child, path))
                    stack.append((child, iter(outgoing[child])))
                    break
            else:
                state[node] = 2
                stack.pop()
                trail.pop()
    return []


def check_reservoirs(model: ParsedModel) -> list[Problem]:
    """Storage ordering, curves covering the storage range, evaporation inputs in pairs."""
    problems = []
    for cid, res in _items(model, "reservoirs"):
        path = f"reservoirs.{cid}"
        lo, hi = res.storage_min_hm3, res.storage_max_hm3
        if lo > hi:
            problems.append(
                _p(f"{path}.storage_min_hm3", "exceeds storage_max_hm3", f"{lo:g} > {hi:g}")
            )
        elif not lo <= res.storage_initial_hm3 <= hi:
            problems.append(
                _p(
                    f"{path}.storage_initial_hm3",
                    f"must lie within [storage_min_hm3, storage_max_hm3] = [{lo:g}, {hi:g}]",
                    res.storage_initial_hm3,
                )
            )
        final = res.storage_final_min_hm3
        if final is not None and final > hi:
            problems.append(
                _p(
                    f"{path}.storage_final_min_hm3",
                    "exceeds storage_max_hm3",
                    f"{final:g} > {hi:g}",
                )
            )
        for curve_name in ("level_curve", "area_curve"):
            problems += _check_curve(res, curve_name, path)
        if (res.area_curve is None) != (res.evaporation_mm_per_month is None):
            problems.append(
                _p(
                    f"{path}.area_curve"
                    if res.area_curve is None
                    else f"{path}.evaporation_mm_per_month",
                    "area_curve and evaporation_mm_per_month come together or not at all",
                )
            )
    return problems


def _check_curve(res: Reservoir, name: str, path: str) -> list[Problem]:
    curve = getattr(res, name)
    if curve is None:
        return []
    points = np.asarray(curve, dtype=float)
    storage, value = points[:, 0], points[:, 1]
    if np.any(storage < 0):
        return [_p(f"{path}.{name}", "storage must not be negative", storage.tolist())]
    if name == "area_curve" and np.any(value < 0):
        return [_p(f"{path}.{name}", "area must not be negative", value.tolist())]
    if len(storage) < 2 or np.any(np.diff(storage) <= 0):
        return [
            _p(
                f"{path}.{name}",
                "storage must be strictly increasing along the curve",
                storage.tolist(),
            )
        ]
    if np.any(np.diff(value) < 0):
        return [_p(f"{path}.{name}", "values must not decrease as storage rises", value.tolist())]
    if storage[0] > res.storage_min_hm3 or storage[-1] < res.storage_max_hm3:
        return [
            _p(
                f"{path}.{name}",
                "must cover [storage_min_hm3, storage_max_hm3]",
                f"curve {storage[0]:g}..{storage[-1]:g}, storage "
                f"{res.storage_min_hm3:g}..{res.storage_max_hm3:g}",
            )
        ]
    return []


def check_hydro_plants(model: ParsedModel) -> list[Problem]:
    """Head can be known: a run-of-river plant needs head_m, tailwater needs a level curve."""
    problems = []
    reservoirs = model.components["reservoirs"]
    for cid, plant in _items(model, "hydro_plants"):
        path = f"hydro_plants.{cid}"
        if plant.node is not None and plant.head_m is None:
            problems.append(_p(f"{path}.head_m", "a run-of-river plant (node:) needs head_m"))
        if plant.production == "fpha" and plant.tailwater_masl is None:
            problems.append(
                _p(
                    f"{path}.production",
                    "fpha needs tailwater_masl (and a "
                    "level_curve on the reservoir): give them, or production "
                    "auto or fixed",
                    plant.production,
                )
            )
        if plant.tailwater_masl is not None and plant.reservoir in reservoirs:
            res = reservoirs[plant.reservoir]
            if res.level_curve is None:
                problems.append(
                    _p(
                        f"{path}.tailwater_masl",
                        f"reservoir {plant.reservoir} has no level_curve: give head_m instead",
                    )
                )
            else:
                curve = np.asarray(res.level_curve, dtype=float)
                level = float(np.interp(res.storage_initial_hm3, curve[:, 0], curve[:, 1]))
                if level <= plant.tailwater_masl:
                    problems.append(
                        _p(
                            f"{path}.tailwater_masl",
                            "lies at or above the reservoir level at its initial storage",
                            f"{plant.tailwater_masl:g} >= {level:g}",
                        )
                    )
    return problems


def check_demands(model: ParsedModel) -> list[Problem]:
    problems = []
    for cid, demand in _items(model, "water_demands"):
        if demand.return_fraction > 0 and demand.return_to is None:
            problems.append(
                _p(
                    f"water_demands.{cid}.return_to",
                    "required when return_fraction > 0",
                    demand.return_fraction,
                )
            )
    return problems


def check_storage_units(model: ParsedModel) -> list[Problem]:
    problems = []
    for cid, unit in _items(model, "storage_units"):
        for name in ("soc_initial_mwh", "soc_final_min_mwh"):
            value = getattr(unit, name)
            if value is not None and value > unit.energy_mwh:
                problems.append(
                    _p(
                        f"storage_units.{cid}.{name}",
                        "exceeds energy_mwh",
                        f"{value:g} > {unit.energy_mwh:g}",
                    )
                )
    return problems


def check_storage_efficiencies(model: ParsedModel) -> list[Problem]:
    """One-way efficiencies come as a pair whose product is the round trip."""
    problems = []
    for cid, unit in _items(model, "storage_units"):
        store, dispatch = unit.efficiency_store, unit.efficiency_dispatch
        if (store is None) != (dispatch is None):
            missing = "efficiency_dispatch" if dispatch is None else "efficiency_store"
            problems.append(
                _p(
                    f"storage_units.{cid}.{missing}",
                    "required with efficiency_store and efficiency_dispatch given as a pair",
                )
            )
        elif store is not None and abs(store * dispatch - unit.efficiency_roundtrip) > 1e-9 * max(
            1.0, unit.efficiency_roundtrip
        ):
            problems.append(
                _p(
                    f"storage_units.{cid}.efficiency_roundtrip",
                    "must equal efficiency_store * efficiency_dispatch",
                    f"{unit.efficiency_roundtrip:g} != {store:g} * {dispatch:g}",
                )
            )
        if unit.soc_min_mwh > unit.energy_mwh:
            problems.append(
                _p(
                    f"storage_units.{cid}.soc_min_mwh",
                    "exceeds energy_mwh",
                    f"{unit.soc_min_mwh:g} > {unit.energy_mwh:g}",
                )
            )
    return problems


def check_line_voltages(model: ParsedModel) -> list[Problem]:
    """A reactance in ohm needs the voltage that makes it per unit."""
    problems = []
    buses = model.components["buses"]
    for cid, line in _items(model, "lines"):
        bus = buses.get(line.from_)
        if line.x_ohm is not None and bus is not None and bus.v_nom_kv is None:
            problems.append(
                _p(
                    f"buses.{line.from_}.v_nom_kv",
                    f"required: line {cid} has "
                    "x_ohm (its per-unit reactance is x_ohm / v_nom_kv^2)",
                )
            )
    return problems


def check_time(model: ParsedModel) -> list[Problem]:
    if model.time is None:
        return []
    return time_problems(model.time.start, model.time.end, model.time.step, "time")


def time_problems(start, end, step: str, path: str, file: str = MODEL_FILE) -> list[Problem]:
    try:
        delta = pd.Timedelta(step)
    except (ValueError, TypeError):
        return [Problem(file, f"{path}.step", "not a fixed step such as 1h, 3h, 1D or 7D", step)]
    if delta <= pd.Timedelta(0):
        return [Problem(file, f"{path}.step", "must be positive", step)]
    if delta % pd.Timedelta(hours=1) != pd.Timedelta(0):
        return [
            Problem(
                file,
                f"{path}.step",
                "must be a whole number of hours or days, such as 1h, 3h, 1D or 7D",
                step,
            )
        ]
    stamps = {}
    for name, value in (("start", start), ("end", end)):
        try:
            stamps[name] = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError):
            return [
                Problem(
                    file,
                    f"{path}.{name}",
                    "not a date or timestamp (write 2024-10-01 or 2024-10-01T06:00)",
                    value,
                )
            ]
        if stamps[name] is pd.NaT:
            return [Problem(file, f"{path}.{name}", "is required", value)]
        outside = date_problem(stamps[name].tz_localize(None))
        if outside:
            return [Problem(file, f"{path}.{name}", outside, str(value))]
    start, end = stamps["start"], stamps["end"]
    if start.tz is not None or end.tz is not None:
        return [Problem(file, path, "timestamps are naive: no time zone", f"{start} .. {end}")]
    if end <= start:
        return [Problem(file, f"{path}.end", "must come after start", f"{end} <= {start}")]
    if (end - start) % delta != pd.Timedelta(0):
        return [
            Problem(
                file,
                f"{path}.end",
                f"end - start is not a whole number of {step} steps",
                f"{end - start}",
            )
        ]
    return []


def check_stages(model: ParsedModel) -> list[Problem]:
    """A reservoir stage raises an existing reservoir and names only that reservoir's plants;
    its storages are ordered like a reservoir's and never below today's."""
    from vakhsh.schema.components import STAGES
    from vakhsh.schema.parse import stage_template

    problems = []
    reservoirs, plants = model.components["reservoirs"], model.components["hydro_plants"]
    for cid, cand in model.candidates.items():
        if cand.component != STAGES:
            continue
        where = f"candidates.{cid}.template"
        stage = stage_template(cand.template)
        res = reservoirs.get(stage.reservoir)
        if res is None:
            problems.append(_p(f"{where}.reservoir", "names no reservoir", stage.reservoir))
            continue
        for pid in stage.plants:
            if pid not in plants or plants[pid].reservoir != stage.reservoir:
                problems.append(
                    _p(
                        f"{where}.plants.{pid}",
                        f"names no hydro plant of reservoir {stage.reservoir}",
                        pid,
                    )
                )
        low = stage.storage_min_hm3 if stage.storage_min_hm3 is not None else res.storage_min_hm3
        start = (
            stage.storage_initial_hm3
            if stage.storage_initial_hm3 is not None
            else res.storage_initial_hm3
        )
        for name, value, today in (
            ("storage_max_hm3", stage.storage_max_hm3, res.storage_max_hm3),
            ("storage_min_hm3", stage.storage_min_hm3, res.storage_min_hm3),
            ("storage_initial_hm3", stage.storage_initial_hm3, res.storage_initial_hm3),
        ):
            if value is not None and value < today:
                problems.append(
                    _p(
                        f"{where}.{name}",
                        f"a stage raises the reservoir: below today's {today:g}",
                        value,
                    )
                )
        if not low <= start <= stage.storage_max_hm3:
            problems.append(
                _p(
                    f"{where}.storage_initial_hm3",
                    "must lie within the stage's "
                    f"[storage_min_hm3, storage_max_hm3] = [{low:g}, "
                    f"{stage.storage_max_hm3:g}]",
                    start,
                )
            )
        final = stage.storage_final_min_hm3
        if final is not None and final > stage.storage_max_hm3:
            problems.append(
                _p(
                    f"{where}.storage_final_min_hm3",
                    "exceeds storage_max_hm3",
                    f"{final:g} > {stage.storage_max_hm3:g}",
                )
            )
    return problems


CHECKS: tuple[Check, ...] = (
    check_ids,
    check_references,
    check_water_graph,
    check_reservoirs,
    check_hydro_plants,
    check_demands,
    check_storage_units,
    check_time,
    check_stages,
    check_storage_efficiencies,
    check_line_voltages,
)


def semantic_problems(model: ParsedModel) -> list[Problem]:
    problems: list[Problem] = []
    for check in CHECKS:
        problems += check(model)
    return problems


__all__ = ["semantic_problems", "CHECKS", "KINDS", "water_edges", "time_problems"]
