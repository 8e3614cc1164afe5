"""A PyPSA network as a vakhsh model folder (`from_pypsa`, `vakhsh import pypsa`).

What maps, component by component (PyPSA attribute -> vakhsh field):

- snapshots (evenly spaced; every weighting equal to the spacing in hours) -> `time`;
  snapshots that are not timestamps become steps of the weighting from 2000-01-01;
- Bus -> buses (`v_nom` -> `v_nom_kv`; `voll_usd_per_mwh` = `DEFAULT_VOLL`, PyPSA has none);
- Generator -> generators (`p_nom`, `marginal_cost`, `p_max_pu`/`p_min_pu` series as
  capacity factors, the carrier's `co2_emissions` / `efficiency`); a generator that may
  run negative (`p_min_pu < 0`) is a market: it buys at `marginal_cost` up to
  `p_max_pu * p_nom` and sells at it up to `-p_min_pu * p_nom`;
- Load -> loads (`p_set`);
- Line -> lines with `x_ohm` (`x`), `r_ohm`, `capacity_mw` = `s_nom * s_max_pu`: KVL;
  a line between DC buses takes its resistance `r` as `x_ohm` (PyPSA's DC power flow);
- Link (two ports) -> lines without reactance: forward `p_nom * p_max_pu`, backward
  `-p_nom * p_min_pu` where negative, `min_flow_mw` where positive, loss `1 - efficiency`;
- StorageUnit -> storage_units (`p_nom`, `max_hours`, `efficiency_store`,
  `efficiency_dispatch`, `state_of_charge_initial`, `cyclic_state_of_charge`, `inflow`
  with its spill); no end target (PyPSA has none);
- Store -> storage_units whose power is not limited (`e_nom / step` cannot bind),
  `e_min_pu` as `soc_min_mwh` (its last step as `soc_final_min_mwh`), `e_initial`,
  `e_cyclic`, efficiency 1.

Ids become vakhsh ids (`[a-z0-9_]`, buses may keep capitals), unique across the model;
`pypsa_names.csv` in the folder maps each back. What has no counterpart (unit
commitment, extendable components, multi-investment periods, global constraints,
transformers, multi-port links, standing losses, ...) is an error naming component and
attribute, except the water side of a network vakhsh exported, which
`vakhsh.interop.water_import` reads back into reservoirs, plants and rivers; what can be dropped without changing the optimum (inactive components, shunt
impedances, reactive power) is a named warning.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from vakhsh.errors import ModelError, Problem
from vakhsh.interop.water_import import WaterReader, is_vakhsh_export, water_buses

# VoLL of imported buses: PyPSA has none and must serve every load. Ten times the
# dearest marginal cost, at least 10,000 USD/MWh: above every marginal cost, so a feasible
# network serves all its load and the optimum is PyPSA's.
VOLL_FLOOR_USD_PER_MWH = 10_000.0
VOLL_FACTOR = 10.0
START_WITHOUT_DATES = pd.Timestamp("2000-01-01")
NAMES_FILE = "pypsa_names.csv"


class ImportProblem(ModelError):
    """A PyPSA network vakhsh cannot take as it is."""


@dataclass
class Imported:
    model: dict[str, Any]
    series: dict[str, pd.DataFrame]
    names: list[tuple[str, str, str]]  # (PyPSA component, PyPSA name, vakhsh id)
    warnings: list[str] = field(default_factory=list)

    def id_of(self, component: str, name: str) -> str:
        for comp, pname, vid in self.names:
            if comp == component and pname == name:
                return vid
        raise KeyError((component, name))


def read_network(path: str | Path):
    """A PyPSA network from a netCDF file or a folder of CSVs; ModelError if it is none."""
    import logging

    import pypsa

    path = Path(path)
    where = str(path)
    if not path.exists():
        raise ImportProblem([Problem(where, "", "no such file or folder")])
    if path.is_dir() and not (path / "buses.csv").is_file():
        raise ImportProblem([Problem(where, "", "not a PyPSA CSV folder (no buses.csv)")])
    if path.is_file() and path.suffix.lower() not in (".nc", ".h5", ".hdf5"):
        raise ImportProblem(
            [
                Problem(
                    where,
                    "",
                    "not a PyPSA network: give a netCDF file (.nc) or a folder of PyPSA CSVs",
                )
            ]
        )
    level = logging.getLogger("pypsa").level
    logging.getLogger("pypsa").setLevel(logging.ERROR)
    try:
        n = pypsa.Network(path)
    except Exception as exc:  # noqa: BLE001 (any reader failure is bad input)
        raise ImportProblem(
            [Problem(where, "", f"not a PyPSA network ({type(exc).__name__}: {str(exc)[:120]})")]
        ) from None
    finally:
        logging.getLogger("pypsa").setLevel(level)
    if n.buses.empty:
        raise ImportProblem([Problem(where, "buses", "holds no buses: not a PyPSA network")])
    return n


def from_pypsa(
    network, out: str | Path, overwrite: bool = False, source: str = "network", option: str = "out"
) -> Path:
    """Write `network` (a pypsa.Network or a path to one) as a model folder `out`,
    checked by loading it before it is put in place (nothing half-written)."""
    from vakhsh.network import load_network
    from vakhsh.outputs import check_folder, output_folder

    check_folder(out, "model", overwrite=overwrite, option=option)
    if isinstance(network, (str, Path)):
        source = str(network)
        network = read_network(network)
    imported = import_network(network, source)
    with output_folder(out, "model", overwrite=overwrite, option=option) as tmp:
        write_imported(imported, tmp)
        load_network(tmp)  # an invalid translation is an error here, not a folder
    return Path(out)


def write_imported(imported: Imported, folder: Path) -> None:
    with open(folder / "model.yaml", "w", encoding="utf-8") as fh:
        yaml.safe_dump(_python(imported.model), fh, sort_keys=False, allow_unicode=True)
    for file, frame in imported.series.items():
        frame.to_csv(folder / file, index=False, float_format="%.17g")
    pd.DataFrame(imported.names, columns=["component", "pypsa_name", "vakhsh_id"]).to_csv(
        folder / NAMES_FILE, index=False
    )


# --------------------------------------------------------------------------- translation
class _Translator:
    def __init__(self, n, source: str):
        self.n, self.source = n, source
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.names: list[tuple[str, str, str]] = []
        self.taken: set[str] = set()
        self.series: dict[str, dict[str, np.ndarray]] = {}
        self.model: dict[str, Any] = {}

    # ---- problems ----
    def bad(self, component: str, name: str, attr: str, message: str, value=None) -> None:
        path = f"{component}.{name}.{attr}" if name else f"{component}.{attr}"
        args = () if value is None else (value,)
        self.problems.append(Problem(self.source, path, message, *args))

    def check(self, component: str, table: pd.DataFrame, attr: str, bad_mask, message: str):
        if attr not in table:
            return
        mask = np.asarray(bad_mask(table[attr]), dtype=bool)
        for name, value in zip(table.index[mask], table[attr].to_numpy()[mask], strict=True):
            self.bad(component, name, attr, message, value)

    # ---- ids ----
    def new_id(self, component: str, name: str, bus: bool = False) -> str:
        clean = re.sub(r"[^A-Za-z0-9_]+", "_", str(name)).strip("_")
        clean = clean if bus else clean.lower()
        clean = clean or component.lower()
        base, i = clean, 2
        while clean in self.taken:
            clean, i = f"{base}_{i}", i + 1
        self.taken.add(clean)
        self.names.append((component, str(name), clean))
        return clean

    # ---- values ----
    def dense(self, component: str, attr: str, names) -> pd.DataFrame:
        return self.n.get_switchable_as_dense(component, attr).reindex(columns=list(names))

    def value(self, kind: str, field_name: str, vid: str, column: np.ndarray) -> Any:
        """A constant as a number, a series as a reference into `{kind}_{field}.csv`."""
        column = np.asarray(column, dtype=float)
        if np.all(column == column[0]):
            return _plain(column[0])
        file = f"{kind}_{field_name}.csv"
        self.series.setdefault(file, {})[vid] = column
        return f"series:{file}#{vid}"


def _python(value):
    """Plain Python values for YAML (numpy scalars inside dicts and lists)."""
    if isinstance(value, dict):
        return {k: _python(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_python(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (np.floating, np.integer)):
        return _plain(value)
    return value


def _plain(x: float) -> float | int:
    x = float(x)
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def _active(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["active"].astype(bool)] if "active" in table else table


def import_network(n, source: str = "network") -> Imported:
    """Translate a pypsa.Network; ImportProblem lists every attribute it cannot take."""
    t = _Translator(n, source)
    time = _time(t)
    if time is None:
        raise ImportProblem(t.problems)
    _refuse_whole_network(t)
    buses = _buses(t)
    voll_of = {}
    if water_buses(n):
        voll_of = _water(t, buses, time)
    _generators(t, buses)
    _loads(t, buses)
    _lines(t, buses)
    _links(t, buses)
    _storage_units(t, buses, time)
    _stores(t, buses, time)
    if t.problems:
        raise ImportProblem(t.problems)
    voll = _voll(t.n)
    for name, vid in buses.items():
        t.model["buses"][vid]["voll_usd_per_mwh"] = voll_of.get(name, voll)
    steps = len(n.snapshots)
    stamps = [(time["start"] + i * time["delta"]).isoformat() for i in range(steps)]
    series = {}
    for file, columns in t.series.items():
        frame = pd.DataFrame(columns)
        frame.insert(0, "time", stamps)
        series[file] = frame
    name = re.sub(r"[^a-z0-9_-]+", "-", (str(n.name) or Path(source).stem).lower()).strip("-")
    model = {
        "format": 1,
        "name": name or "pypsa-network",
        "description": f"Imported from the PyPSA network {Path(source).name} by vakhsh "
        f"import pypsa; buses carry the default VoLL {voll:g} USD/MWh (PyPSA has none).",
        "time": {
            "start": stamps[0],
            "end": (time["start"] + steps * time["delta"]).isoformat(),
            "step": time["step"],
        },
        **{k: v for k, v in t.model.items() if v},
    }
    return Imported(model=model, series=series, names=t.names, warnings=t.warnings)


def _voll(n) -> float:
    costs = [0.0]
    if len(n.generators):
        costs.append(
            float(
                n.get_switchable_as_dense("Generator", "marginal_cost")
                .abs()
                .to_numpy()
                .max(initial=0.0)
            )
        )
    return float(max(VOLL_FLOOR_USD_PER_MWH, VOLL_FACTOR * max(costs)))


def _time(t: _Translator) -> dict | None:
    n = t.n
    sn = n.snapshots
    if isinstance(sn, pd.MultiIndex) or len(getattr(n, "investment_periods", [])):
        t.bad(
            "snapshots",
            "",
            "investment_periods",
            "multi-period networks have no vakhsh counterpart: optimise one period at a time",
        )
        return None
    w = n.snapshot_weightings
    hours = float(w["objective"].iloc[0])
    if isinstance(sn, pd.DatetimeIndex):
        if sn.tz is not None:
            t.bad("snapshots", "", "tz", "timestamps are naive in vakhsh: no time zone", str(sn.tz))
            return None
        if len(sn) > 1:
            gaps = pd.TimedeltaIndex(sn[1:] - sn[:-1])
            if not (gaps == gaps[0]).all() or gaps[0] <= pd.Timedelta(0):
                first = (
                    int(np.flatnonzero(gaps != gaps[0])[0]) + 1 if gaps[0] > pd.Timedelta(0) else 1
                )
                t.bad(
                    "snapshots",
                    "",
                    "index",
                    "the time index has gaps or uneven steps: vakhsh steps are all the same length",
                    f"{sn[first - 1]} -> {sn[first]} after steps of {gaps[0]}",
                )
                return None
            delta = pd.Timedelta(gaps[0])
        else:
            delta = pd.Timedelta(hours=hours)
        start = pd.Timestamp(sn[0])
    else:
        delta = pd.Timedelta(hours=hours)
        start = START_WITHOUT_DATES
        t.warnings.append(
            f"snapshots: not timestamps; taken as steps of {hours:g} h from {start:%Y-%m-%d}"
        )
    step_h = delta / pd.Timedelta(hours=1)
    if step_h <= 0 or not float(step_h).is_integer():
        t.bad("snapshots", "", "index", "steps must be whole hours", str(delta))
        return None
    for column in w.columns:
        values = w[column].to_numpy(dtype=float)
        if not np.allclose(values, step_h, rtol=1e-9, atol=0):
            t.bad(
                "snapshot_weightings",
                "",
                column,
                f"must equal the step, {step_h:g} h, at "
                "every snapshot (vakhsh weighs each step by its length)",
                f"{values.min():g}..{values.max():g}",
            )
            return None
    return {"start": start, "delta": delta, "step": f"{int(step_h)}h", "hours": step_h}


def _refuse_whole_network(t: _Translator) -> None:
    n = t.n
    for name in n.global_constraints.index:
        t.bad(
            "global_constraints",
            name,
            "type",
            "global constraints (CO2 limits, transmission volume) have no vakhsh counterpart",
            n.global_constraints.loc[name, "type"],
        )
    if len(n.transformers):
        for name in n.transformers.index:
            t.bad(
                "transformers",
                name,
                "x",
                "transformers are not supported: model them as "
                "lines with x in ohm at the voltage of bus0",
            )
    if len(n.shunt_impedances):
        t.warnings.append(
            f"shunt_impedances: {len(n.shunt_impedances)} dropped (they do not "
            "enter the linear power flow)"
        )
    if getattr(n, "has_scenarios", False):
        t.bad("scenarios", "", "", "stochastic networks have no vakhsh counterpart")


def _drop_inactive(t: _Translator, component: str, table: pd.DataFrame) -> pd.DataFrame:
    if "active" in table and (~table["active"].astype(bool)).any():
        gone = list(table.index[~table["active"].astype(bool)])
        t.warnings.append(
            f"{component}: inactive {', '.join(map(str, gone[:5]))} dropped "
            "(PyPSA leaves them out too)"
        )
    return _active(table)


def _water(t: _Translator, buses: dict[str, str], time: dict) -> dict[str, float]:
    """The water side of a network vakhsh exported, read back (`water_import`); the
    translator then goes on with the power side only. Returns VoLL by PyPSA bus."""
    n = t.n
    if not is_vakhsh_export(n):
        for name in water_buses(n)[:5]:
            t.bad(
                "buses",
                name,
                "carrier",
                "water buses are read only from networks that "
                "vakhsh export pypsa wrote (n.meta['vakhsh'])",
                "water",
            )
        raise ImportProblem(t.problems)
    reader = WaterReader(t, n, time)
    used = reader.read(buses)
    power = n.copy()
    for component, names in used.items():
        power.remove(component, sorted(set(names)))
    t.n = power
    t.warnings.append(
        f"read back vakhsh's chained-reservoir pattern: "
        f"{len(t.model.get('reservoirs', {}))} reservoirs, "
        f"{len(t.model.get('hydro_plants', {}))} hydro plants at fixed head "
        "(head_m from the turbines' MW per m3/s, efficiency 1)"
    )
    return reader.voll


def _buses(t: _Translator) -> dict[str, str]:
    water = set(water_buses(t.n))
    buses = t.n.buses[~t.n.buses.index.isin(water)]
    ids = {}
    section = {}
    for name, row in buses.iterrows():
        vid = t.new_id("Bus", name, bus=True)
        ids[name] = vid
        fields: dict[str, Any] = {}
        if np.isfinite(row.get("v_nom", np.nan)) and row["v_nom"] > 0:
            fields["v_nom_kv"] = _plain(row["v_nom"])
        section[vid] = fields
    t.model["buses"] = section
    return ids


def _extendable(t: _Translator, component: str, table: pd.DataFrame, attr: str) -> None:
    t.check(
        component,
        table,
        attr,
        lambda s: s.astype(bool),
        "extendable components are not "
        "supported by vakhsh import: fix the size (vakhsh plan sizes candidates)",
    )


def _generators(t: _Translator, buses: dict[str, str]) -> None:
    n = t.n
    gens = _drop_inactive(t, "generators", n.generators)
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
            "capacity_mw": _plain(p_nom),
            "marginal_cost_usd_per_mwh": t.value(c, "marginal_cost_usd_per_mwh", vid, price),
        }
        if (high != 1).any():
            fields["capacity_factor"] = t.value(c, "capacity_factor", vid, high)
        if (low != 0).any():
            fields["min_capacity_factor"] = t.value(c, "min_capacity_factor", vid, low)
        carrier = row.get("carrier")
        if carrier in co2.index and float(co2[carrier]) > 0:
            eff = float(row.get("efficiency", 1.0)) or 1.0
            fields["co2_t_per_mwh"] = _plain(float(co2[carrier]) / eff)
        generators[vid] = fields
    t.model["generators"] = generators
    t.model["markets"] = markets


def _loads(t: _Translator, buses: dict[str, str]) -> None:
    loads = _drop_inactive(t, "loads", t.n.loads)
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


def _lines(t: _Translator, buses: dict[str, str]) -> None:
    lines = _drop_inactive(t, "lines", t.n.lines)
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
            fields["x_ohm"] = _plain(row["r"])
        else:
            fields.update(x_ohm=_plain(row["x"]), r_ohm=_plain(row.get("r", 0.0)))
        section[vid] = fields


def _links(t: _Translator, buses: dict[str, str]) -> None:
    links = _drop_inactive(t, "links", t.n.links)
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
            fields["loss_fraction"] = _plain(1 - eff)
        section[vid] = fields


def _storage_units(t: _Translator, buses: dict[str, str], time: dict) -> None:
    units = _drop_inactive(t, "storage_units", t.n.storage_units)
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
            "power_mw": _plain(p_nom),
            "energy_mwh": _plain(p_nom * float(row["max_hours"])),
            "efficiency_roundtrip": es * ed,
            "efficiency_store": es,
            "efficiency_dispatch": ed,
            "soc_initial_mwh": 0 if cyclic else _plain(row["state_of_charge_initial"]),
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


def _stores(t: _Translator, buses: dict[str, str], time: dict) -> None:
    stores = _drop_inactive(t, "stores", t.n.stores)
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
            "power_mw": _plain(e_nom / time["hours"]),
            "energy_mwh": _plain(e_nom * high[0]),
            "efficiency_roundtrip": 1,
            "soc_initial_mwh": 0 if cyclic else _plain(row["e_initial"]),
            "soc_min_mwh": _plain(e_nom * low[0]),
            "soc_final_min_mwh": _plain(e_nom * low[-1]),
        }
        if cyclic:
            fields["soc_cyclic"] = True
        section[vid] = fields
