"""A run solved window by window (`vakhsh run --rolling 7D,1D`), in memory bounded by the
window, with the water values of a coarse full-horizon solve at each window's end.

1. Coarse solve: the whole run at four blocks per day, each the mean of a quarter of the
   day's steps sorted by net load (`slices.blocked_network`; daily means when the step
   does not divide a day into such blocks, weekly ones when the step is a day or more);
   the duals of its reservoir balances are the water values (USD per hm3) of each
   reservoir through the horizon, those of its storage-unit balances the value of charge.
   Blocks keep the within-day peak that daily means flatten, so the water values see
   what an hour of peak is worth (bench/README.md: the gap with each).
2. Window by window: the steps of the window, from the state the previous window left
   (storage, charge, and the water it sent down delayed reaches that has not arrived yet).
   A window before the last has no end target beyond the storage floor; its objective
   instead credits the water left in each reservoir (and in transit to one) and the charge
   left in each unit at the coarse solve's value at the window's end. The last window keeps
   the run's own end targets. Each window keeps its first steps (all but the overlap) and
   hands the state at the end of them to the next.
3. The kept parts are joined into one Dataset of the whole run, which is assembled and
   audited as a single solve's would be (`vakhsh.results.dataset.assemble`), so the
   results have the same variables and summary; the audit checks the balances across
   window boundaries too.

With one window as long as the run this is exactly the full LP.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.errors import SolveError
from vakhsh.math.build import new_context, set_objective
from vakhsh.math.fpha import FPHA_POWER, FPHA_ROWS, plane_table, plant_planes
from vakhsh.math.power import bus_load
from vakhsh.math.water import STORAGE
from vakhsh.network import Network
from vakhsh.pipeline import Operation, build_cases, optimise, run
from vakhsh.results.audit import audit, require_passed
from vakhsh.results.dataset import COPIED, DUALS, assemble
from vakhsh.results.metrics import costs_usd
from vakhsh.results.results import Results, provenance
from vakhsh.rolling.reuse import (
    OWN,
    RESERVOIR_BALANCE,
    SOC_BALANCE,
    NotReusable,
    ReusedLP,
    reason_not_reusable,
)
from vakhsh.rolling.slices import (
    State,
    blocked_network,
    coarse_network,
    initial_state,
    transit_arrivals,
    window_network,
    window_parameters,
)
from vakhsh.rolling.spec import RollingSpec, Window
from vakhsh.solve.algorithms import highs_options
from vakhsh.solve.head import fixed_parameters
from vakhsh.solve.heads import HeadModel, exact_energy, head_model, with_fpha_power
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.size import require_fits
from vakhsh.solve.solver import Outcome, run_solver
from vakhsh.solve.solver import _quiet as quiet

Progress = Callable[[str], None]
DAY = pd.Timedelta(days=1)
WEEK = pd.Timedelta(days=7)
# the coarse solve: blocks a day by net load, means, or the run itself at its own step
# ("step": exact water values at the full LP's cost; bench/README.md, h-roll2 notes)
COARSE = ("blocks", "means", "step")


def optimise_rolling(
    net: Network,
    spec: RollingSpec,
    options: SolveOptions | None = None,
    progress: Progress | None = None,
    reuse: bool = True,
    coarse: str = "blocks",
) -> Results:
    """Optimise `net` window by window; audited Results of the whole run. `reuse`: one
    HiGHS LP for the windows of equal length where the matrix allows it
    (`rolling.reuse`), else a linopy build per window. `coarse`: the coarse solve at
    `blocks` (four a day sorted by net load, where the step allows), daily `means`, or
    the run's own `step` (exact water values, at the cost of the full LP)."""
    return roll(net, spec, options, progress, reuse, coarse).results


@dataclass
class Rolled:
    """A rolling run's audited results, and the values of the LP variables its windows
    kept, joined over the whole run by name (None: one window, the full LP itself)."""

    results: Results
    lp_values: dict[str, xr.DataArray] | None


def roll(
    net: Network,
    spec: RollingSpec,
    options: SolveOptions | None = None,
    progress: Progress | None = None,
    reuse: bool = True,
    coarse: str = "blocks",
) -> Rolled:
    """`optimise_rolling`, with the kept LP values (a start for the full LP)."""
    if coarse not in COARSE:
        raise SolveError(f"coarse must be one of {', '.join(COARSE)}, not {coarse!r}")
    options = options or SolveOptions()
    say = progress or (lambda _msg: None)
    heads = head_model(options, progress)
    if heads.mode == "iterate":  # one build per window: the head models that need no loop
        raise SolveError(
            "--rolling solves each window once: use --head fixed, auto or fpha, not iterate"
        )
    if options.write_lp is not None:
        raise SolveError(
            "--write-lp writes one LP; a rolling run solves many: leave out "
            "--rolling to write the full LP"
        )
    delays = net.tables["reaches"]["delay_steps"]
    windows = spec.windows(len(net.time), net.run.step, int(delays.max()) if len(delays) else 0)
    if len(windows) == 1:  # the whole run in one window: the full LP itself
        results = optimise(net, options, progress)
        results.solve_info["rolling"] = {"window": spec.label, "windows": 1}
        return Rolled(results, None)
    longest = max(windows, key=lambda w: w.stop - w.start)
    require_fits(
        window_network(net, longest.start, longest.stop, initial_state(net), True),
        force=options.force,
    )
    started = time.perf_counter()
    values = CoarseValues.solve(net, options, heads, say, coarse)
    coarse_s = time.perf_counter() - started
    solver = WindowSolver(net, options, values, heads, windows, reuse=reuse)
    marks = []  # what was kept before each window, to solve the last one from further back
    for i, window in enumerate(windows):
        say(
            f"window {i + 1}/{len(windows)}: {net.time[window.start]:%Y-%m-%d %H:%M} .. "
            f"{net.run.ends[window.stop - 1]:%Y-%m-%d %H:%M}"
        )
        marks.append(solver.mark())
        if not window.last:
            solver.solve(window, i)
            continue
        first = _solve_last(solver, windows, marks, say)
    info = solver.info(len(windows))
    info["rolling"] = {
        "window": spec.label,
        "windows": len(windows),
        "window_steps": longest.stop - longest.start,
        "overlap_steps": windows[0].stop - windows[0].keep,
        "coarse": values.kind,
        "coarse_step": values.label,
        "coarse_steps": len(values.time),
        "coarse_solve_s": coarse_s,
        "coarse_objective_usd": values.objective_usd,
        "windows_build_s": solver.build_s,
        "windows_solve_s": solver.solve_s,
        "reused_windows": solver.reused,
        "cold_starts": 0 if solver.template is None else solver.template.cold_starts,
        "chunks": solver.chunks,
        "rebuilt_because": solver.rebuilt_because,
        "last_window_from": first + 1,
    }
    values = solver.joined()
    return Rolled(solver.results(info, dict(values)), values)


def _solve_last(solver: WindowSolver, windows: list[Window], marks: list, say: Progress) -> int:
    """Solve the last window with the run's own end targets; where they are out of reach
    from the state handed over (the windows before, priced by the coarse values, drew a
    reservoir down further than the steps left can refill), solve the window before it and
    the last as one, from what was kept before that window, and so on back to the run's
    start, which is the full LP: a rolling run of a feasible full LP is never infeasible.
    The window the last solve started at (0-based)."""
    stop = windows[-1].stop
    for first in range(len(windows) - 1, -1, -1):
        if first < len(windows) - 1:
            solver.rewind(marks[first])
            say(
                f"the run's end targets are out of reach from window {first + 2}'s start: "
                f"windows {first + 1}..{len(windows)} solved as one"
            )
        try:
            solver.solve(Window(windows[first].start, stop, stop), first)
            return first
        except SolveError:
            if first == 0:
                raise
    raise AssertionError("unreachable")


# A window's end storage is valued at the coarse water value less this share of it above the
# coarse plan's storage and more below it: without the spread a window is indifferent
# between using water and leaving it (the value is the marginal one), and its choice at
# such ties is arbitrary; with it the window follows the coarse plan unless the hours it
# sees are worth more than the spread (bench/README.md: the gap for several spreads)
SPREAD = 0.05
# windows per chunk of a reused LP (`rolling.reuse`): one linopy build per this many
# windows; a chunk of the 6x4 bench's hourly weeks (8 x 168 steps) holds ~0.1 GiB
CHUNK_WINDOWS = 8
ARRIVAL = f"{OWN}arrival_m3s"


def end_value(
    ctx, name: str, left, value: xr.DataArray, target: xr.DataArray | None, spread: float = SPREAD
) -> list:
    """Credit terms of what a window leaves, concave around the coarse plan's `target`:
    slope `value - spread |value|` above it, `value + spread |value|` below it.

    What is left is a column of its own (`rolling_<name>_left`, with a row tying it to
    `left`), so that the credit's numbers sit on columns and rows of the rolling run's
    own and a reused LP can change them window by window (`rolling.reuse`)."""
    width = spread * abs(value)
    dim = value.dims[0]
    coords = [pd.Index(value[dim].values, name=dim)]
    held = ctx.add_var(coords=coords, name=f"{OWN}{name}_left")
    ctx.add_con(held - left == 0, name=f"{OWN}{name}_left_def")
    credit = [((value - width) * held).sum()]
    if target is None or spread == 0:
        return credit
    short = ctx.add_var(lower=0, coords=coords, name=f"{OWN}{name}_short")
    ctx.add_con(short + held >= target.reset_coords(drop=True), name=f"{OWN}{name}_target")
    return credit + [(-2 * width * short).sum()]


def end_numbers(
    value: xr.DataArray, target: xr.DataArray | None, spread: float = SPREAD
) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray | None]:
    """The costs of `end_value`'s columns (left, short) and its target row's right-hand
    side, for a reused LP."""
    width = spread * abs(value)
    return -(value - width), 2 * width, (None if target is None else target.reset_coords(drop=True))


class CoarseValues:
    """Water and charge values through the horizon, and the coarse plan's storage and
    charge at every coarse step's end, from the coarse solve."""

    def __init__(
        self,
        coarse: Network,
        water_usd_per_hm3: xr.DataArray | None,
        soc_usd_per_mwh: xr.DataArray | None,
        storage_hm3: xr.DataArray | None,
        soc_mwh: xr.DataArray | None,
        objective_usd: float,
        kind: str = "means",
    ):
        self.time, self.step = coarse.time, coarse.run.step
        self.label = coarse.run.step_label
        self.water, self.soc = water_usd_per_hm3, soc_usd_per_mwh
        self.storage = _with_start(storage_hm3, coarse.tables["reservoirs"], "storage_initial_hm3")
        self.charge = _with_start(soc_mwh, coarse.tables["storage_units"], "soc_initial_mwh")
        self.objective_usd = objective_usd
        self.kind = kind  # "blocks" (`blocked_network`), "means" or "step" (the run)

    @classmethod
    def solve(
        cls,
        net: Network,
        options: SolveOptions,
        heads: HeadModel,
        say: Progress,
        requested: str = "blocks",
    ) -> CoarseValues:
        """The coarse solve `requested` (one of COARSE); blocks fall back to means where
        the step makes none."""
        step = net.run.step
        if requested == "step":  # the run itself: its duals are the full LP's water values
            coarse, kind = net, "step"
        else:
            coarse = blocked_network(net) if requested == "blocks" and step < DAY else None
            kind = "means" if coarse is None else "blocks"
        if coarse is None:  # daily means (a step that makes no blocks), weekly ones
            target = DAY if step < DAY else WEEK
            factor = max(1, int(target // step))
            coarse = coarse_network(net, factor) if factor > 1 else net
        say(f"coarse solve at {coarse.run.step_label} steps ({len(coarse.time):,} steps)")
        solution = run(Operation(coarse, heads), options)
        ctx = solution.formulation.cases[0]
        ds = solution.results[0].dataset
        water = ds.get("water_value_usd_per_hm3", None)
        soc = -ctx.con("storage_soc_balance").dual if ctx.has_con("storage_soc_balance") else None
        return cls(
            coarse,
            water,
            soc,
            ds.get("storage_hm3"),
            ds.get("storage_soc_mwh"),
            solution.objective_usd,
            kind,
        )

    def _position(self, when: pd.Timestamp) -> float:
        return (when - self.time[0]) / self.step

    def value(self, values: xr.DataArray | None, when: pd.Timestamp) -> xr.DataArray | None:
        """The value of the coarse step holding `when` (the first instant after a window)."""
        if values is None:
            return None
        index = min(int(self._position(when)), len(self.time) - 1)
        return values.isel(time=index, drop=True).fillna(0.0)

    def level(self, levels: xr.DataArray | None, when: pd.Timestamp) -> xr.DataArray | None:
        """The coarse plan's storage (or charge) at `when`, between its step ends."""
        if levels is None:
            return None
        position = min(self._position(when), len(self.time))
        return levels.interp(end=position)


def _with_start(levels: xr.DataArray | None, table: pd.DataFrame, initial: str):
    """Levels at coarse step ends 0 (the start), 1, 2, ... along a dimension `end`."""
    if levels is None or not len(table):
        return None
    levels = levels.transpose("time", ...)
    start = xr.DataArray(
        table[initial].to_numpy(dtype=float)[None, :],
        dims=levels.dims,
        coords={levels.dims[1]: levels[levels.dims[1]]},
    )
    joined = xr.concat([start, levels.drop_vars("time")], dim="time")
    return joined.rename(time="end").assign_coords(end=np.arange(joined.sizes["time"]))


class WindowSolver:
    """Solves windows in order, carrying the state and collecting the kept steps."""

    def __init__(
        self,
        net: Network,
        options: SolveOptions,
        values: CoarseValues,
        heads: HeadModel,
        windows: list[Window] | None = None,
        reuse: bool = True,
    ):
        self.net, self.options, self.values, self.heads = net, options, values, heads
        self.params = fixed_parameters(net)
        self.state = initial_state(net)
        reaches = net.tables["reaches"]
        self.flows = np.zeros((len(net.time), len(reaches)))  # reach flows kept so far
        self.kept: dict[str, list[xr.DataArray]] = {}
        self.kept_duals: dict[str, list[xr.DataArray]] = {}
        self.build_s = self.solve_s = 0.0
        self.largest = {"rows": 0, "columns": 0, "nonzeros": 0}
        self.algorithms: set[str] = set()
        self.windows = windows or []
        self.reused, self.chunks = 0, 0
        self.rebuilt_because = (
            reason_not_reusable(net, options, heads, self.params) if reuse else "reuse=False"
        )
        self.template: ReusedLP | None = None
        self.template_ctx = None
        self.chunk: tuple[int, int, object] | None = None  # (start, stop, linopy model)

    def mark(self) -> tuple:
        """What has been kept so far (`rewind` returns to it)."""
        return (
            self.state,
            {name: len(parts) for name, parts in self.kept.items()},
            {name: len(parts) for name, parts in self.kept_duals.items()},
        )

    def rewind(self, mark: tuple) -> None:
        """Forget what was kept after `mark`: the state and the kept steps of then (the
        reach flows kept before then are unchanged; later ones are overwritten)."""
        self.state, kept, duals = mark
        for store, lengths in ((self.kept, kept), (self.kept_duals, duals)):
            for name in list(store):
                del store[name][lengths.get(name, 0) :]

    def solve(self, window: Window, number: int) -> None:
        if self.rebuilt_because is None and not window.last:
            try:
                self._solve_reused(window, number)
                return
            except NotReusable as exc:  # this model's windows are not one matrix
                self.rebuilt_because = str(exc)
                self.template = self.chunk = None
        self._solve_built(window, number)

    # ---- one HiGHS LP, new numbers per window ----
    def _solve_reused(self, window: Window, number: int) -> None:
        net, k = self.net, self.net.hm3_per_m3s
        started = time.perf_counter()
        steps = window.stop - window.start
        if self.template is None:
            self._build_template(window)
        if self.template.steps != steps:
            raise NotReusable(
                f"window {number + 1} has {steps} steps, the template {self.template.steps}"
            )
        lp, ctx = self.template, self.template_ctx
        start, _stop, chunk = self._chunk_for(number, window)
        lp.set_data(chunk, window.start - start)
        if RESERVOIR_BALANCE in lp.rows:
            storage = self.state.storage_hm3
            lp.add_rhs(
                RESERVOIR_BALANCE,
                xr.DataArray(
                    storage.to_numpy(dtype=float) / k,
                    coords=[pd.Index(storage.index, name="reservoir")],
                ),
            )
        if SOC_BALANCE in lp.rows:
            soc = self.state.soc_mwh
            lp.add_rhs(
                SOC_BALANCE,
                xr.DataArray(
                    soc.to_numpy(dtype=float), coords=[pd.Index(soc.index, name="storage_unit")]
                ),
            )
        if FPHA_ROWS in lp.rows:  # a plane's first row holds half the storage handed over
            planes = self.fpha_b
            plants = net.tables["hydro_plants"].loc[planes["hydro_plant"].values]
            storage = self.state.storage_hm3.reindex(plants["reservoir"]).to_numpy(float)
            held = xr.DataArray(storage, coords=[planes["hydro_plant"]])
            lp.add_rhs(FPHA_ROWS, 0.5 * planes * held)
        arrivals = transit_arrivals(net, self.flows, window.start, window.stop)
        if arrivals is not None:
            arrivals = arrivals.assign_coords(time=ctx.time)
            lp.set_own(ARRIVAL, arrivals, "lower")
            lp.set_own(ARRIVAL, arrivals, "upper")
        self._set_end_numbers(lp, window)
        self.build_s += time.perf_counter() - started
        status, elapsed = lp.solve()
        self.solve_s += elapsed
        self.algorithms.add(self.template_algorithm)
        if status != "optimal":
            raise SolveError(
                f"window {number + 1} ({net.time[window.start]} .. "
                f"{net.run.ends[window.stop - 1]}) has no optimum "
                f"({status}); a longer window or overlap may help"
            )
        self.reused += 1
        self._keep(ctx, window, k, lp)

    def _build_template(self, window: Window) -> None:
        """The window LP with empty reservoirs and units, water in transit as columns of
        its own, handed to HiGHS once."""
        from linopy.solvers import Highs

        net = self.net
        empty = State(self.state.storage_hm3 * 0.0, self.state.soc_mwh * 0.0)
        sub = window_network(net, window.start, window.stop, empty, False)
        params = window_parameters(self.params, window.start, window.stop)
        delayed = transit_arrivals(net, self.flows, window.start, window.stop) is not None

        def prepare(_i, ctx):
            if delayed:
                arrival = ctx.add_var(lower=0, upper=0, coords=ctx.coords("reaches"), name=ARRIVAL)
                ctx.add_water(arrival, "reach", net.tables["reaches"]["to"])

        model, (ctx,) = build_cases([sub], [params], self.heads, prepare=prepare)
        credit = self._end_credit(ctx, window)
        set_objective(model, [ctx], shared_costs=[-c for c in credit])
        kwargs = highs_options(
            self.options.preset, int(model.nvars), False, dict(self.options.solver_options)
        )
        with quiet(not self.options.log):  # HiGHS prints a banner when it is created
            solver = Highs.from_model(model, io_api="direct")
        h = solver.solver_model
        h.setOptionValue("output_flag", bool(self.options.log))
        for key, value in kwargs.items():
            h.setOptionValue(key, value)
        model.solver = solver
        self.template_algorithm = str(kwargs.get("solver", "simplex"))
        self.template = ReusedLP(model, window.stop - window.start)
        if ctx.has_con(FPHA_ROWS):
            plants = list(ctx.con(FPHA_ROWS).labels["hydro_plant"].values)
            self.fpha_b = plane_table(plant_planes(net, plants))["b"]
        self.template_ctx = ctx
        for key, value in (
            ("rows", h.getNumRow()),
            ("columns", h.getNumCol()),
            ("nonzeros", h.getNumNz()),
        ):
            self.largest[key] = max(self.largest[key], int(value))

    def _chunk_for(self, number: int, window: Window):
        """The chunk (a linopy model of several windows' steps, never solved) holding
        `window`, built when the window leaves the last one."""
        if (
            self.chunk is not None
            and self.chunk[0] <= window.start
            and window.stop <= self.chunk[1]
        ):
            return self.chunk
        later = [w for w in self.windows[number : number + CHUNK_WINDOWS] if not w.last]
        stop = max([window.stop, *(w.stop for w in later)])
        empty = State(self.state.storage_hm3 * 0.0, self.state.soc_mwh * 0.0)
        sub = window_network(self.net, window.start, stop, empty, False)
        params = window_parameters(self.params, window.start, stop)
        model, (ctx,) = build_cases([sub], [params], self.heads)
        set_objective(model, [ctx])
        self.chunk = (window.start, stop, model)
        self.chunks += 1
        return self.chunk

    def _set_end_numbers(self, lp: ReusedLP, window: Window) -> None:
        when = self.net.run.ends[window.stop - 1]
        values = self.values
        for name, value, level in (
            ("storage", values.value(values.water, when), values.level(values.storage, when)),
            ("soc", values.value(values.soc, when), values.level(values.charge, when)),
        ):
            if value is None or f"{OWN}{name}_left" not in lp.columns:
                continue
            left_cost, short_cost, target = end_numbers(value, level)
            lp.set_own(f"{OWN}{name}_left", left_cost, "cost")
            if f"{OWN}{name}_short" in lp.columns:
                lp.set_own(f"{OWN}{name}_short", short_cost, "cost")
                lp.set_own(f"{OWN}{name}_target", target, "rhs")

    # ---- a linopy build per window ----
    def _solve_built(self, window: Window, number: int) -> None:
        net, k = self.net, self.net.hm3_per_m3s
        started = time.perf_counter()
        sub = window_network(net, window.start, window.stop, self.state, window.last)
        params = window_parameters(self.params, window.start, window.stop)
        arrivals = transit_arrivals(net, self.flows, window.start, window.stop)

        def prepare(_i, ctx):
            if arrivals is not None:
                ctx.add_water_constant(arrivals, "reach", net.tables["reaches"]["to"])

        model, (ctx,) = build_cases([sub], [params], self.heads, prepare=prepare)
        credit = [] if window.last else self._end_credit(ctx, window)
        set_objective(model, [ctx], shared_costs=[-c for c in credit])
        self.build_s += time.perf_counter() - started
        stats = run_solver(model, self.options)
        self.solve_s += stats.solve_s
        self.algorithms.add(stats.algorithm)
        if stats.outcome is not Outcome.OPTIMAL:
            raise SolveError(
                f"window {number + 1} ({net.time[window.start]} .. "
                f"{net.run.ends[window.stop - 1]}) has no optimum "
                f"({stats.termination}); a longer window or overlap may help"
            )
        self._count(model)
        self._keep(ctx, window, k)

    def _end_credit(self, ctx, window: Window) -> list:
        """Value of what the window leaves: storage (with the water still in transit to
        each reservoir) and charge, at the coarse solve's value at the window's end."""
        when = self.net.run.ends[window.stop - 1]
        values = self.values
        credit = []
        water = values.value(values.water, when)
        if water is not None and ctx.has_var(STORAGE):
            left = ctx.k * ctx.var(STORAGE).isel(time=-1)
            transit = self._in_transit(ctx)
            if transit is not None:
                left = left + transit
            credit += end_value(ctx, "storage", left, water, values.level(values.storage, when))
        soc = values.value(values.soc, when)
        if soc is not None and ctx.has_var("storage_soc_mwh"):
            credit += end_value(
                ctx,
                "soc",
                ctx.var("storage_soc_mwh").isel(time=-1),
                soc,
                values.level(values.charge, when),
            )
        return credit

    def _in_transit(self, ctx):
        """hm3 sent down delayed reaches in the window's last steps, arriving after it, by
        the reservoir it reaches (None when there is none)."""
        reaches = self.net.tables["reaches"]
        if not len(reaches) or not ctx.has_var("reach_flow_m3s"):
            return None
        res = list(self.net.ids("reservoirs"))
        steps = len(ctx.time)
        delays = reaches["delay_steps"].to_numpy(dtype=int)
        keep = 1.0 - reaches["loss_fraction"].to_numpy(dtype=float)
        into = reaches["to"].to_numpy()[:, None] == np.array(res, dtype=object)[None, :]
        late = np.arange(steps)[:, None] >= steps - delays[None, :]
        if not (late[:, :, None] & into[None, :, :]).any():
            return None
        # (time, reach, reservoir): the hm3 of each late flow, at the reservoir it reaches
        weight = xr.DataArray(
            late[:, :, None] * into[None, :, :] * (ctx.k * keep)[None, :, None],
            coords=[
                pd.Index(ctx.time, name="time"),
                pd.Index(reaches.index, name="reach"),
                pd.Index(res, name="reservoir"),
            ],
        )
        return (weight * ctx.var("reach_flow_m3s")).sum(["time", "reach"])

    def _count(self, model) -> None:
        try:
            nonzeros = int(model.solver_model.getNumNz())
        except Exception:  # noqa: BLE001 - informative only
            nonzeros = -1
        for key, value in (("rows", model.ncons), ("columns", model.nvars), ("nonzeros", nonzeros)):
            self.largest[key] = max(self.largest[key], int(value))

    def _keep(self, ctx, window: Window, k: float, lp: ReusedLP | None = None) -> None:
        """The kept steps' values and duals, and the state at their end; from the
        reused `lp`'s arrays when given, else from the linopy model's solution."""

        def value(name: str) -> xr.DataArray:
            return ctx.var(name).solution if lp is None else lp.solution(ctx.prefix + name)

        def dual(name: str) -> xr.DataArray:
            return ctx.con(name).dual if lp is None else lp.dual(ctx.prefix + name)

        kept = slice(0, window.keep - window.start)
        times = self.net.time[window.start : window.keep]  # a reused LP has the template's
        for name in [*COPIED, STORAGE, FPHA_POWER]:
            if ctx.has_var(name):
                self.kept.setdefault(name, []).append(
                    value(name).fillna(0.0).isel(time=kept).assign_coords(time=times)
                )
        for name in DUALS:
            if ctx.has_con(name):
                self.kept_duals.setdefault(name, []).append(
                    dual(name).isel(time=kept).assign_coords(time=times)
                )
        last = window.keep - window.start - 1
        storage, soc = self.state.storage_hm3, self.state.soc_mwh
        if ctx.has_var(STORAGE):
            end = k * value(STORAGE).isel(time=last)
            storage = pd.Series(end.values, index=end["reservoir"].values)
        if ctx.has_var("storage_soc_mwh"):
            end = value("storage_soc_mwh").isel(time=last)
            soc = pd.Series(end.values, index=end["storage_unit"].values)
        self.state = State(storage, soc)
        if ctx.has_var("reach_flow_m3s"):
            flow = value("reach_flow_m3s").transpose("time", "reach")
            self.flows[window.start : window.keep] = flow.values[kept]

    def info(self, windows: int) -> dict:
        algorithm = ",".join(sorted(a for a in self.algorithms if a))
        return {
            "solver": self.options.solver,
            "algorithm": algorithm,
            "build_s": self.build_s,
            "solve_s": self.solve_s,
            "head_mode": self.heads.mode,
            "head_iterations": windows,
            "head_energy_gap": None,
            "status": "optimal",
            **self.largest,
            "warnings": [],
        }

    def joined(self) -> dict[str, xr.DataArray]:
        """The kept steps of every window, joined over the run, by LP variable name."""
        # outer: a window's LP may lack an entry another has (a sink no reach reaches then)
        return {
            name: xr.concat(parts, dim="time", join="outer") for name, parts in self.kept.items()
        }

    def results(self, info: dict, values: dict[str, xr.DataArray] | None = None) -> Results:
        """The kept steps of every window (`values`: `joined()`, taken apart here) as the
        run's audited Results."""
        net = self.net
        values = self.joined() if values is None else values
        duals = {name: xr.concat(parts, dim="time") for name, parts in self.kept_duals.items()}
        load = bus_load(new_context(net, self.params))
        fpha = values.pop(FPHA_POWER, None)
        ds = assemble(net, self.params, values, duals, load)
        if fpha is not None:  # hydro power is the FPHA's, and its gap to the exact one
            ds = with_fpha_power(net, ds, fpha)
            ds, info["head_energy_gap"] = exact_energy(net, ds)
        report = audit(net, ds, self.options.audit_tolerance)
        require_passed(report)
        info["provenance"] = provenance(net, self.options)
        return Results(
            net=net,
            dataset=ds,
            objective_usd=float(sum(costs_usd(net, ds).values())),
            audit=report,
            solve_info=info,
        )
