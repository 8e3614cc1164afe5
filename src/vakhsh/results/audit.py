"""Every result audits itself from its own arrays, not from the LP's rows.

Water: for each reservoir and junction, storage change = volume in - volume out -
evaporation, per step. Energy: for each bus, supply = load, per step; for each storage
unit, the state of charge follows charge and discharge. The largest residual of each is
reported, absolute and relative to the total flow through that node or bus over the
horizon; above the tolerance the run fails.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.errors import AuditError
from vakhsh.network import Network
from vakhsh.results import metrics
from vakhsh.results.dataset import node_arrivals, node_departures


@dataclass(frozen=True)
class Residual:
    absolute: float  # hm3 or MWh
    relative: float  # share of the flow through that node or bus over the horizon
    where: str  # component id and step of the largest relative residual


@dataclass(frozen=True)
class AuditReport:
    water: Residual
    energy: Residual
    storage_units: Residual
    tolerance: float

    @property
    def passed(self) -> bool:
        return (
            max(self.water.relative, self.energy.relative, self.storage_units.relative)
            <= self.tolerance
        )

    def as_dict(self) -> dict:
        return {
            "water_max_residual_hm3": self.water.absolute,
            "water_max_relative": self.water.relative,
            "water_worst": self.water.where,
            "energy_max_residual_mwh": self.energy.absolute,
            "energy_max_relative": self.energy.relative,
            "energy_worst": self.energy.where,
            "storage_unit_max_residual_mwh": self.storage_units.absolute,
            "tolerance_relative": self.tolerance,
            "passed": self.passed,
        }


def _worst(residual: pd.DataFrame, throughput: pd.Series) -> Residual:
    if residual.size == 0:
        return Residual(0.0, 0.0, "")
    absolute = residual.abs()
    relative = absolute / throughput.clip(lower=1e-9)
    col = relative.max().idxmax()
    row = relative[col].idxmax()
    return Residual(
        float(absolute.to_numpy().max()),
        float(relative.to_numpy().max()),
        f"{col} at {pd.Timestamp(row):%Y-%m-%d %H:%M}",
    )


def audit_water(net: Network, ds: xr.Dataset) -> Residual:
    k = net.hm3_per_m3s
    data = {name: ds[name] for name in ds.data_vars}
    arrivals = node_arrivals(net, data, data).to_pandas()
    departures = node_departures(net, data).to_pandas()
    frames, through = [], []
    res_ids = list(net.ids("reservoirs"))
    if res_ids:
        storage = ds["storage_hm3"].transpose("time", "reservoir").to_pandas()[res_ids]
        start = storage.shift(1)
        start.iloc[0] = net.tables["reservoirs"].loc[res_ids, "storage_initial_hm3"]
        evaporation = ds["evaporation_hm3"].transpose("time", "reservoir").to_pandas()[res_ids]
        frames.append(storage - start - k * (arrivals[res_ids] - departures[res_ids]) + evaporation)
        through.append(
            k * np.maximum(arrivals[res_ids].sum(), departures[res_ids].sum())
            + net.tables["reservoirs"].loc[res_ids, "storage_initial_hm3"]
        )
    junctions = list(net.ids("junctions"))
    if junctions:
        frames.append(k * (arrivals[junctions] - departures[junctions]))
        through.append(k * np.maximum(arrivals[junctions].sum(), departures[junctions].sum()))
    if not frames:
        return Residual(0.0, 0.0, "")
    return _worst(pd.concat(frames, axis=1), pd.concat(through))


def audit_energy(net: Network, ds: xr.Dataset) -> Residual:
    if not len(net.ids("buses")):
        return Residual(0.0, 0.0, "")
    terms = [t.to_pandas() for t in metrics.bus_power_mw(net, ds).values()]
    h = net.step_hours
    residual = h * sum(terms)
    through = h * sum(t.abs() for t in terms).sum() / 2
    return _worst(residual, through)


def audit_storage_units(net: Network, ds: xr.Dataset) -> Residual:
    units = net.tables["storage_units"]
    if not len(units):
        return Residual(0.0, 0.0, "")
    h = net.step_hours
    soc = ds["storage_soc_mwh"].transpose("time", "storage_unit").to_pandas()
    start = soc.shift(1)
    cyclic = units["soc_cyclic"].fillna(False).astype(bool)
    start.iloc[0] = units["soc_initial_mwh"].where(~cyclic, soc.iloc[-1])
    from vakhsh.math.power import storage_efficiencies, storage_inflow_mw

    store, dispatch = (e.to_pandas() for e in storage_efficiencies(net))
    charge = ds["storage_charge_mw"].transpose("time", "storage_unit").to_pandas()
    discharge = ds["storage_discharge_mw"].transpose("time", "storage_unit").to_pandas()
    inflow = storage_inflow_mw(net).to_pandas()
    spill = (
        ds["storage_spill_mw"].transpose("time", "storage_unit").to_pandas()
        if "storage_spill_mw" in ds
        else 0.0 * inflow
    )
    residual = soc - start - h * (store * charge - discharge / dispatch + inflow - spill)
    through = (
        h * (charge.sum() + discharge.sum() + inflow.sum() + spill.sum())
        + units["soc_initial_mwh"]
        + 1.0
    )
    return _worst(residual, through)


def audit(net: Network, ds: xr.Dataset, tolerance: float) -> AuditReport:
    return AuditReport(
        water=audit_water(net, ds),
        energy=audit_energy(net, ds),
        storage_units=audit_storage_units(net, ds),
        tolerance=tolerance,
    )


def require_passed(report: AuditReport) -> None:
    if not report.passed:
        details = asdict(report)
        raise AuditError(
            "the result fails its own balance audit (relative tolerance "
            f"{report.tolerance:g}): water {details['water']}, energy "
            f"{details['energy']}, storage units {details['storage_units']}"
        )
