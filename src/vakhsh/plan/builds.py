"""A Network with built candidates added as ordinary components.

A candidate built at `size` becomes the component its template describes, with the size
in its size field (`candidate_component_fields`), validated like any component of
model.yaml and its series resolved to the run's steps. The result runs through the
ordinary engine (`vakhsh.optimise`), which gives audited results per investment year.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.errors import ModelError, Problem
from vakhsh.math.investment import STAGES, stage_plants
from vakhsh.network import Network
from vakhsh.network.series import SeriesError, SeriesResolver
from vakhsh.schema.components import KINDS, SERIES_FIELDS, Candidate
from vakhsh.schema.parse import candidate_component_fields, stage_template, validate_component
from vakhsh.schema.registry import BY_NAME, fill_defaults


def _stage_reservoir(tables: dict, template: dict) -> dict:
    """The reservoir as a built stage leaves it (`vakhsh.math.investment`, stages)."""
    stage = stage_template(template)
    res = tables["reservoirs"].copy()
    rid = stage.reservoir
    res.loc[rid, "storage_max_hm3"] = max(
        float(res.loc[rid, "storage_max_hm3"]), stage.storage_max_hm3
    )
    if stage.storage_min_hm3 is not None:
        res.loc[rid, "storage_min_hm3"] = max(
            float(res.loc[rid, "storage_min_hm3"]), stage.storage_min_hm3
        )
    if stage.storage_initial_hm3 is not None:
        res.loc[rid, "storage_initial_hm3"] = stage.storage_initial_hm3
    start = float(res.loc[rid, "storage_initial_hm3"])
    final = stage.storage_final_min_hm3 if stage.storage_final_min_hm3 is not None else start
    res.loc[rid, "storage_final_min_hm3"] = max(float(res.loc[rid, "storage_final_min_hm3"]), final)
    return {**tables, "reservoirs": res}


def _stage_plants(
    net: Network, tables: dict, series: dict, cids: list[str], replace: bool
) -> tuple[dict, dict]:
    """Each plant the stages `cids` rebuild, as a plant of its own at the stage's capacity,
    flow limit and fixed head (a plan's stage of size 1, or a built one); with `replace`
    the plant it rebuilds keeps no capacity (the network as built)."""
    rows = stage_plants(net.candidates.loc[cids])
    if not len(rows):
        return tables, series
    resolver = SeriesResolver(net.folder, net.run)
    plants = tables["hydro_plants"].copy()
    new = plants.loc[rows["plant"]].set_axis(pd.Index(rows.index, name="hydro_plant"))
    new["capacity_mw"] = rows["capacity_mw"].to_numpy(float)
    new["max_flow_m3s"] = rows["max_flow_m3s"].to_numpy(float)
    new["head_m"] = rows["head_m"].to_numpy(float)
    new["tailwater_masl"] = None
    new["available_from"] = pd.NaT
    if replace:
        plants.loc[rows["plant"], ["capacity_mw", "max_flow_m3s"]] = 0.0
    data = {
        name: (
            ("time", "hydro_plant"),
            np.column_stack(
                [
                    series["hydro_plants"][name].sel(hydro_plant=row.plant).values
                    for _sid, row in rows.iterrows()
                ]
            ),
        )
        for name in SERIES_FIELDS["hydro_plants"]
    }
    data["capacity_factor"] = (
        ("time", "hydro_plant"),
        np.column_stack(
            [
                resolver.resolve(
                    row.capacity_factor,
                    f"candidates.{row.candidate}.template.plants.{row.plant}.capacity_factor",
                )
                for _sid, row in rows.iterrows()
            ]
        ),
    )
    one = xr.Dataset(data, coords={"time": net.time, "hydro_plant": new.index})
    return (
        {**tables, "hydro_plants": pd.concat([plants, new])},
        {**series, "hydro_plants": xr.concat([series["hydro_plants"], one], dim="hydro_plant")},
    )


def candidate_object(net: Network, cid: str) -> Candidate:
    row = net.candidates.loc[cid]
    return Candidate.model_validate(
        {k: row[k] for k in Candidate.model_fields if not _missing(row[k])}
    )


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def with_candidates(net: Network) -> Network:
    """`net` with every candidate of a component kind as a component of size 1 (MW; power
    of storage units): the network a plan operates, whose candidates' sizes are decisions
    (their size-scaled fields hold values per unit of size). Reservoir stages are not
    components: they raise their reservoir (`vakhsh.math.investment.extendable_sizes`), and
    their versions of the plants they rebuild are plants of the stage's size (0 or 1)."""
    table = net.candidates
    ids = [c for c in table.index if table.loc[c, "component"] != STAGES]
    stages = [c for c in table.index if table.loc[c, "component"] == STAGES]
    if stages:  # their versions of the plants they rebuild are extendable plants
        tables, series = _stage_plants(net, net.tables, net.series, stages, replace=False)
        net = dataclasses.replace(net, tables=tables, series=series)
    return with_builds(net, dict.fromkeys(ids, 1.0))


def with_builds(net: Network, sizes_mw: Mapping[str, float]) -> Network:
    """`net` plus every candidate of `sizes_mw` with a positive size, as components
    (and no longer among the candidates)."""
    built = {c: float(s) for c, s in sizes_mw.items() if s > 1e-9}
    if not built:
        return net
    tables = dict(net.tables)
    series = dict(net.series)
    resolver = SeriesResolver(net.folder, net.run)
    problems: list[Problem] = []
    for cid, size in built.items():
        if net.candidates.loc[cid, "component"] == STAGES:
            tables = _stage_reservoir(tables, net.candidates.loc[cid, "template"])
            tables, series = _stage_plants(net, tables, series, [cid], replace=True)
            continue
        cand = candidate_object(net, cid)
        kind = cand.component
        cls, dim = KINDS[kind]
        comp, found = validate_component(
            cls, candidate_component_fields(cand, size), "model.yaml", f"candidates.{cid}.template"
        )
        if comp is None:
            problems += found
            continue
        if cid in tables[kind].index:
            problems.append(
                Problem("model.yaml", f"candidates.{cid}", f"a component of {kind} has the same id")
            )
            continue
        row = fill_defaults(
            kind, {f.column: getattr(comp, f.name) for f in BY_NAME[kind].fields if not f.series}
        )
        frame = pd.DataFrame([row], index=pd.Index([cid], name=dim))
        if "available_from" in frame:
            frame["available_from"] = pd.to_datetime(frame["available_from"])
        table = tables[kind]
        tables[kind] = (
            pd.concat([table, frame.reindex(columns=table.columns)])
            if len(table)
            else frame.reindex(columns=table.columns)
        )
        tables[kind].index.name = dim
        data = {}
        for name in SERIES_FIELDS[kind]:
            try:
                values = resolver.resolve(getattr(comp, name), f"candidates.{cid}.{name}")
            except SeriesError as exc:
                problems.append(exc.problem)
                values = np.zeros(len(net.time))
            data[name] = (("time", dim), values[:, None])
        one = xr.Dataset(data, coords={"time": net.time, dim: pd.Index([cid], name=dim)})
        series[kind] = (
            xr.concat([series[kind], one], dim=dim) if series[kind].sizes.get(dim, 0) else one
        )
    if problems:
        raise ModelError(problems)
    # what is built is a component now, no longer a candidate
    candidates = net.candidates.drop(index=list(built))
    return dataclasses.replace(net, tables=tables, series=series, candidates=candidates)
