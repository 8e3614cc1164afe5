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
from vakhsh.math.investment import STAGES
from vakhsh.network import Network
from vakhsh.network.series import SeriesError, SeriesResolver
from vakhsh.schema.components import KINDS, SERIES_FIELDS, Candidate
from vakhsh.schema.parse import candidate_component_fields, validate_component


def candidate_object(net: Network, cid: str) -> Candidate:
    row = net.candidates.loc[cid]
    return Candidate.model_validate({k: row[k] for k in Candidate.model_fields
                                     if not _missing(row[k])})


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def with_candidates(net: Network) -> Network:
    """`net` with every candidate of a component kind as a component of size 1 (MW; power
    of storage units): the network a plan operates, whose candidates' sizes are decisions
    (their size-scaled fields hold values per unit of size). Reservoir stages are not
    components: they raise their reservoir (`vakhsh.math.investment.extendable_sizes`)."""
    table = net.candidates
    ids = [c for c in table.index if table.loc[c, "component"] != STAGES]
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
            template = net.candidates.loc[cid, "template"]
            table = tables["reservoirs"].copy()
            rid = template["reservoir"]
            table.loc[rid, "storage_max_hm3"] = max(float(table.loc[rid, "storage_max_hm3"]),
                                                    float(template["storage_max_hm3"]))
            tables["reservoirs"] = table
            continue
        cand = candidate_object(net, cid)
        kind = cand.component
        cls, dim = KINDS[kind]
        comp, found = validate_component(cls, candidate_component_fields(cand, size),
                                         "model.yaml", f"candidates.{cid}.template")
        if comp is None:
            problems += found
            continue
        if cid in tables[kind].index:
            problems.append(Problem("model.yaml", f"candidates.{cid}", "a component of "
                                    f"{kind} has the same id"))
            continue
        static = [n for n in cls.model_fields if n not in SERIES_FIELDS[kind]]
        row = {n.rstrip("_"): getattr(comp, n) for n in static}
        if kind == "storage_units" and row.get("soc_final_min_mwh") is None:
            row["soc_final_min_mwh"] = row["soc_initial_mwh"]
        frame = pd.DataFrame([row], index=pd.Index([cid], name=dim))
        if "available_from" in frame:
            frame["available_from"] = pd.to_datetime(frame["available_from"])
        table = tables[kind]
        tables[kind] = pd.concat([table, frame.reindex(columns=table.columns)]) \
            if len(table) else frame.reindex(columns=table.columns)
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
        series[kind] = xr.concat([series[kind], one], dim=dim) if series[kind].sizes.get(
            dim, 0) else one
    if problems:
        raise ModelError(problems)
    # what is built is a component now, no longer a candidate
    candidates = net.candidates.drop(index=list(built))
    return dataclasses.replace(net, tables=tables, series=series, candidates=candidates)
