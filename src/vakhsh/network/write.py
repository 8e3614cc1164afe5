"""Write a Network back to a model folder that loads again into an equal Network.

Static fields go to model.yaml; each time-varying field that is not constant goes to one
`time`-layout CSV per kind and field at the run's own steps, so reading it back at the
same steps reproduces every value exactly. The written model holds the scenario already
applied, so it carries no scenarios of its own.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from vakhsh.network.network import Network
from vakhsh.schema.components import KINDS, SERIES_FIELDS, STAGES
from vakhsh.schema.parse import MODEL_FILE


def write_network(net: Network, folder: str | Path, overwrite: bool = False) -> Path:
    """Write `net` as a model folder, atomically (a temporary folder renamed at the end).

    An existing folder is replaced only when it is a model folder vakhsh wrote and
    `overwrite=True` (see vakhsh.outputs)."""
    from vakhsh.outputs import output_folder

    folder = Path(folder)
    with output_folder(folder, "model", overwrite=overwrite) as tmp:
        model = _model_dict(net, tmp)
        with open(tmp / MODEL_FILE, "w", encoding="utf-8") as fh:
            yaml.safe_dump(model, fh, sort_keys=False, allow_unicode=True)
    return folder


def _model_dict(net: Network, folder: Path) -> dict[str, Any]:
    model: dict[str, Any] = {
        "format": 1,
        "name": net.name,
        "description": net.description,
        "time": {
            "start": _stamp(net.time[0]),
            "end": _stamp(net.run.ends[-1]),
            "step": net.run.step_label,
        },
        "currency": net.currency,
        "discount_rate": net.discount_rate,
    }
    for kind, (cls, dim) in KINDS.items():
        table = net.tables[kind]
        if len(table) == 0:
            continue
        section: dict[str, Any] = {}
        for cid, row in table.iterrows():
            fields = {}
            for name, value in row.items():
                clean = _plain(value)
                if clean is not None:
                    fields[_written(cls, name)] = clean
            section[str(cid)] = fields
        for name in SERIES_FIELDS[kind]:
            values = net.series[kind][name].transpose("time", dim).to_pandas()
            varying = [
                c for c in values.columns if np.any(values[c].to_numpy() != values[c].iloc[0])
            ]
            file = f"{kind}_{name}.csv"
            for cid in values.columns:
                column = values[cid].to_numpy()
                if cid in varying:
                    section[str(cid)][name] = f"series:{file}#{cid}"
                elif np.isfinite(column[0]):
                    section[str(cid)][name] = float(column[0])
                # infinite constants are an unset optional bound (max_flow_m3s): leave out
            if varying:
                frame = values[varying].copy()
                frame.insert(0, "time", [_stamp(t) for t in values.index])
                frame.to_csv(folder / file, index=False, float_format="%.17g")
        model[kind] = section
    if len(net.candidates):
        model["candidates"] = {
            str(cid): _candidate_fields(row) for cid, row in net.candidates.iterrows()
        }
        _copy_series_files(net, model["candidates"], folder)
    return model


# a reservoir stage is costed per stage; every other candidate per kW of its size
STAGE_FIELDS = ("component", "template", "capex_usd", "fom_usd_per_year", "lifetime_years")
PER_STAGE = ("capex_usd", "fom_usd_per_year")


def _candidate_fields(row: pd.Series) -> dict[str, Any]:
    """The fields of a candidate as written in model.yaml (not the derived ones)."""
    if row["component"] == STAGES:
        names = STAGE_FIELDS
    else:
        names = [k for k in row.index if k not in PER_STAGE]
    return {k: _plain(row[k]) for k in names if _plain(row[k]) is not None}


def _template_values(template: Any):
    if isinstance(template, dict):
        for value in template.values():
            yield from _template_values(value)
    else:
        yield template


def _copy_series_files(net: Network, candidates: dict[str, Any], folder: Path) -> None:
    """Candidate templates may reference the source folder's CSVs: bring them along."""
    for cand in candidates.values():
        for value in _template_values(cand.get("template", {})):
            if isinstance(value, str) and value.startswith("series:") and net.folder:
                file = value.removeprefix("series:").split("#")[0]
                if (net.folder / file).is_file() and not (folder / file).exists():
                    shutil.copy(net.folder / file, folder / file)


def _written(cls, attribute: str) -> str:
    field = cls.model_fields.get(attribute) or cls.model_fields.get(attribute + "_")
    return (field.alias or attribute) if field is not None else attribute


def _plain(value: Any) -> Any:
    """A YAML-safe plain value, or None for missing."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return _stamp(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _stamp(ts: pd.Timestamp) -> str:
    return pd.Timestamp(ts).isoformat()
