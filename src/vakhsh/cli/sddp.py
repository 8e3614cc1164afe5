"""`vakhsh sddp`: train an SDDP policy on an inflow ensemble and simulate it;
`vakhsh sddp simulate`: simulate a saved policy on another ensemble."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from vakhsh.cli.console import console
from vakhsh.cli.errors import bad_option
from vakhsh.cli.options import ScenarioOpt
from vakhsh.cli.progress import status
from vakhsh.report.terminal import print_table

SIMULATE = "simulate"


def sddp(
    model: Annotated[
        list[str],
        typer.Argument(
            help="MODEL (a model folder or embedded dataset) to train a policy, or "
            "`simulate MODEL` to simulate a saved one (--policy).",
            metavar="[simulate] MODEL",
        ),
    ],
    inflows: Annotated[
        Path, typer.Option(help="Inflow ensemble (netCDF) from `vakhsh inflows generate`.")
    ],
    scenario: ScenarioOpt = None,
    start: Annotated[
        str | None,
        typer.Option(help="First step, e.g. 2024-10-01 (not with `simulate`: the policy's)."),
    ] = None,
    end: Annotated[str | None, typer.Option(help="End (exclusive).")] = None,
    step: Annotated[str | None, typer.Option(help="Step: 1h, 3h, 1D.")] = None,
    noise: Annotated[str, typer.Option(help="independent | par1.")] = "independent",
    stage: Annotated[str, typer.Option(help="month | week.")] = "month",
    iterations: Annotated[int, typer.Option(help="Iteration limit.")] = 100,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Training time limit in seconds.")
    ] = None,
    forward_passes: Annotated[int, typer.Option(help="Forward passes per iteration.")] = 1,
    risk: Annotated[
        str,
        typer.Option(
            help="expectation | cvar:LAMBDA,BETA (LAMBDA weight "
            "on the expectation, BETA fraction of worst "
            "outcomes)."
        ),
    ] = "expectation",
    cut: Annotated[str, typer.Option(help="multi (one cut per outcome) | single.")] = "multi",
    head: Annotated[
        str | None,
        typer.Option(
            help="Head model of the stage LPs, as `vakhsh run "
            "--head`: auto (FPHA planes over storage and flow "
            "where a plant has tailwater_masl, fixed head "
            "elsewhere) | fixed | fpha. Not with `simulate`: "
            "the policy's."
        ),
    ] = None,
    gap: Annotated[
        float | None,
        typer.Option(help="Stop at this statistical gap (checked every 10 iterations)."),
    ] = 0.01,
    simulate: Annotated[
        int | None, typer.Option(help="Members to simulate after training (default: all).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the forward-pass sampling.")] = 0,
    workers: Annotated[
        int, typer.Option(help="Processes sharing the training's solves (one per core).")
    ] = 1,
    perfect_foresight: Annotated[
        bool,
        typer.Option(
            "--perfect-foresight",
            help="Also solve each simulated member's deterministic "
            "LP (the whole year's inflow known): cost and winter deficit beside the "
            "policy's.",
        ),
    ] = False,
    policy: Annotated[
        Path | None, typer.Option(help="With `simulate`: the policy folder (DIR/policy of a run).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default runs/<model>-sddp-<UTC time>).")
    ] = None,
    report: Annotated[bool, typer.Option(help="Write report.html.")] = True,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace --out when vakhsh wrote it: an earlier SDDP "
            "folder. Never a folder vakhsh did not write.",
        ),
    ] = False,
) -> None:
    """Operate under uncertainty: SDDP water values, policy simulation, risk aversion.

    `vakhsh sddp MODEL --inflows ENS.nc` trains a policy (stages = months of the
    horizon; cuts on reservoir storage and every other state) and simulates it on
    the ensemble's members. `vakhsh sddp simulate MODEL --policy DIR --inflows
    OTHER.nc` simulates a saved policy out of sample."""
    from vakhsh.sddp import SDDPOptions, simulate_policy
    from vakhsh.sddp import sddp as train_policy
    from vakhsh.sddp.options import HEADS

    started = time.perf_counter()
    simulating = len(model) == 2 and model[0] == SIMULATE
    if len(model) != 1 and not simulating:
        raise bad_option("MODEL", "expected MODEL or `simulate MODEL`", " ".join(model))
    name = model[-1]
    if simulating and policy is None:
        raise bad_option("--policy", "`vakhsh sddp simulate` needs the policy folder of a run")
    if policy is not None and not simulating:
        raise bad_option("--policy", "only with `vakhsh sddp simulate`")
    if simulating and (start or end or step):
        raise bad_option(
            "--start/--end/--step", "a policy is simulated over the horizon it was trained on"
        )
    if simulating and head is not None:
        raise bad_option(
            "--head", "a policy is simulated with the head model it was trained with", head
        )
    if head is not None and head not in HEADS:  # as `vakhsh run` checks it
        raise bad_option(
            "--head",
            f"must be one of {', '.join(HEADS)} (SDDP's stages keep one LP: no iterate)",
            head,
        )
    options = SDDPOptions(
        noise=noise,
        stage=stage,
        iterations=iterations,
        time_limit_s=time_limit,
        forward_passes=forward_passes,
        risk=risk,
        cut=cut,
        simulate=simulate,
        seed=seed,
        gap=gap,
        workers=workers,
        perfect_foresight=perfect_foresight,
        head=head or "auto",
    )
    options.check()
    folder = out or Path("runs") / (
        f"{Path(name).name}-sddp"
        f"{'-simulate' if simulating else ''}-"
        f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    )
    # --out is checked and held before anything is loaded or trained
    written = {"out": folder, "overwrite": overwrite, "report": report, "option": "--out"}
    with status("loading the model") as say:
        if simulating:
            run = simulate_policy(
                name,
                policy,
                inflows,
                scenario=scenario,
                members=simulate,
                say=say,
                perfect_foresight=perfect_foresight,
                **written,
            )
        else:
            header = _progress_header(console)
            run = train_policy(
                name,
                inflows,
                options,
                scenario=scenario,
                progress=lambda it: _progress_row(console, it, header),
                say=say,
                start=start,
                end=end,
                step=step,
                **written,
            )
    print_sddp_summary(run.summary(), console)
    console.print(
        f"wrote [bold]{folder}[/bold] in {time.perf_counter() - started:.1f} s", highlight=False
    )


def _progress_header(console: Console) -> list[bool]:
    return [False]  # printed with the first row: not before --out and the inputs pass


def _progress_row(console: Console, it, header: list[bool]) -> None:
    if not header[0]:
        header[0] = True
        console.print(
            f"{'iter':>4} {'bound M USD':>12} {'forward':>12} "
            f"{'simulated ± 95 %':>20} {'gap':>7} {'cuts':>6} {'time':>7}",
            highlight=False,
        )
    sim = (
        f"{it.simulated_mean_usd / 1e6:,.1f} ± {it.simulated_ci95_usd / 1e6:,.1f}"
        if it.simulated_mean_usd is not None
        else ""
    )
    gap = f"{it.gap:.2%}" if it.gap is not None else ""
    console.print(
        f"{it.iteration:>4} {it.lower_bound_usd / 1e6:>12,.2f} "
        f"{it.forward_cost_usd / 1e6:>12,.1f} {sim:>20} {gap:>7} {it.cuts:>6} "
        f"{it.time_s:>6.0f}s",
        highlight=False,
    )


def print_sddp_summary(s: dict, console: Console) -> None:
    d = s["sddp"]
    console.print(
        f"[bold]{s['model']}[/bold]"
        + (f" / {s['scenario']}" if s["scenario"] else "")
        + f": {d['stages']} stages ({d['stage']}), {d['outcomes_per_stage'][0]} "
        f"outcomes per stage, noise {d['noise']}, risk {d['risk']}",
        highlight=False,
    )
    if d["lower_bound_usd"] is not None:
        console.print(
            f"lower bound [bold]{d['lower_bound_usd'] / 1e6:,.2f} M USD[/bold] after "
            f"{d['iterations']} iterations (stopped by {d['stopped_by']})",
            highlight=False,
        )
    if d["simulated_mean_usd"] is None:
        return
    console.print(
        f"simulated cost on {d['members_simulated']} members "
        f"[bold]{d['simulated_mean_usd'] / 1e6:,.2f} ± "
        f"{d['simulated_ci95_usd'] / 1e6:,.2f} M USD[/bold] (95 %)",
        highlight=False,
    )
    table = Table(
        title="Winter deficit by bus (GWh) over the simulated members", title_justify="left"
    )
    for col in ("bus", "P10", "P50", "P90", "worst"):
        table.add_column(col, justify="left" if col == "bus" else "right")
    pf = d.get("perfect_foresight", {}).get("winter_deficit_gwh", {})
    for bus, dist in d["winter_deficit_gwh"].items():
        table.add_row(bus, *(f"{dist[k]:,.0f}" for k in ("p10", "p50", "p90", "worst")))
        if bus in pf:
            table.add_row(
                f"{bus}, perfect foresight",
                *(f"{pf[bus][k]:,.0f}" for k in ("p10", "p50", "p90", "worst")),
            )
    print_table(table, console)
    solve = s["solve"]
    if solve.get("fpha"):  # as `vakhsh run` says it
        console.print(
            f"head: FPHA for {', '.join(solve['fpha'])}, fixed head elsewhere; "
            f"exact-vs-LP hydro energy gap {solve['head_energy_gap'] or 0.0:+.3%} "
            "(mean over members)",
            highlight=False,
        )
    audit = s["audit"]
    verdict = "[green]passed[/green]" if audit["passed"] else "[red]FAILED[/red]"
    console.print(
        f"audit {verdict} on {audit['members_passed']}/{audit['members']} members: "
        f"largest water residual relative {audit['water_max_relative']:.1e}, energy "
        f"{audit['energy_max_relative']:.1e}",
        highlight=False,
    )
