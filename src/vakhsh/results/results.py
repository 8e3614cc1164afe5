"""The Results of a run: the Dataset, its audit, a stable summary, and writing to disk."""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from vakhsh.atomic import atomic_folder
from vakhsh.network import Network
from vakhsh.results.audit import AuditReport

SEASON_WINTER = (10, 11, 12, 1, 2, 3)  # October to March (the non-vegetation season)


@dataclass
class Results:
    net: Network
    dataset: xr.Dataset
    objective_usd: float
    audit: AuditReport
    solve_info: dict[str, Any] = field(default_factory=dict)

    # ---- summaries ----
    def _gwh(self, mw: xr.DataArray, dim: str) -> dict[str, float]:
        energy = mw.sum("time") * self.net.step_hours / 1e3
        return {str(k): float(v) for k, v in zip(energy[dim].values, energy.values,
                                                 strict=True)}

    def _hm3(self, m3s: xr.DataArray, dim: str) -> dict[str, float]:
        volume = m3s.sum("time") * self.net.hm3_per_m3s
        return {str(k): float(v) for k, v in zip(volume[dim].values, volume.values,
                                                 strict=True)}

    def winter(self) -> xr.DataArray:
        return self.dataset["time"].dt.month.isin(SEASON_WINTER)

    def _winter_net_imports(self) -> dict[str, float]:
        """Energy a bus takes from lines and markets minus what it sends, over winter."""
        from vakhsh.results.audit import bus_terms

        terms = bus_terms(self.net, self.dataset)
        net_in = sum(terms[k] for k in ("line_in", "line_out", "imports", "exports"))
        winter = net_in.index.month.isin(SEASON_WINTER)
        energy = net_in[winter].sum() * self.net.step_hours / 1e3
        return {str(bus): float(v) for bus, v in energy.items()}

    def summary(self) -> dict[str, Any]:
        ds, net = self.dataset, self.net
        generation = {**self._gwh(ds["generator_p_mw"], "generator"),
                      **self._gwh(ds["hydro_p_mw"], "hydro_plant")}
        winter = self.winter()
        unserved_winter = self._gwh(ds["unserved_mw"].where(winter, 0.0), "bus")
        return {
            "model": net.name,
            "scenario": net.scenario,
            "status": self.solve_info.get("status", "optimal"),
            "objective_usd": self.objective_usd,
            "period": {"start": str(net.time[0]), "end": str(net.run.ends[-1]),
                       "step": net.run.step_label, "steps": len(net.time)},
            "audit": self.audit.as_dict(),
            "solve": {k: self.solve_info.get(k) for k in (
                "solver", "build_s", "solve_s", "head_mode", "head_iterations",
                "head_energy_gap", "rows", "columns", "nonzeros")},
            "energy": {
                "generation_gwh": generation,
                "hydro_generation_gwh_by_bus": _by(self._gwh(ds["hydro_p_mw"], "hydro_plant"),
                                                   net.tables["hydro_plants"]["bus"]),
                "load_gwh": self._gwh(ds["load_mw"], "bus"),
                "unserved_gwh": self._gwh(ds["unserved_mw"], "bus"),
                "winter_unserved_gwh": unserved_winter,
                "winter_net_import_gwh": self._winter_net_imports(),
                "winter_deficit_gwh": {bus: unserved_winter[bus] + max(imports, 0.0)
                                       for bus, imports in self._winter_net_imports().items()},
                "export_gwh": self._gwh(ds["market_export_mw"], "market"),
                "import_gwh": self._gwh(ds["market_import_mw"], "market"),
            },
            "water": {
                "delivered_hm3": self._hm3(ds["withdrawal_m3s"], "water_demand"),
                "shortage_hm3": self._hm3(ds["shortage_m3s"], "water_demand"),
                "sink_inflow_hm3": self._hm3(ds["sink_inflow_m3s"], "sink"),
                "spill_hm3": self._hm3(ds["spill_m3s"], "reservoir"),
                "in_transit_hm3": {str(k): float(v) for k, v in zip(
                    ds["reach"].values, ds["reach_in_transit_hm3"].values, strict=True)},
                "evaporation_hm3": {str(k): float(v) for k, v in zip(
                    ds["reservoir"].values, ds["evaporation_hm3"].sum("time").values,
                    strict=True)},
            },
            "provenance": self.solve_info.get("provenance", {}),
            # what the loader and the solver noticed: valid, but probably not meant
            "warnings": [*net.warnings, *self.solve_info.get("warnings", [])],
        }

    # ---- writing ----
    def to_folder(self, folder: str | Path, extra: dict[str, Any] | None = None) -> Path:
        """Write results.nc and summary.json atomically (temporary folder, then rename)."""
        folder = Path(folder)
        with atomic_folder(folder) as tmp:
            self.dataset.to_netcdf(tmp / "results.nc", engine="h5netcdf")
            summary = self.summary()
            if extra:
                summary.update(extra)
            (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=_plain))
        return folder


def _by(values: dict[str, float], group: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in values.items():
        out[str(group[key])] = out.get(str(group[key]), 0.0) + value
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def provenance(net: Network, options: Any) -> dict[str, Any]:
    """What makes a run reproducible: the hashes of exactly the files it read, the
    ensemble member it used, versions, solver and options (as JSON values)."""
    packages = {}
    for name in ("vakhsh", "linopy", "highspy", "xarray", "pandas", "numpy"):
        try:
            packages[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing package is recorded as such
            packages[name] = None
    out = {"model_sha256": net.model_sha256, "files_sha256": dict(net.inputs.files)}
    if net.member is not None:
        out["inflows"] = net.member.as_dict()
    out.update({"packages": packages, "python": platform.python_version(),
                "options": {k: json_value(v) for k, v in vars(options).items()}})
    return out


def json_value(value: Any) -> Any:
    """A value as JSON holds it: numbers, text, true/false, null, lists and mappings stay
    what they are; paths and anything else become text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return str(value)
