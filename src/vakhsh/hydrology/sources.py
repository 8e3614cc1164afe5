"""What a model folder offers for inflow generation: measured records, or thin data.

:func:`model_inputs` reads, for a loaded Network, either ``inflow_records.csv`` (historical
monthly flows, one column per catchment) or the monthly climatology of each catchment plus
``inflow_stats.csv`` (CV of annual flow). :func:`fit_for_model` picks the generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from vakhsh.hydrology.errors import InflowError
from vakhsh.hydrology.kirsch_nowak import fit_kirsch
from vakhsh.hydrology.par import fit_par1
from vakhsh.hydrology.records import read_inflow_records
from vakhsh.hydrology.thin import ThinParams, cv_with_fallback, estimate_thin_params, fit_thin

RECORDS_FILE = "inflow_records.csv"
STATS_FILE = "inflow_stats.csv"
METHODS = ("auto", "par1", "kirsch-nowak", "thin")


@dataclass
class ModelInputs:
    catchments: list[str]
    start: pd.Timestamp
    folder: Path | None
    records: pd.DataFrame | None = None
    climatology: pd.DataFrame | None = None  # index month 1..12, columns catchments
    stats_table: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def climatology_from_network(net) -> pd.DataFrame:
    """Monthly climatology per catchment: read directly from a ``month`` CSV when the
    catchment's ``inflow_m3s`` names one, else the run's series averaged by calendar month."""
    catchments = [str(c) for c in net.tables["catchments"].index]
    series = net.series["catchments"]["inflow_m3s"].to_pandas()
    out = {}
    raw = (getattr(net, "source", None) or {}).get("catchments", {}) or {}
    cache: dict[Path, pd.DataFrame] = {}
    for c in catchments:
        ref = (raw.get(c) or {}).get("inflow_m3s")
        if isinstance(ref, (int, float)):
            out[c] = np.full(12, float(ref))
            continue
        if isinstance(ref, str) and ref.startswith("series:") and net.folder is not None:
            name, _, col = ref[len("series:") :].partition("#")
            path = Path(net.folder) / name
            if path not in cache and path.is_file():
                cache[path] = pd.read_csv(path)
            table = cache.get(path)
            if table is not None and "month" in table.columns and col in table.columns:
                t = table.set_index("month")[col]
                out[c] = t.reindex(range(1, 13)).to_numpy(dtype=float)
                continue
        months = pd.DatetimeIndex(series.index).month
        by_month = series[c].groupby(months).mean().reindex(range(1, 13))
        if by_month.isna().any():
            raise InflowError(
                str(net.folder),
                f"catchments.{c}.inflow_m3s",
                "the run does not cover all 12 months; cannot form a climatology",
            )
        out[c] = by_month.to_numpy()
    return pd.DataFrame(out, index=pd.Index(range(1, 13), name="month"))


def model_inputs(net) -> ModelInputs:
    """Records (if any), the model's monthly climatology and ``inflow_stats.csv`` (if any)."""
    catchments = [str(c) for c in net.tables["catchments"].index]
    folder = Path(net.folder) if net.folder is not None else None
    start = pd.Timestamp(net.time[0])
    start = pd.Timestamp(year=start.year, month=start.month, day=1)
    inputs = ModelInputs(catchments, start, folder)
    if folder is not None and (folder / RECORDS_FILE).is_file():
        rec = read_inflow_records(folder / RECORDS_FILE)
        inputs.records = rec[[c for c in catchments if c in rec.columns]]
    inputs.climatology = climatology_from_network(net)
    if folder is not None and (folder / STATS_FILE).is_file():
        inputs.stats_table = pd.read_csv(folder / STATS_FILE)
    return inputs


def choose_method(inputs: ModelInputs, method: str) -> tuple[str, str]:
    """(method, why): `auto` takes PAR(1) on records where the folder has them, else the
    thin-data method; a method named explicitly that cannot be honoured is an error naming
    the reason and the alternative, never a silent substitute."""
    if method not in METHODS:
        raise InflowError("--method", method, f"must be one of {', '.join(METHODS)}")
    has_records = inputs.records is not None
    if method == "auto":
        if has_records:
            return "par1", f"auto: {RECORDS_FILE} found, so PAR(1) is fitted to it"
        return "thin", (
            f"auto: no {RECORDS_FILE} in the model folder, so the thin-data "
            f"method (monthly climatology and {STATS_FILE})"
        )
    if method in ("par1", "kirsch-nowak") and not has_records:
        where = inputs.folder / RECORDS_FILE if inputs.folder else RECORDS_FILE
        raise InflowError(
            "--method",
            method,
            f"needs {where} (a historical monthly record: "
            "a time column and one column per catchment), which the model "
            "folder does not have; use --method thin (the model's monthly "
            f"climatology and {STATS_FILE}) or --method auto",
        )
    return method, f"{method}, as asked"


def fit_for_model(
    inputs: ModelInputs, method: str, params: ThinParams | None = None, match_annual_cv: bool = True
):
    """The fitted generator for a model (the method as `choose_method` decides).

    * ``par1`` / ``kirsch-nowak``: fitted to ``inflow_records.csv``, which must have a column
      for every catchment.
    * ``thin``: the model's climatology and ``inflow_stats.csv``; when records exist, the
      :class:`ThinParams` are estimated from them (with at least two gauges).
    """
    method, why = choose_method(inputs, method)
    notes: list[str] = [f"method {why}"]
    if method != "thin":
        missing = [c for c in inputs.catchments if c not in inputs.records.columns]
        if missing:
            where = inputs.folder / RECORDS_FILE if inputs.folder else RECORDS_FILE
            raise InflowError(
                where,
                missing[0],
                "no record for this catchment (the file needs a "
                "column for every catchment; or use --method thin)",
            )
        return (
            fit_par1(inputs.records, match_annual_cv=match_annual_cv)
            if method == "par1"
            else fit_kirsch(inputs.records)
        )
    clim = inputs.climatology
    if clim is None:
        raise InflowError("model", "catchments", "no monthly climatology")
    if params is None and inputs.records is not None and inputs.records.shape[1] >= 2:
        params = estimate_thin_params(inputs.records)
        notes.append(f"thin-data parameters estimated from {RECORDS_FILE}: {params}")
    table = (
        inputs.stats_table
        if inputs.stats_table is not None
        else pd.DataFrame(columns=["catchment", "cv_annual"])
    )
    cv, cv_notes = cv_with_fallback(table, clim)
    return fit_thin(clim, cv, params, notes + cv_notes)
