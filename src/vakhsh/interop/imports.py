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

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from vakhsh.errors import ModelError, Problem
from vakhsh.interop.import_power import (
    add_generators,
    add_lines,
    add_links,
    add_loads,
    add_storage_units,
    add_stores,
)
from vakhsh.interop.translator import Translator, plain
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
def _python(value):
    """Plain Python values for YAML (numpy scalars inside dicts and lists)."""
    if isinstance(value, dict):
        return {k: _python(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_python(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (np.floating, np.integer)):
        return plain(value)
    return value


def import_network(n, source: str = "network") -> Imported:
    """Translate a pypsa.Network; ImportProblem lists every attribute it cannot take."""
    t = Translator(n, source)
    time = _time(t)
    if time is None:
        raise ImportProblem(t.problems)
    _refuse_whole_network(t)
    buses = _buses(t)
    voll_of = {}
    if water_buses(n):
        voll_of = _water(t, buses, time)
    add_generators(t, buses)
    add_loads(t, buses)
    add_lines(t, buses)
    add_links(t, buses)
    add_storage_units(t, buses, time)
    add_stores(t, buses, time)
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


def _time(t: Translator) -> dict | None:
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


def _refuse_whole_network(t: Translator) -> None:
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


def _water(t: Translator, buses: dict[str, str], time: dict) -> dict[str, float]:
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


def _buses(t: Translator) -> dict[str, str]:
    water = set(water_buses(t.n))
    buses = t.n.buses[~t.n.buses.index.isin(water)]
    ids = {}
    section = {}
    for name, row in buses.iterrows():
        vid = t.new_id("Bus", name, bus=True)
        ids[name] = vid
        fields: dict[str, Any] = {}
        if np.isfinite(row.get("v_nom", np.nan)) and row["v_nom"] > 0:
            fields["v_nom_kv"] = plain(row["v_nom"])
        section[vid] = fields
    t.model["buses"] = section
    return ids
