"""Open a run folder (results.nc, summary.json, model/) as a Results-like object."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.errors import ModelError, Problem
from vakhsh.network import Network, load_network
from vakhsh.results.dataset import record_step, recorded_step_hours
from vakhsh.results.islands import supplied_buses

MODEL_COPY = "model"


@dataclass
class RunData:
    """What `vakhsh report` and `vakhsh compare` need of a run: the same `.net`,
    `.dataset` and `.summary()` as a `vakhsh.results.Results`."""

    net: Network
    dataset: xr.Dataset
    summary_data: dict[str, Any]
    folder: Path | None = None

    def summary(self) -> dict[str, Any]:
        return self.summary_data

    @property
    def label(self) -> str:
        return run_label(self)


def run_label(run) -> str:
    """A short name for a run: its folder name, else model/scenario."""
    folder = getattr(run, "folder", None)
    if folder is not None:
        return Path(folder).name
    return f"{run.net.name}/{run.net.scenario or 'model'}"


def _fail(path: Path, message: str) -> ModelError:
    return ModelError([Problem(str(path), "", message)])


def load_run(run_dir: str | Path) -> RunData:
    """Load a run folder written by `vakhsh run`; a clear ModelError when it is not one."""
    folder = Path(run_dir)
    if not folder.is_dir():
        raise _fail(folder, "not a folder (expected a run folder written by `vakhsh run`)")
    missing = [n for n in ("results.nc", "summary.json") if not (folder / n).is_file()]
    if missing:
        raise _fail(folder, f"not a run folder: no {' and no '.join(missing)}")
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _fail(folder / "summary.json", f"cannot be read as JSON ({exc})") from None
    try:
        with xr.open_dataset(folder / "results.nc", engine="h5netcdf") as ds:
            dataset = ds.load()
    except (OSError, ValueError) as exc:
        reason = str(exc).split(". Try ")[0]  # xarray's advice (cftime) does not apply
        raise _fail(folder / "results.nc", f"cannot be read as netCDF ({reason})") from None
    if not isinstance(summary, dict):
        raise _fail(
            folder / "summary.json",
            "is not a summary written by `vakhsh run` "
            f"(expected a mapping, found {type(summary).__name__})",
        )
    net = _network(folder, summary)
    problems = dataset_problems(dataset, net, str(folder / "results.nc"))
    if problems:
        raise ModelError(problems)
    if net.scenario is None and summary.get("scenario"):
        net = _with_scenario(net, summary["scenario"])
    recorded = recorded_step_hours(dataset)
    if recorded is not None and recorded != net.step_hours:
        raise _fail(
            folder / "results.nc",
            f"records steps of {recorded:g} h, but the model "
            f"of the run has steps of {net.step_hours:g} h",
        )
    if "price_usd_per_mwh" in dataset:  # results written before prices were masked
        dataset["price_usd_per_mwh"] = dataset["price_usd_per_mwh"].where(supplied_buses(net))
    return RunData(net=net, dataset=record_step(dataset, net), summary_data=summary, folder=folder)


def dataset_problems(ds: xr.Dataset, net: Network, file: str) -> list[Problem]:
    """What makes a results file unusable with its model: a variable the reports read
    that is missing or not numeric, a time axis other than the model's steps, component
    ids other than the model's."""
    from vakhsh.results.dataset import UNITS
    from vakhsh.schema.components import KINDS
    from vakhsh.schema.registry import OUTPUTS

    problems = []
    # duals exist only where their balance does: bus prices, reservoir water values
    only_with = {"price_usd_per_mwh": "buses", "water_value_usd_per_hm3": "reservoirs"}
    # written only by head models that recompute the energy exactly (iterate, FPHA)
    head_model_only = {name for name, (out, _kind) in OUTPUTS.items() if not out.always}
    missing = [
        name
        for name in UNITS
        if name not in ds.data_vars
        and name not in head_model_only
        and (name not in only_with or len(net.tables[only_with[name]]))
    ]
    if missing:
        problems.append(
            Problem(
                file,
                missing[0],
                f"variable missing ({len(missing)} of the "
                f"{len(UNITS)} that vakhsh writes are missing)",
                ", ".join(missing[:5]),
            )
        )
    for name in UNITS:
        if name in ds.data_vars and not np.issubdtype(ds[name].dtype, np.number):
            problems.append(Problem(file, name, "is not numeric", str(ds[name].dtype)))
    if "time" not in ds.coords or not np.issubdtype(ds["time"].dtype, np.datetime64):
        problems.append(Problem(file, "time", "no time axis of dates"))
    elif not pd.DatetimeIndex(ds["time"].values).equals(pd.DatetimeIndex(net.time)):
        problems.append(
            Problem(
                file,
                "time",
                f"the steps are not the model's ({len(net.time)} steps from {net.time[0]})",
                f"{ds.sizes['time']} steps",
            )
        )
    for kind, (_cls, dim) in KINDS.items():
        if dim in ds.coords and [str(v) for v in ds[dim].values] != list(net.ids(kind)):
            problems.append(
                Problem(
                    file,
                    dim,
                    f"the {kind.replace('_', ' ')} are not the model's",
                    ", ".join(map(str, ds[dim].values[:5])),
                )
            )
    return problems


def _network(folder: Path, summary: dict[str, Any]) -> Network:
    """The model copy in the run folder; else the embedded dataset the run was made from,
    when its hash still matches."""
    if (folder / MODEL_COPY / "model.yaml").is_file():
        return load_network(folder / MODEL_COPY)
    from vakhsh.network import embedded_datasets

    name = summary.get("model")
    period = summary.get("period")
    period = period if isinstance(period, dict) else {}
    if isinstance(name, str) and name in embedded_datasets():
        net = load_network(
            name,
            scenario=summary.get("scenario"),
            start=period.get("start"),
            end=period.get("end"),
            step=period.get("step"),
        )
        prov = summary.get("provenance")
        recorded = prov.get("model_sha256") if isinstance(prov, dict) else None
        if recorded is None or net.model_sha256 == recorded:
            return net
    raise _fail(
        folder,
        f"no {MODEL_COPY}/ folder with the model of this run (it is written "
        "with report.html); run `vakhsh run` again with the report on",
    )


def _with_scenario(net: Network, scenario: str) -> Network:
    from dataclasses import replace

    return replace(net, scenario=scenario)
