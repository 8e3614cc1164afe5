"""The trade-off frontier of two objectives by the epsilon-constraint method.

With `x` and `y` two objectives (each maximised or minimised, see `objectives.py`):

1. the ends, in parallel: optimise `x` alone, then optimise `y` with `x` held at its
   optimum (lexicographic, so the end is not dominated); and the same with `y` first.
   This gives `x_best` (with `y` at `x`'s optimum) and `x_at_y_best`;
2. the points, in parallel: for `eps` evenly spaced from `x_at_y_best` to `x_best`,
   optimise `y` subject to `x >= eps` (`x <= eps` if `x` is minimised);
3. for a sensible operation behind every point, the total system cost is then minimised
   with both objectives held at the values found (skipped when either objective is the
   cost, or with `tiebreak=False`).

Each point is one LP build on a worker with two or three solves of the same model, run
through the run pipeline (`vakhsh.pipeline`): with `head: iterate` in the solve
options the point is rebuilt at the heads of its solved storage path and solved again, as a
run is, and its result is audited like a run. The worker writes the point's results.nc and
summary.json under `runs/point-NN` and returns a small record.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vakhsh.ensemble.executor import executor
from vakhsh.ensemble.objectives import Objective, Selectors, objective
from vakhsh.ensemble.store import local_writes, write_atomic
from vakhsh.errors import ModelError, Problem, SolveError
from vakhsh.outputs import output_folder, scratch_folder

# an objective held at its optimum may give up this share of it (solver tolerance)
HOLD_TOLERANCE = 1e-7
FRONTIER_KIND = "frontier"
PLOT_KIND = "frontier-plot"


@dataclass(frozen=True)
class PointTask:
    model: str
    scenario: str | None
    period: dict[str, Any]
    x: str
    y: str
    selectors: Selectors
    stage: str  # "x_end", "y_end" or "point"
    point: int
    epsilon: float | None
    out: str
    solve: dict[str, Any] = field(default_factory=dict)
    tiebreak: bool = True


@dataclass
class Frontier:
    x: Objective
    y: Objective
    table: pd.DataFrame  # point, epsilon, x, y, cost_usd, status, error, run
    folder: Path | None = None
    # False when both optima are reached together: the frontier is a single point
    conflict: bool = True

    def plot(self, path: str | Path | None = None) -> bytes:
        import io

        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        ok = self.table[self.table["status"] == "ok"].sort_values("x")
        fig, ax = plt.subplots(figsize=(8, 5))
        ax.plot(ok["x"], ok["y"], "-o", color="#08519c")
        for _, r in ok.iterrows():
            ax.annotate(
                str(r["point"]),
                (r["x"], r["y"]),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize="small",
                color="#555",
            )
        ax.set_xlabel(f"{self.x.name} ({self.x.unit}, {self.x.sense})")
        ax.set_ylabel(f"{self.y.name} ({self.y.unit}, {self.y.sense})")
        ax.set_title(
            f"{self.y.description}\nagainst {self.x.description}", loc="left", fontsize="small"
        )
        ax.grid(alpha=0.3)
        fig.tight_layout()
        from vakhsh.outputs import output_file, signature

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, metadata={"Software": signature(PLOT_KIND)})
        plt.close(fig)
        if path is not None:  # replaces only a frontier plot vakhsh wrote
            with output_file(path, PLOT_KIND, overwrite=True) as tmp:
                tmp.write_bytes(buffer.getvalue())
        return buffer.getvalue()


# ------------------------------------------------------------------ on the worker
class FrontierPoint:
    """Strategy of the run pipeline: one point's sequence of objectives on one build (and
    again on each rebuild when the head model iterates)."""

    def __init__(self, net, task: PointTask, heads):
        self.net, self.task, self.heads = net, task, heads
        self.x, self.y = objective(task.x, task.selectors), objective(task.y, task.selectors)
        self.ctx = None
        self.expressions: dict[str, tuple[object, float]] = {}

    def formulate(self, solved):
        from vakhsh.pipeline import Formulation, build_cases, next_parameters

        params = next_parameters(self.heads, [self.net], solved)
        if params is None:
            return None
        model, (ctx,) = build_cases([self.net], params, self.heads)
        self.ctx = ctx
        self.expressions = {
            "x": self.x.expression(ctx),
            "y": self.y.expression(ctx),
            "cost": objective("cost", self.task.selectors).expression(ctx),
        }
        return Formulation(
            model=model, cases=[ctx], heads=self.heads, info={"head_mode": self.heads.mode}
        )

    def solve(self, formulation, options):
        from vakhsh.solve.solver import Outcome, SolveStats

        ctx, task, x, y = self.ctx, self.task, self.x, self.y
        (xe, xc), (ye, yc) = self.expressions["x"], self.expressions["y"]
        spent = [0.0]

        def optimise(obj: Objective, expr, constant: float) -> float:
            return _optimise(ctx, obj, expr, constant, options, spent)

        if task.stage == "x_end":
            xv = optimise(x, xe, xc)
            _hold(ctx, x, xe, xc, xv, "frontier_hold_x", HOLD_TOLERANCE)
            yv = optimise(y, ye, yc)
        elif task.stage == "y_end":
            yv = optimise(y, ye, yc)
            _hold(ctx, y, ye, yc, yv, "frontier_hold_y", HOLD_TOLERANCE)
            xv = optimise(x, xe, xc)
            _hold(ctx, x, xe, xc, xv, "frontier_hold_x", HOLD_TOLERANCE)
        else:
            _hold(ctx, x, xe, xc, float(task.epsilon), "frontier_epsilon")
            yv = optimise(y, ye, yc)
        if task.tiebreak and "cost" not in (x.kind, y.kind):
            if not ctx.has_con("frontier_hold_y"):
                _hold(ctx, y, ye, yc, yv, "frontier_hold_y", HOLD_TOLERANCE)
            cost = objective("cost", task.selectors)
            optimise(cost, *self.expressions["cost"])
        return SolveStats(outcome=Outcome.OPTIMAL, termination="optimal", solve_s=spent[0])


def _optimise(ctx, obj: Objective, expr, constant: float, options, spent: list[float]) -> float:
    from vakhsh.solve.solver import Outcome, run_solver

    ctx.model.add_objective(-expr if obj.sense == "max" else expr, overwrite=True)
    stats = run_solver(ctx.model, options)
    spent[0] += stats.solve_s
    if stats.outcome is not Outcome.OPTIMAL:
        raise SolveError(f"optimising {obj.name}: {stats.termination}")
    return float(expr.solution) + constant


def _hold(
    ctx, obj: Objective, expr, constant: float, value: float, name: str, slack: float = 0.0
) -> None:
    """Constrain `obj` to be at least as good as `value` (less `slack` of it)."""
    give = slack * max(1.0, abs(value))
    if obj.sense == "max":
        ctx.add_con(expr >= value - constant - give, name=name)
    else:
        ctx.add_con(expr <= value - constant + give, name=name)


def solve_point(task: PointTask) -> dict[str, Any]:
    """Build the case, solve the stage's sequence of objectives on it (through the run
    pipeline: audited, the head model of the solve options), write the point's results."""
    from vakhsh.network import load_network
    from vakhsh.pipeline import run
    from vakhsh.solve.heads import head_model
    from vakhsh.solve.options import SolveOptions

    started = time.perf_counter()
    record: dict[str, Any] = {
        "point": task.point,
        "stage": task.stage,
        "epsilon": task.epsilon,
        "run": f"point-{task.point:02d}",
    }
    try:
        net = load_network(task.model, scenario=task.scenario, **task.period)
        options = SolveOptions(**task.solve)
        point = FrontierPoint(net, task, head_model(options))
        solution = run(point, options)
        (results,) = solution.results
        (xe, xc), (ye, yc) = point.expressions["x"], point.expressions["y"]
        x, y = point.x, point.y
        record.update(
            x=x.value(results),
            y=y.value(results),
            x_lp=float(xe.solution) + xc,
            y_lp=float(ye.solution) + yc,
            cost_usd=results.objective_usd,
            audit_passed=bool(results.audit.passed),
            status="ok",
            error="",
        )
        with local_writes():
            results.to_folder(
                Path(task.out) / "runs" / record["run"],
                extra={"frontier": {**record, "x_objective": x.name, "y_objective": y.name}},
            )
    except Exception as exc:  # noqa: BLE001 - a failed point is recorded, the rest go on
        from vakhsh.ensemble.runner import _message

        record.update(
            x=np.nan,
            y=np.nan,
            x_lp=np.nan,
            y_lp=np.nan,
            cost_usd=np.nan,
            audit_passed=False,
            status="failed",
            error=_message(exc),
        )
    record["total_s"] = time.perf_counter() - started
    return record


# ------------------------------------------------------------------ on the driver
def trace_frontier(
    model: str | Path,
    x: str,
    y: str,
    points: int = 9,
    out: str | Path | None = None,
    scenario: str | None = None,
    period: dict[str, Any] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    selectors: Selectors | None = None,
    solve: dict[str, Any] | None = None,
    tiebreak: bool = True,
    progress: Callable[[str], None] | None = None,
    overwrite: bool = False,
    option: str = "out",
) -> Frontier:
    """Trace the frontier of `y` against `x` with `points` points (ends included).

    With `out`, the folder (frontier.csv, frontier.png, runs/) is built beside it and
    renamed into place once complete; an existing folder is replaced only when it is a
    frontier vakhsh wrote and `overwrite=True`. Without, the points' runs go to a
    temporary folder removed at the end."""
    if out is None:
        final, folder = None, scratch_folder("frontier")
    else:
        final = Path(out)
        folder = output_folder(out, FRONTIER_KIND, overwrite=overwrite, option=option)
    with folder as tmp:
        return _trace(
            model,
            x,
            y,
            points,
            final,
            tmp,
            scenario,
            period,
            workers,
            scheduler,
            client,
            selectors,
            solve,
            tiebreak,
            progress,
        )


def _trace(
    model,
    x: str,
    y: str,
    points: int,
    out_dir: Path | None,
    scratch: Path,
    scenario,
    period,
    workers,
    scheduler,
    client,
    selectors,
    solve,
    tiebreak,
    progress,
) -> Frontier:
    from vakhsh.network import load_network, resolve_model_path

    say = progress or (lambda _msg: None)
    sel = selectors or Selectors()
    if points < 2:
        raise ModelError([Problem("command line", "--points", "at least 2 (the two ends)", points)])
    if x == y:
        raise ModelError([Problem("command line", "--y", "must differ from --x", y)])
    period = dict(period or {})
    folder = resolve_model_path(model).resolve()
    x_obj, y_obj = objective(x, sel), objective(y, sel)
    net = load_network(folder, scenario=scenario, **period)
    x_obj.members(net)  # an objective that selects nothing is an error, before any run
    y_obj.members(net)

    def task(stage: str, point: int, eps: float | None = None) -> PointTask:
        return PointTask(
            model=str(folder),
            scenario=scenario,
            period=period,
            x=x,
            y=y,
            selectors=sel,
            stage=stage,
            point=point,
            epsilon=eps,
            out=str(scratch),
            solve=dict(solve or {}),
            tiebreak=tiebreak,
        )

    records: list[dict[str, Any]] = []
    with executor(workers, scheduler, client) as pool:
        say("optimising each objective alone (the two ends)")
        ends = {}
        for t, record, error in pool.map(
            solve_point, [task("y_end", 0), task("x_end", points - 1)]
        ):
            record = record or _lost(t, error)
            ends[t.stage] = record
            records.append(record)
        failed = [r for r in ends.values() if r["status"] != "ok"]
        if failed:
            raise SolveError(
                "the frontier's ends could not be found: "
                + "; ".join(f"{r['stage']}: {r['error']}" for r in failed)
            )
        lo, hi = ends["y_end"]["x"], ends["x_end"]["x"]
        ends["y_end"]["epsilon"], ends["x_end"]["epsilon"] = lo, hi
        conflict = not np.isclose(lo, hi, rtol=1e-6, atol=1e-9)
        inner = [
            task("point", i, float(eps))
            for i, eps in enumerate(np.linspace(lo, hi, points)[1:-1], start=1)
            if conflict
        ]
        say(f"{len(inner)} points between {x_obj.name} = {lo:,.4g} and {hi:,.4g}")
        for n, (t, record, error) in enumerate(pool.map(solve_point, inner), start=1):
            records.append(record or _lost(t, error))
            say(f"{n} of {len(inner)} points")
    table = pd.DataFrame(records).sort_values("point").reset_index(drop=True)
    table = table[
        [
            "point",
            "stage",
            "epsilon",
            "x",
            "y",
            "cost_usd",
            "status",
            "error",
            "x_lp",
            "y_lp",
            "audit_passed",
            "run",
            "total_s",
        ]
    ]
    front = Frontier(x=x_obj, y=y_obj, table=table, folder=out_dir, conflict=conflict)
    if out_dir is not None:  # into the folder being built; renamed into place after
        write_atomic(scratch / "frontier.csv", table.to_csv(index=False, float_format="%.10g"))
        front.plot(scratch / "frontier.png")
    return front


def _lost(task: PointTask, error: BaseException | None) -> dict[str, Any]:
    return {
        "point": task.point,
        "stage": task.stage,
        "epsilon": task.epsilon,
        "run": f"point-{task.point:02d}",
        "x": np.nan,
        "y": np.nan,
        "x_lp": np.nan,
        "y_lp": np.nan,
        "cost_usd": np.nan,
        "audit_passed": False,
        "status": "failed",
        "error": f"worker lost: {type(error).__name__}: {error}",
        "total_s": np.nan,
    }
