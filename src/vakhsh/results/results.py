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
        # the bus balance terms once for the four metrics built on them (the most costly
        # part of a summary, which SDDP simulation makes once per member)
        terms = metrics.bus_power_mw(net, ds)
        by_winter = metrics.winter_deficit_by_year(net, ds, terms=terms)
        market, winter_market = metrics.market_gwh(net, ds), metrics.market_gwh(net, ds, winter)
        return {
            "model": net.name,
            "scenario": net.scenario,
            "status": self.solve_info.get("status", "optimal"),
            "objective_usd": self.objective_usd,
            "costs_usd": self.costs_usd(),
            "period": {
                "start": str(net.time[0]),
                "end": str(net.run.ends[-1]),
                "step": net.run.step_label,
                "steps": len(net.time),
            },
            "audit": self.audit.as_dict(),
            "solve": {
                k: self.solve_info.get(k)
                for k in (
                    "solver",
                    "algorithm",
                    "build_s",
                    "solve_s",
                    "head_mode",
                    "head_iterations",
                    "head_energy_gap",
                    "fpha",
                    "storage_tie_break_usd",
                    "rows",
                    "columns",
                    "nonzeros",
                    "rolling",
                    "start",
                )
            },
            "energy": {
                "generation_gwh": _plain_map(metrics.generation_gwh(net, ds)),
                "hydro_generation_gwh_by_bus": _plain_map(metrics.hydro_gwh_by_bus(net, ds)),
                "load_gwh": _plain_map(metrics.load_gwh(net, ds)),
                "unserved_gwh": _plain_map(metrics.unserved_gwh(net, ds)),
                "winter_unserved_gwh": unserved_winter,
                "winter_net_import_gwh": _plain_map(metrics.net_import_gwh(net, ds, winter, terms)),
                "winter_deficit_gwh": _plain_map(metrics.winter_deficit_gwh(net, ds, terms=terms)),
                "deficit_oct_apr_gwh": _plain_map(
                    metrics.winter_deficit_gwh(net, ds, metrics.WINTER_AND_APRIL, terms)
                ),
                "winter_deficit_by_winter_gwh": {
                    str(w): _plain_map(row) for w, row in by_winter.iterrows()
                },
                "export_gwh": _plain_map(market["export_gwh"]),
                "import_gwh": _plain_map(market["import_gwh"]),
                "winter_export_gwh": _plain_map(winter_market["export_gwh"]),
            },
            # per bus, null where it has no price (vakhsh.results.islands)
            "prices": {
                "mean_usd_per_mwh": _plain_or_null(metrics.mean_price_usd_per_mwh(net, ds)),
                "winter_mean_usd_per_mwh": _plain_or_null(
                    metrics.mean_price_usd_per_mwh(net, ds, winter)
                ),
            }
            if "price_usd_per_mwh" in ds
            else {},
            "water": {
                "delivered_hm3": _plain_map(metrics.delivered_hm3(net, ds)),
                "shortage_hm3": _plain_map(metrics.shortage_hm3(net, ds)),
                "downstream_delivered_hm3": metrics.downstream_delivery_hm3(net, ds),
                "downstream_shortage_hm3": metrics.downstream_shortage_hm3(net, ds),
                "sink_inflow_hm3": _plain_map(metrics.sink_inflow_hm3(net, ds)),
                "aral_inflow_hm3": metrics.aral_inflow_hm3(net, ds),
                "spill_hm3": _plain_map(metrics.spill_hm3(net, ds)),
                "in_transit_hm3": {
                    str(k): float(v)
                    for k, v in zip(
                        ds["reach"].values, ds["reach_in_transit_hm3"].values, strict=True
                    )
                },
                "evaporation_hm3": {
                    str(k): float(v)
                    for k, v in zip(
                        ds["reservoir"].values,
                        ds["evaporation_hm3"].sum("time").values,
                        strict=True,
                    )
                },
            },
            "provenance": self.solve_info.get("provenance", {}),
            # what the loader and the solver noticed: valid, but probably not meant
            "warnings": [*net.warnings, *self.solve_info.get("warnings", [])],
        }

    # ---- writing ----
    def to_folder(
        self, folder: str | Path, extra: dict[str, Any] | None = None, overwrite: bool = False
    ) -> Path:
        """Write a run folder: results.nc, summary.json and its marker, all at once.

        A folder that exists is refused (`vakhsh.outputs.OutputError`) unless it is an
        earlier run folder vakhsh wrote and `overwrite=True`: nothing else is replaced.
        """
        from vakhsh.outputs import output_folder

        with output_folder(folder, "run", overwrite=overwrite) as tmp:
            self.write_files(tmp, extra)
        return Path(folder)

    def write_files(self, folder: str | Path, extra: dict[str, Any] | None = None) -> None:
        """results.nc and summary.json into `folder` (an output folder being built)."""
        folder = Path(folder)
        self.dataset.to_netcdf(folder / "results.nc", engine="h5netcdf")
        summary = self.summary()
        if extra:
            summary.update(extra)
        (folder / "summary.json").write_text(json.dumps(summary, indent=2, default=_plain))


def _plain_map(values) -> dict[str, float]:
    """A Series (or mapping) as {str: float}, for JSON."""
    return {str(k): float(v) for k, v in values.items()}


def _plain_or_null(values) -> dict[str, float | None]:
    """A Series as {str: float}, NaN as null (JSON has no NaN)."""
    return {str(k): None if v != v else float(v) for k, v in values.items()}


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
    out.update(
        {
            "packages": packages,
            "python": platform.python_version(),
            "options": {k: json_value(v) for k, v in vars(options).items()},
        }
    )
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
