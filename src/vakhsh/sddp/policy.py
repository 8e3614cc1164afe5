"""A trained policy on disk (`policy/` in the output folder) and back.

    policy/policy.json   what the cuts mean: model, horizon, stages, state vector, noise
                         (with the PAR(1) slopes), risk measure, cut kind, lower bounds
    policy/cuts.nc       every cut: stage, outcome (-1: single cut), iteration,
                         intercept_usd and slope (cut, state); the risk sets of multi-cut

A policy is simulated by rebuilding the stage LPs of the same model and horizon and adding
the saved cuts (`vakhsh sddp simulate MODEL --policy DIR --inflows OTHER.nc`). The stage
labels and the state vector must match; the model's hash is recorded so that a policy
applied to a changed model says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from vakhsh.errors import ModelError, Problem
from vakhsh.sddp.model import SDDPModel, add_risk_set
from vakhsh.sddp.state import StateSpace

FORMAT = 1
META = "policy.json"
CUTS = "cuts.nc"


@dataclass
class Policy:
    meta: dict
    cuts: xr.Dataset

    @property
    def states(self) -> StateSpace:
        return StateSpace.from_dict(self.meta["states"])

    @property
    def par_slopes(self) -> np.ndarray | None:
        slopes = self.meta.get("par1_slopes")
        return None if slopes is None else np.asarray(slopes, dtype=float)


def policy_of(
    model: SDDPModel, iterations: int, lower_bound_usd: float, model_sha256: str
) -> Policy:
    stage, outcome, iteration, intercept, slopes = [], [], [], [], []
    risk_stage, risk_sets = [], []
    for s, store in enumerate(model.cuts):
        a, b, k = store.arrays()
        stage += [s] * len(a)
        outcome += list(k)
        iteration += list(store.iteration)
        intercept += list(a)
        slopes += list(b)
        if store.outcomes:
            for xi in store.risk_sets:
                risk_stage.append(s)
                risk_sets.append(xi)
    n_state = len(model.states)
    cuts = xr.Dataset(
        {
            "stage": ("cut", np.asarray(stage, dtype=np.int32)),
            "outcome": ("cut", np.asarray(outcome, dtype=np.int32)),
            "iteration": ("cut", np.asarray(iteration, dtype=np.int32)),
            "intercept_usd": ("cut", np.asarray(intercept, dtype=float)),
            "slope": (("cut", "state"), np.asarray(slopes, dtype=float).reshape(-1, n_state)),
        },
        coords={"state": model.states.names},
    )
    cuts["slope"].attrs["units"] = "USD per unit of the state (hm3, MWh, m3/s)"
    if risk_sets:
        cuts["risk_stage"] = ("risk_set", np.asarray(risk_stage, dtype=np.int32))
        cuts["risk_probability"] = (("risk_set", "next_outcome"), np.vstack(risk_sets))
    noise = model.noise
    meta = {
        "format": FORMAT,
        "model": model.net.name,
        "scenario": model.net.scenario,
        "model_sha256": model_sha256,
        "horizon": {
            "start": str(model.net.time[0]),
            "end": str(model.net.run.ends[-1]),
            "step": model.net.run.step_label,
        },  # as load_network takes them
        "stage_kind": model.options.stage,
        "stages": [st.label for st in model.stages],
        "states": model.states.as_dict(),
        "noise": noise.name,
        "par1_slopes": getattr(noise, "slopes", None).tolist()
        if getattr(noise, "slopes", None) is not None
        else None,
        "risk": model.risk.spec,
        "cut": model.options.cut,
        "head": model.options.head,  # the stage LPs' head model: the cuts belong to it
        "outcomes_per_stage": [int(noise.outcomes(s)) for s in range(len(model.stages))],
        "lower_bounds_usd": [store.lower_usd for store in model.cuts],
        "iterations": iterations,
        "lower_bound_usd": lower_bound_usd,
        "trained_on": str(model.inflows.path),
    }
    return Policy(meta=meta, cuts=cuts)


def write_policy(policy: Policy, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / META).write_text(json.dumps(policy.meta, indent=2))
    policy.cuts.to_netcdf(folder / CUTS, engine="h5netcdf")


def read_policy(folder: str | Path) -> Policy:
    folder = Path(folder)
    meta_path = folder / META
    if not meta_path.is_file():
        raise ModelError([Problem(str(folder), "", f"not a policy folder (no {META})")])
    try:
        meta = json.loads(meta_path.read_text())
        with xr.open_dataset(folder / CUTS, engine="h5netcdf") as ds:
            cuts = ds.load()
    except (OSError, ValueError) as exc:
        raise ModelError([Problem(str(folder), "", f"cannot read the policy: {exc}")]) from None
    if meta.get("format") != FORMAT:
        raise ModelError(
            [Problem(str(meta_path), "format", f"expected {FORMAT}", meta.get("format"))]
        )
    return Policy(meta=meta, cuts=cuts)


def check_compatible(policy: Policy, model: SDDPModel) -> None:
    problems = []
    stages = [st.label for st in model.stages]
    if stages != policy.meta["stages"]:
        problems.append(
            Problem(
                META,
                "stages",
                "the policy was trained on other stages "
                f"({policy.meta['stages'][0]} .. {policy.meta['stages'][-1]},"
                f" {len(policy.meta['stages'])} stages)",
                f"model: {stages[0]} .. {stages[-1]}, {len(stages)} stages",
            )
        )
    if model.states.names != policy.states.names:
        problems.append(
            Problem(
                META,
                "states",
                "the policy's state vector differs from the "
                "model's (reservoirs, storage units or delayed reaches "
                "changed)",
                ", ".join(policy.states.names[:6]),
            )
        )
    if problems:
        raise ModelError(problems)


def load_cuts(policy: Policy, model: SDDPModel) -> None:
    """Add the policy's cuts (and risk sets) to the stage problems of `model`."""
    check_compatible(policy, model)
    ds = policy.cuts
    stage = ds["stage"].values
    for j in range(len(stage)):
        s, k = int(stage[j]), int(ds["outcome"].values[j])
        a, b = float(ds["intercept_usd"].values[j]), ds["slope"].values[j]
        problem = model.problems[s]
        problem.add_cut(a, b, column=int(problem.phi[k]) if k >= 0 else None)
        model.cuts[s].add(a, b, k, int(ds["iteration"].values[j]))
    if "risk_stage" in ds:
        for s, xi in zip(ds["risk_stage"].values, ds["risk_probability"].values, strict=True):
            add_risk_set(model, int(s), xi)
