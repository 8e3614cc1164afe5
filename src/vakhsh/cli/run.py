"""`vakhsh run`: optimise a model and write results.nc, summary.json and report.html."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from vakhsh.cli.console import console, print_warnings
from vakhsh.cli.errors import bad_option
from vakhsh.cli.options import ScenarioOpt, default_model
from vakhsh.cli.progress import status
from vakhsh.report.terminal import print_table

RUN_KIND = "run"


def run(
    model: Annotated[
        str | None, typer.Argument(help="Model folder or embedded dataset (default: central-asia).")
    ] = None,
    scenario: ScenarioOpt = None,
    start: Annotated[str | None, typer.Option(help="First step, e.g. 2024-10-01.")] = None,
    end: Annotated[str | None, typer.Option(help="End (exclusive).")] = None,
    step: Annotated[str | None, typer.Option(help="Step: 1h, 3h, 1D, 7D.")] = None,
    head: Annotated[
        str,
        typer.Option(
            help="Head model: auto (FPHA planes over storage "
            "and flow where a plant has tailwater_masl, "
            "fixed head elsewhere) | fixed | iterate "
            "(successive LP) | fpha."
        ),
    ] = "auto",
    solver: Annotated[str, typer.Option(help="Any solver linopy knows.")] = "highs",
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder (default runs/<model>-<scenario>-<UTC time>)."),
    ] = None,
    write_lp: Annotated[
        Path | None,
        typer.Option("--write-lp", help="Write the exact LP that was solved (.mps or .lp)."),
    ] = None,
    inflows: Annotated[
        Path | None,
        typer.Option(
            help="Inflow ensemble (netCDF) from "
            "`vakhsh inflows generate`: member "
            "--member replaces the catchment "
            "inflows, and the scenario's monthly "
            "inflow factors apply on top of it."
        ),
    ] = None,
    member: Annotated[int, typer.Option(help="Ensemble member to use.")] = 0,
    member_year: Annotated[
        int | None,
        typer.Option(
            "--member-year",
            help="Year of the member (1 = its first twelve months) at "
            "which the run starts; default: the member's months whose dates match the "
            "run's.",
        ),
    ] = None,
    report: Annotated[bool, typer.Option(help="Write report.html.")] = True,
    log: Annotated[bool, typer.Option(help="Show the solver's log.")] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace --out (and --write-lp) when vakhsh wrote it: an "
            "earlier run folder. Never a folder or file vakhsh did not write.",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            help="Build the LP even when its estimated size exceeds the memory available."
        ),
    ] = False,
    rolling: Annotated[
        str | None,
        typer.Option(
            "--rolling",
            metavar="WINDOW[,OVERLAP]",
            help="Solve in overlapping windows (e.g. "
            "7D,1D), each ending with the water values of a coarse solve of the whole run "
            "(four blocks a day sorted by net load; daily means where the step does not make "
            "four equal blocks, weekly means at daily steps); default overlap a seventh of the window, at least the longest "
            "reach delay. Memory is bounded by the window.",
        ),
    ] = None,
    exact: Annotated[
        bool,
        typer.Option(
            "--exact",
            help="With --rolling: then solve the full LP to optimality, HiGHS's simplex "
            "started from the rolling answer (the hourly year in a fraction of a cold "
            "solve's time; memory is the full LP's). The summary gives the rolling "
            "answer's gap to the optimum.",
        ),
    ] = False,
) -> None:
    """Optimise water and power together and write the audited results."""
    from vakhsh.network import load_network
    from vakhsh.outputs import check_file, output_folder
    from vakhsh.pipeline import optimise
    from vakhsh.solve.heads import HEAD_MODELS
    from vakhsh.solve.lp_file import LP_KIND, lp_comment
    from vakhsh.solve.options import SolveOptions

    if head not in HEAD_MODELS:
        raise bad_option("--head", f"must be one of {', '.join(HEAD_MODELS)}", head)
    spec = None
    if exact and rolling is None:
        raise bad_option("--exact", "starts the full LP from a rolling run: give --rolling too")
    if rolling is not None:  # refused before anything is loaded or written
        from vakhsh.rolling import parse

        spec = parse(rolling)
        if head == "iterate":
            raise bad_option(
                "--rolling",
                "solves each window once: use --head fixed, auto or fpha, not iterate",
                rolling,
            )
        if write_lp is not None and not exact:
            raise bad_option(
                "--write-lp",
                "writes one LP and --rolling solves many: leave out --rolling to write the full LP",
                str(write_lp),
            )
    if write_lp is not None:  # refused now rather than after the solve
        check_file(write_lp, LP_KIND, overwrite, option="--write-lp")
        lp_comment(write_lp, "--write-lp")
    model = model or default_model()
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if out is not None:  # checked and held before anything is loaded
            tmp = stack.enter_context(output_folder(out, RUN_KIND, overwrite, option="--out"))
        say = stack.enter_context(status("loading the model"))
        net = load_network(model, scenario=scenario, start=start, end=end, step=step)
        print_warnings(net.warnings)
        if inflows is not None:
            from vakhsh.hydrology.member import with_member

            net = with_member(net, inflows, member, first_year=member_year)
            console.print(f"inflows: {net.member.describe()}", highlight=False, markup=False)
        folder = out or Path("runs") / (
            f"{net.name}-{net.scenario or 'model'}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
        )
        if out is None:
            tmp = stack.enter_context(output_folder(folder, RUN_KIND, option="--out"))
        options = SolveOptions(head=head, solver=solver, write_lp=write_lp, log=log, force=force)
        if spec is None:
            results = optimise(net, options, progress=say)
        elif exact:
            from vakhsh.rolling import optimise_exact

            results = optimise_exact(net, spec, options, progress=say)
        else:
            from vakhsh.rolling import optimise_rolling

            results = optimise_rolling(net, spec, options, progress=say)
        say(f"writing {folder}")
        results.write_files(tmp)
        if report:
            from vakhsh.report.html import write_report

            say("writing report.html")
            write_report(results, tmp)
    print_summary(results, console)
    lp = f" and the LP to [bold]{write_lp}[/bold]" if write_lp is not None else ""
    console.print(
        f"wrote [bold]{folder}[/bold]{lp} in {time.perf_counter() - started:.1f} s", highlight=False
    )


def print_summary(results, console: Console) -> None:
    s = results.summary()
    audit = s["audit"]
    solve = s["solve"]
    head = f"[bold]{s['model']}[/bold]"
    if s["scenario"]:
        head += f" / {s['scenario']}"
    console.print(
        f"{head}: {s['period']['start'][:10]} .. {s['period']['end'][:10]}, "
        f"{s['period']['steps']} steps",
        highlight=False,
    )
    console.print(
        f"total cost [bold]{s['objective_usd'] / 1e6:,.1f} M USD[/bold]   "
        f"build {solve['build_s']:.2f} s, solve {solve['solve_s']:.2f} s, "
        f"{solve['rows']:,} rows x {solve['columns']:,} columns",
        highlight=False,
    )
    if solve.get("rolling"):
        roll = solve["rolling"]
        coarse = (
            f", coarse solve at {roll['coarse_step']} steps {roll['coarse_solve_s']:.1f} s"
            if roll.get("coarse_step")
            else ""
        )
        console.print(
            f"rolling {roll['window']}: {roll['windows']} windows{coarse}", highlight=False
        )
    if (solve.get("start") or {}).get("rolling_s") is not None:
        start = solve["start"]
        console.print(
            f"exact: the full LP from the rolling answer ({start['rolling_s']:.1f} s, "
            f"{start['rolling_gap']:+.2e} from the optimum), then "
            f"{start['simplex_iterations']:,} simplex iterations",
            highlight=False,
        )
    if solve.get("head_mode") == "iterate":
        gap = solve.get("head_energy_gap") or 0.0
        console.print(
            f"head iterations {solve['head_iterations']}, exact-vs-LP hydro energy gap {gap:+.3%}",
            highlight=False,
        )
    elif solve.get("fpha"):
        gap = solve.get("head_energy_gap") or 0.0
        console.print(
            f"head: FPHA for {', '.join(solve['fpha'])}, fixed head elsewhere; "
            f"exact-vs-LP hydro energy gap {gap:+.3%}",
            highlight=False,
        )
    print_table(costs_table(s["costs_usd"], s["objective_usd"]), console)
    energy = s["energy"]
    table = Table(title="Energy by bus (GWh)", title_justify="left")
    for col in (
        "bus",
        "load",
        "hydro",
        "unserved",
        "winter unserved",
        "winter net import",
        "winter deficit",
    ):
        table.add_column(col, justify="left" if col == "bus" else "right")
    hydro = energy["hydro_generation_gwh_by_bus"]
    for bus, load in energy["load_gwh"].items():
        table.add_row(
            bus,
            f"{load:,.0f}",
            f"{hydro.get(bus, 0):,.0f}",
            f"{energy['unserved_gwh'][bus]:,.1f}",
            f"{energy['winter_unserved_gwh'][bus]:,.1f}",
            f"{energy['winter_net_import_gwh'][bus]:,.0f}",
            f"{energy['winter_deficit_gwh'][bus]:,.0f}",
        )
    print_table(table, console)
    if energy["export_gwh"]:
        trade = ", ".join(
            f"{m} export {energy['export_gwh'][m]:,.0f} / import {energy['import_gwh'][m]:,.0f} GWh"
            for m in energy["export_gwh"]
        )
        console.print(f"markets: {trade}", highlight=False)
    water = s["water"]
    if water["delivered_hm3"]:
        table = Table(title="Water demands (hm³)", title_justify="left")
        for col in ("demand", "delivered", "shortage"):
            table.add_column(col, justify="left" if col == "demand" else "right")
        for did, got in water["delivered_hm3"].items():
            table.add_row(did, f"{got:,.0f}", f"{water['shortage_hm3'][did]:,.1f}")
        print_table(table, console)
    if water["sink_inflow_hm3"]:
        sinks = ", ".join(f"{k} {v:,.0f} hm³" for k, v in water["sink_inflow_hm3"].items())
        console.print(f"to sinks: {sinks}", highlight=False)
    print_warnings(results.solve_info.get("warnings") or [], console)
    verdict = "[green]passed[/green]" if audit["passed"] else "[red]FAILED[/red]"
    console.print(
        f"audit {verdict}: water residual {audit['water_max_residual_hm3']:.2e} hm³ "
        f"(relative {audit['water_max_relative']:.1e}), energy residual "
        f"{audit['energy_max_residual_mwh']:.2e} MWh (relative "
        f"{audit['energy_max_relative']:.1e})",
        highlight=False,
    )


def costs_table(costs_usd: dict[str, float], objective_usd: float) -> Table:
    """summary.json's `costs_usd` (vakhsh.results.metrics.costs_usd), every kind, in the
    order of the objective; market revenue is negative. The kinds sum to the total."""
    table = Table(title="Costs (M USD)", title_justify="left")
    table.add_column("kind")
    table.add_column("M USD", justify="right")
    for kind, usd in costs_usd.items():
        table.add_row(kind.replace("_", " "), f"{usd / 1e6:,.1f}")
    table.add_section()
    table.add_row("total", f"{objective_usd / 1e6:,.1f}")
    return table
