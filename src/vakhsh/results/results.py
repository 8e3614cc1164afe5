"""The Results of a run: the Dataset, its audit, a stable summary, and writing to disk."""

from __future__ import annotations

import hashlib
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
from vakhsh.results import metrics
from vakhsh.results.audit import AuditReport


@dataclass
class Results:
    net: Network
    dataset: xr.Dataset
    objective_usd: float
    audit: AuditReport
    solve_info: dict[str, Any] = field(default_factory=dict)

    # ---- summaries (every figure from vakhsh.results.metrics) ----
    def costs_usd(self) -> dict[str, float]:
        """The objective by kind (`metrics.costs_usd`); they sum to `objective_usd`."""
        return metrics.costs_usd(self.net, self.dataset)

    def summary(self) -> dict[str, Any]:
        ds, net = self.dataset, self.net
        winter = metrics.WINTER
        unserved_winter = _plain_map(metrics.unserved_gwh(net, ds, winter))
        by_winter = metrics.winter_deficit_by_year(net, ds)
        return {
            "model": net.name,
            "scenario": net.scenario,
            "status": self.solve_info.get("status", "optimal"),
            "objective_usd": self.objective_usd,
            "costs_usd": self.costs_usd(),
            "period": {"start": str(net.time[0]), "end": str(net.run.ends[-1]),
                       "step": net.run.step_label, "steps": len(net.time)},
            "audit": self.audit.as_dict(),
            "solve": {k: self.solve_info.get(k) for k in (
                "solver", "build_s", "solve_s", "head_mode", "head_iterations",
                "head_energy_gap", "rows", "columns", "nonzeros")},
            "energy": {
                "generation_gwh": _plain_map(metrics.generation_gwh(net, ds)),
                "hydro_generation_gwh_by_bus": _plain_map(metrics.hydro_gwh_by_bus(net, ds)),
                "load_gwh": _plain_map(metrics.load_gwh(net, ds)),
                "unserved_gwh": _plain_map(metrics.unserved_gwh(net, ds)),
                "winter_unserved_gwh": unserved_winter,
                "winter_net_import_gwh": _plain_map(metrics.net_import_gwh(net, ds, winter)),
                "winter_deficit_gwh": _plain_map(metrics.winter_deficit_gwh(net, ds)),
                "deficit_oct_apr_gwh": _plain_map(metrics.winter_deficit_gwh(
                    net, ds, metrics.WINTER_AND_APRIL)),
                "winter_deficit_by_winter_gwh": {
                    str(w): _plain_map(row) for w, row in by_winter.iterrows()},
                "export_gwh": _plain_map(metrics.market_gwh(net, ds)["export_gwh"]),
                "import_gwh": _plain_map(metrics.market_gwh(net, ds)["import_gwh"]),
                "winter_export_gwh": _plain_map(
                    metrics.market_gwh(net, ds, winter)["export_gwh"]),
            },
            "water": {
                "delivered_hm3": _plain_map(metrics.delivered_hm3(net, ds)),
                "shortage_hm3": _plain_map(metrics.shortage_hm3(net, ds)),
                "downstream_delivered_hm3": metrics.downstream_delivery_hm3(net, ds),
                "downstream_shortage_hm3": metrics.downstream_shortage_hm3(net, ds),
                "sink_inflow_hm3": _plain_map(metrics.sink_inflow_hm3(net, ds)),
                "aral_inflow_hm3": metrics.aral_inflow_hm3(net, ds),
                "spill_hm3": _plain_map(metrics.spill_hm3(net, ds)),
                "in_transit_hm3": {str(k): float(v) for k, v in zip(
                    ds["reach"].values, ds["reach_in_transit_hm3"].values, strict=True)},
                "evaporation_hm3": {str(k): float(v) for k, v in zip(
                    ds["reservoir"].values, ds["evaporation_hm3"].sum("time").values,
                    strict=True)},
            },
            "provenance": self.solve_info.get("provenance", {}),
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


def _plain_map(values) -> dict[str, float]:
    """A Series (or mapping) as {str: float}, for JSON."""
    return {str(k): float(v) for k, v in values.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def provenance(net: Network, options: Any) -> dict[str, Any]:
    """What makes a run reproducible: the model's hash, versions, solver and options."""
    digest = hashlib.sha256()
    if net.folder is not None:
        for path in sorted(net.folder.rglob("*")):
            if path.is_file() and path.suffix in (".yaml", ".yml", ".csv"):
                digest.update(path.relative_to(net.folder).as_posix().encode())
                digest.update(path.read_bytes())
    packages = {}
    for name in ("vakhsh", "linopy", "highspy", "xarray", "pandas", "numpy"):
        try:
            packages[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing package is recorded as such
            packages[name] = None
    return {"model_sha256": digest.hexdigest(), "packages": packages,
            "python": platform.python_version(),
            "options": {k: str(v) for k, v in vars(options).items()}}
