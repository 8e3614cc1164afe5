"""The output folder of `vakhsh sddp` (and `vakhsh sddp simulate`), written atomically.

summary.json        the usual stable keys plus `sddp` (summary.py)
simulation.nc       the simulated members: the usual result variables with a `member` dim
members.csv         per member: cost, winter deficit by bus, end-target shortfall,
                    exact-vs-LP hydro energy gap (and perfect foresight's cost and
                    winter deficit when asked for)
water_values.csv    stage, reservoir, storage_hm3, value_usd_per_hm3 (water_values.py)
training.csv        one row per iteration: bounds, simulated gap, times, cuts, solves
policy/             the cuts, reloadable (policy.py)
report.html         headline figures, water-value surfaces, storage fan charts
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd

from vakhsh.outputs import output_folder
from vakhsh.sddp.policy import write_policy
from vakhsh.sddp.summary import member_table

SIMULATION = "simulation.nc"


def training_table(log) -> pd.DataFrame:
    rows = [dataclasses.asdict(it) | {"gap": it.gap} for it in log.iterations]
    return pd.DataFrame(rows)


def members_table(run) -> pd.DataFrame:
    sim = run.simulation
    table = member_table(run)
    frame = pd.DataFrame({"member": sim.members, "cost_usd": table["cost_usd"]})
    for bus, values in table["winter_deficit_gwh"].items():
        frame[f"winter_deficit_gwh_{bus}"] = values
    for rid in sim.end_shortfall_hm3.columns:
        if sim.end_shortfall_hm3[rid].max() > 0:
            frame[f"end_shortfall_hm3_{rid}"] = sim.end_shortfall_hm3[rid].to_numpy()
    for family in sim.violations.columns:
        if sim.violations[family].max() > 1e-6:
            frame["violation_" + family.split(" (")[0].replace(" ", "_")] = sim.violations[
                family
            ].to_numpy()
    frame["hydro_energy_gap"] = sim.energy_gap
    if run.foresight is not None:  # the same members' deterministic LPs
        for column in run.foresight.columns:
            frame["perfect_foresight_" + column] = run.foresight[column].to_numpy()
    return frame


SDDP_KIND = "sddp"


def write_run(
    run, folder: Path, report: bool = True, overwrite: bool = False, option: str | None = None
) -> Path:
    """The run's files into `folder`, atomically (see vakhsh.outputs: an existing folder
    is replaced only when it is an SDDP output vakhsh wrote and `overwrite` is set)."""
    extra = {} if option is None else {"option": option}
    with output_folder(folder, SDDP_KIND, overwrite, **extra) as tmp:
        write_files(run, tmp, report)
    return folder


def write_files(run, tmp: Path, report: bool = True) -> None:
    """Every file of the run into `tmp`, a folder being built by `output_folder`."""
    summary = run.summary()
    (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=_plain))
    if run.simulation is not None:
        ds = run.simulation.dataset
        encoding = {
            name: {"compression": "gzip", "compression_opts": 1}
            for name in ds.data_vars
            if ds[name].dtype.kind == "f"
        }
        ds.to_netcdf(tmp / SIMULATION, engine="h5netcdf", encoding=encoding)
        members_table(run).to_csv(tmp / "members.csv", index=False)
    run.water_values().to_csv(tmp / "water_values.csv", index=False)
    if run.log.iterations:
        training_table(run.log).to_csv(tmp / "training.csv", index=False)
    write_policy(run.policy, tmp / "policy")
    if report:
        from vakhsh.sddp.report import write_sddp_report

        write_sddp_report(run, summary, tmp)


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
