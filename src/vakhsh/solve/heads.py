"""How hydropower's head enters the LP: fixed head or successive LP (and, later, FPHA).

A head model gives the head and evaporation parameters of every build and says when a
solved LP is final; after the last solve it may add to the results (the exact energy).

* `FixedHead`: `head_m`, or the level at `storage_initial_hm3` minus `tailwater_masl`;
  evaporation from the area at the initial storage; one build.
* `SuccessiveLP`: solve at fixed head; set each plant's head per step from the solved
  storage path (level curve at the step's start and end storage, averaged, minus
  tailwater); solve again; stop when the largest relative change in any plant's energy is
  below `head_tolerance` or after `head_max_iterations` solves. The reported energy is then
  recomputed exactly from the solved flows and the levels of the solved storage path, and
  its gap to the LP's energy is reported.

* `ProductionModel` ("auto", the default, and "fpha"): one build whose hydro family
  bounds the output of the plants that allow it (tailwater and a level curve) by the
  planes of FPHA (`math/fpha.py`) instead of the fixed-head equality; "auto" honours each
  plant's `production` field, "fpha" takes every plant that allows it. The other plants
  keep the fixed head. Afterwards the exact energy is recomputed from the solved flows and
  storage path and its gap to the LP's energy reported (negative: the planes lie above the
  exact output). With no plant on FPHA the run is a fixed-head run.

A head model that changes the hydro constraint family itself sets `config` (a
`BuildConfig`) for its builds and registers its name in `HEAD_MODELS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import xarray as xr

from vakhsh.math.context import BuildConfig, BuildContext, HeadParameters
from vakhsh.math.fpha import FPHA_POWER, plant_planes
from vakhsh.math.hydro import GRAVITY_MW_PER_M3S_M
from vakhsh.math.water import STORAGE
from vakhsh.network import Network
from vakhsh.schema.registry import OUTPUTS
from vakhsh.solve.head import fixed_parameters, parameters_from_storage, storage_start
from vakhsh.solve.options import SolveOptions

Say = Callable[[str], None]


class HeadModel(Protocol):
    """The head of every build: `parameters` for the next build, `finish` after the last."""

    mode: str
    config: BuildConfig

    def parameters(self, net: Network, solved: BuildContext | None) -> HeadParameters | None:
        """Parameters of the next build of `net`; `solved` None for the first, and None
        returned when `solved` is final."""

    def finish(
        self, net: Network, solved: BuildContext, ds: xr.Dataset
    ) -> tuple[xr.Dataset, dict[str, Any]]:
        """The results of the last solve with what this model adds, and its solve info."""


class FixedHead:
    mode = "fixed"
    config = BuildConfig()

    def parameters(self, net: Network, solved: BuildContext | None) -> HeadParameters | None:
        return fixed_parameters(net) if solved is None else None

    def finish(self, net: Network, solved: BuildContext, ds: xr.Dataset):
        return ds, {"head_mode": self.mode, "head_energy_gap": None, "head_history": []}


class SuccessiveLP:
    mode = "iterate"
    config = BuildConfig()

    def __init__(self, tolerance: float = 1e-3, max_iterations: int = 20, say: Say | None = None):
        self.tolerance, self.max_iterations = tolerance, max_iterations
        self.say = say or (lambda _msg: None)
        # per case (a network's identity): solves so far, last energy, changes
        self._state: dict[int, tuple[int, np.ndarray | None, list[float]]] = {}

    def parameters(self, net: Network, solved: BuildContext | None) -> HeadParameters | None:
        if solved is None:
            self._state[id(net)] = (0, None, [])
            return fixed_parameters(net)
        count, previous, history = self._state[id(net)]
        count += 1
        energy = plant_energy_mwh(solved)
        change = largest_change(energy, previous)
        history.append(change)
        self._state[id(net)] = (count, energy, history)
        self.say(f"head iteration {count}: largest energy change {change:.2e}")
        if change <= self.tolerance or count >= self.max_iterations:
            return None
        storage = solved.k * solved.var(STORAGE).solution
        return parameters_from_storage(net, storage_start(net, storage), storage)

    def finish(self, net: Network, solved: BuildContext, ds: xr.Dataset):
        ds, gap = exact_energy(net, ds)
        _count, _energy, history = self._state.get(id(net), (0, None, []))
        return ds, {"head_mode": self.mode, "head_energy_gap": gap, "head_history": history}


class ProductionModel:
    """FPHA where the plants allow it (`mode` "auto" or "fpha"), fixed head elsewhere;
    `fit` fits the planes (`BuildConfig.fpha_fit`; None: the concave envelope)."""

    def __init__(self, mode: str = "auto", fit: Callable | None = None):
        self.mode = mode
        self.config = BuildConfig(production=mode, fpha_fit=fit)

    def parameters(self, net: Network, solved: BuildContext | None) -> HeadParameters | None:
        return fixed_parameters(net) if solved is None else None

    def finish(self, net: Network, solved: BuildContext, ds: xr.Dataset):
        if not solved.has_var(FPHA_POWER):
            return ds, {
                "head_mode": self.mode,
                "head_energy_gap": None,
                "head_history": [],
                "fpha": {},
            }
        ds = with_fpha_power(net, ds, solved.var(FPHA_POWER).solution)
        plants = [str(p) for p in solved.var(FPHA_POWER).labels["hydro_plant"].values]
        ds, gap = exact_energy(net, ds, at_most=plants)
        fits = {
            pid: {"planes": len(planes), "max_error_mw": planes.max_error_mw}
            for pid, planes in plant_planes(net, plants, self.config.fpha_fit).items()
        }
        return ds, {
            "head_mode": self.mode,
            "head_energy_gap": gap,
            "head_history": [],
            "fpha": fits,
        }


# A head model per `SolveOptions.head`; the CLI's `--head` takes these names.
HEAD_MODELS: dict[str, Callable[[SolveOptions, Say | None], HeadModel]] = {
    "auto": lambda options, say: ProductionModel("auto"),
    "fixed": lambda options, say: FixedHead(),
    "iterate": lambda options, say: SuccessiveLP(
        options.head_tolerance, options.head_max_iterations, say
    ),
    "fpha": lambda options, say: ProductionModel("fpha"),
}


def head_model(options: SolveOptions, say: Say | None = None) -> HeadModel:
    if options.head not in HEAD_MODELS:
        from vakhsh.errors import SolveError

        raise SolveError(f"unknown head model {options.head!r}; known: {', '.join(HEAD_MODELS)}")
    return HEAD_MODELS[options.head](options, say)


def plant_energy_mwh(ctx: BuildContext) -> np.ndarray:
    """Energy of each plant in the solved LP (at the head it was built with), MWh."""
    if not ctx.has_var("turbine_flow_m3s"):
        return np.zeros(0)
    flow = ctx.var("turbine_flow_m3s").solution
    efficiency = ctx.net.static("hydro_plants", "efficiency")
    power = GRAVITY_MW_PER_M3S_M * efficiency * ctx.params.head_m * flow
    return (power.sum("time") * ctx.hours).values


def largest_change(energy: np.ndarray, previous: np.ndarray | None) -> float:
    if previous is None:
        return float("inf") if energy.size else 0.0
    scale = np.maximum(np.abs(previous), 1e-9)
    return float(np.max(np.abs(energy - previous) / scale)) if energy.size else 0.0


def with_fpha_power(net: Network, ds: xr.Dataset, power: xr.DataArray) -> xr.Dataset:
    """The results with the FPHA plants' power from the LP (`power`, (time, plant)) and
    their head the one that power implies: p / (9.81e-3 efficiency flow), or the head of
    the solved storage path in steps without flow."""
    plants = list(power["hydro_plant"].values)
    flow = ds["turbine_flow_m3s"].sel(hydro_plant=plants)
    storage = ds["storage_hm3"]
    path = parameters_from_storage(net, storage_start(net, storage), storage).head_m
    efficiency = net.static("hydro_plants", "efficiency").sel(hydro_plant=plants)
    per_head = GRAVITY_MW_PER_M3S_M * efficiency * flow
    implied = (power / per_head.where(per_head > 1e-9)).fillna(path.sel(hydro_plant=plants))
    p, head = ds["hydro_p_mw"].copy(), ds["head_m"].copy()
    p.loc[{"hydro_plant": plants}] = power.transpose(*p.sel(hydro_plant=plants).dims)
    head.loc[{"hydro_plant": plants}] = implied.transpose(*head.sel(hydro_plant=plants).dims)
    return ds.assign(hydro_p_mw=p, head_m=head)


def exact_energy(
    net: Network, ds: xr.Dataset, at_most: list[str] | tuple = ()
) -> tuple[xr.Dataset, float]:
    """Hydro power recomputed from the solved flows and the solved storage path's heads
    (at most the capacity that can run: a plant never makes more), and the relative gap of
    its energy to the LP's.

    Plants in `at_most` (FPHA) make at most the LP's output: under the planes the LP may
    turbine more water than its output needs (where the power has no use, as spilling
    would), and the schedule then makes the LP's output and lets the rest of the water
    pass; so their gap measures only what the planes overstate."""
    storage = ds["storage_hm3"]
    exact = parameters_from_storage(net, storage_start(net, storage), storage)
    efficiency = net.static("hydro_plants", "efficiency")
    available = (
        net.static("hydro_plants", "capacity_mw") * net.series["hydro_plants"]["capacity_factor"]
    )
    exact_p = np.minimum(
        GRAVITY_MW_PER_M3S_M * efficiency * exact.head_m * ds["turbine_flow_m3s"], available
    )
    if len(at_most):
        capped = xr.DataArray(
            np.isin(exact_p["hydro_plant"].values, list(at_most)),
            coords={"hydro_plant": exact_p["hydro_plant"]},
            dims=["hydro_plant"],
        )
        exact_p = exact_p.where(~capped, np.minimum(exact_p, ds["hydro_p_mw"]))
    lp_energy = float(ds["hydro_p_mw"].sum()) * net.step_hours
    exact_energy_ = float(exact_p.sum()) * net.step_hours
    gap = (exact_energy_ - lp_energy) / lp_energy if lp_energy else 0.0
    ds = ds.assign(hydro_p_exact_mw=exact_p, head_exact_m=exact.head_m)
    for name in ("hydro_p_exact_mw", "head_exact_m"):
        out, _kind = OUTPUTS[name]
        ds[name].attrs.update(units=out.unit, description=out.description)
    return ds, gap
