"""`vakhsh ensemble` (many runs over axes, on Dask, resumable) and `vakhsh frontier`
(the trade-off of two objectives by the epsilon-constraint method)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from vakhsh.cli.console import console
from vakhsh.cli.options import ScenarioOpt
from vakhsh.cli.progress import RunsBar, status
from vakhsh.report.terminal import print_table
from vakhsh.results.metrics import ARAL_PATTERN

# the aggregate rows shown in the terminal; every row is in aggregates.csv
SHOWN = ("cost_usd", "objective", "aral_inflow_hm3", "winter_unserved_gwh", "shortage_hm3")


def ensemble(
    model: Annotated[str, typer.Argument(help="Model folder or embedded dataset.")],
    spec: Annotated[
        Path,
        typer.Option("--spec", help="Ensemble spec (YAML): axes and runs; see docs/ensembles.md."),
    ],
    out: Annotated[Path, typer.Option("--out", help="Ensemble folder; run again to resume.")],
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes of the LocalCluster (default: one per core); 0 runs "
            "in this process without Dask."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786."),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Stop after this many new runs.")] = None,
    retry_failed: Annotated[bool, typer.Option(help="Run failed runs again on resume.")] = True,
    report: Annotated[bool, typer.Option(help="Write report.html and plots.")] = True,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Start afresh in an --out that holds an earlier ensemble "
            "(replaced only once the new one is complete); without it, such a folder is "
            "resumed.",
        ),
    ] = False,
) -> None:
    """Run many optimisations (product of axes or a listed subset) on Dask; resumable."""
    from vakhsh.ensemble.runner import run_ensemble

    bar = RunsBar(console)
    try:
        result = run_ensemble(
            model,
            spec,
            out,
            workers=workers,
            scheduler=scheduler,
            progress=bar,
            limit=limit,
            retry_failed=retry_failed,
            report=report,
            overwrite=overwrite,
            option="--out",
        )
    except KeyboardInterrupt:
        bar.stop()
        if overwrite:
            console.print(
                f"interrupted: nothing was replaced, [bold]{out}[/bold] is as it was",
                highlight=False,
            )
        else:
            console.print(
                f"interrupted: finished runs are kept in [bold]{out}[/bold]; "
                "run the same command again to resume",
                highlight=False,
            )
        raise typer.Exit(130) from None
    finally:
        bar.stop()
    print_aggregates(result, console)
    verdict = "[green]" if not result.failed else "[yellow]"
    console.print(
        f"{verdict}{result.succeeded} succeeded, {result.failed} failed"
        f"[/], {result.pending} pending, of {len(result.runs)} runs; wrote "
        f"[bold]{out}[/bold] (aggregates.csv, metrics.csv, index.csv"
        f"{', report.html' if report else ''})",
        highlight=False,
    )


def frontier(
    model: Annotated[str, typer.Argument(help="Model folder or embedded dataset.")],
    x: Annotated[
        str, typer.Option("--x", help="Objective bounded (epsilon), e.g. tj_winter_energy.")
    ],
    y: Annotated[
        str, typer.Option("--y", help="Objective optimised, e.g. downstream_vegetation_delivery.")
    ],
    points: Annotated[int, typer.Option(help="Points on the frontier, ends included.")] = 9,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default runs/frontier-<model>-<x>-<y>).")
    ] = None,
    scenario: ScenarioOpt = None,
    start: Annotated[str | None, typer.Option()] = None,
    end: Annotated[str | None, typer.Option()] = None,
    step: Annotated[str | None, typer.Option()] = None,
    workers: Annotated[int | None, typer.Option(help="0: in this process.")] = None,
    scheduler: Annotated[str | None, typer.Option()] = None,
    aral_pattern: Annotated[
        str, typer.Option(help="Sinks whose id contains this are the Aral Sea.")
    ] = ARAL_PATTERN,
    downstream: Annotated[
        str | None,
        typer.Option(
            help="Downstream countries, comma-separated codes or names (default: every "
            "demand outside TJ and KG, in central-asia UZ, TM, KZ, AF)."
        ),
    ] = None,
    head: Annotated[
        str,
        typer.Option(
            help="Head model, as `vakhsh run --head`: auto "
            "(FPHA where a plant has tailwater_masl, fixed head "
            "elsewhere) | fixed | iterate (successive LP) | "
            "fpha."
        ),
    ] = "auto",
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace --out when vakhsh wrote it: an earlier frontier "
            "folder. Never a folder vakhsh did not write.",
        ),
    ] = False,
) -> None:
    """Trade-off frontier of two objectives by the epsilon-constraint method."""
    from vakhsh.cli.errors import bad_option
    from vakhsh.ensemble.frontier import trace_frontier
    from vakhsh.ensemble.objectives import Selectors
    from vakhsh.solve.heads import HEAD_MODELS

    if head not in HEAD_MODELS:
        raise bad_option("--head", f"must be one of {', '.join(HEAD_MODELS)}", head)

    selectors = Selectors(
        aral_pattern=aral_pattern,
        downstream_countries=tuple(c.strip() for c in downstream.split(","))
        if downstream
        else None,
    )
    folder = out or Path("runs") / f"frontier-{Path(model).name}-{x}-{y}".replace(":", "_")
    with status("tracing the frontier") as say:
        front = trace_frontier(
            model,
            x=x,
            y=y,
            points=points,
            out=folder,
            scenario=scenario,
            period={k: v for k, v in (("start", start), ("end", end), ("step", step)) if v},
            workers=workers,
            scheduler=scheduler,
            selectors=selectors,
            solve={"head": head},
            progress=say,
            overwrite=overwrite,
            option="--out",
        )
    print_frontier(front, console)
    if not front.conflict:
        console.print(
            f"no trade-off: {x} and {y} reach their optima together in this "
            "case; the frontier is one point",
            highlight=False,
        )
    console.print(
        f"wrote [bold]{folder}[/bold] (frontier.csv, frontier.png, runs/)", highlight=False
    )


def print_aggregates(result, console: Console, limit: int = 24) -> None:
    """The headline rows: cost, objectives, Aral inflow, and the unserved energy and
    shortages that are not zero in every run; every row is in aggregates.csv."""
    rows = result.aggregates
    rows = rows[rows["metric"].isin(SHOWN) & rows["n"].gt(0)]
    always = rows["metric"].isin(("cost_usd", "objective", "aral_inflow_hm3"))
    rows = rows[always | (rows[["mean", "worst"]].abs().max(axis=1) > 1e-9)]
    if rows.empty:
        return
    table = Table(
        title=f"Over {result.succeeded} runs (every metric: aggregates.csv)", title_justify="left"
    )
    wide = console.width >= 110
    table.add_column("metric [unit]", overflow="fold", min_width=24)
    for column in ("mean", "P10", "P50", "P90", "worst"):
        table.add_column(column, justify="right", no_wrap=True)
    if wide:
        table.add_column("worst run", no_wrap=True)
    for _, r in rows.head(limit).iterrows():
        scale, unit = (1e6, "M USD") if r["unit"] == "USD" else (1.0, r["unit"])
        name = r["metric"] + (f"/{r['key']}" if r["key"] else "") + f" [{unit}]"
        cells = [f"{r[c] / scale:,.0f}" for c in ("mean", "p10", "p50", "p90", "worst")]
        table.add_row(name, *cells, *([r["worst_run"]] if wide else []))
    print_table(table, console)
    if len(rows) > limit:
        console.print(f"... and {len(rows) - limit} more rows in aggregates.csv")


def print_frontier(front, console: Console) -> None:
    def scaled(obj) -> tuple[float, str]:
        return (1e6, "M USD") if obj.unit == "USD" else (1.0, obj.unit)

    (sx, ux), (sy, uy) = scaled(front.x), scaled(front.y)
    table = Table(
        title=f"Frontier: {front.y.name} ({front.y.sense}) against {front.x.name} "
        f"({front.x.sense})",
        title_justify="left",
    )
    for column in (
        "point",
        f"bound on x [{ux}]",
        f"x [{ux}]",
        f"y [{uy}]",
        "cost [M USD]",
        "status",
    ):
        table.add_column(column, justify="right" if column != "status" else "left")
    for _, r in front.table.iterrows():
        table.add_row(
            str(r["point"]),
            f"{r['epsilon'] / sx:,.2f}",
            f"{r['x'] / sx:,.2f}",
            f"{r['y'] / sy:,.2f}",
            f"{r['cost_usd'] / 1e6:,.2f}",
            str(r["status"]),
        )
    print_table(table, console)
