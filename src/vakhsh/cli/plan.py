"""`vakhsh plan`: investment planning co-optimised with operation; writes plan.json,
ranking.csv, results per year and report.html."""

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
from vakhsh.cli.options import ScenarioOpt, default_model
from vakhsh.cli.progress import status
from vakhsh.report.terminal import print_table


def _years(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise bad_option(
            "--years", "expected years separated by commas, e.g. 2030,2035,2040", text
        ) from None


def _floats(text: str | None, option: str) -> list[float] | None:
    if not text:
        return None
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise bad_option(option, "expected numbers separated by commas", text) from None


def _climate(text: str | None) -> dict:
    if not text:
        return {}
    if "=" not in text:
        return {"all": text.strip()}
    out = {}
    for part in text.split(","):
        year, _, name = part.partition("=")
        try:
            out[int(year)] = name.strip()
        except ValueError:
            raise bad_option("--climate", "expected NAME or YEAR=NAME,YEAR=NAME", text) from None
    return out


def plan(
    model: Annotated[
        str | None, typer.Argument(help="Model folder or embedded dataset (default: central-asia).")
    ] = None,
    years: Annotated[
        str | None,
        typer.Option(help="Investment years, e.g. 2030,2035,2040 (default: the model's period)."),
    ] = None,
    members: Annotated[
        int,
        typer.Option(
            help="Inflow members planned on at once: from --inflows, else 2 = dry+base, "
            "3 = dry+base+wet scenarios."
        ),
    ] = 1,
    weights: Annotated[
        str | None, typer.Option(help="Member weights, e.g. 0.3,0.4,0.3 (default equal).")
    ] = None,
    inflows: Annotated[
        Path | None, typer.Option(help="Inflow ensemble (netCDF) from `vakhsh inflows generate`.")
    ] = None,
    myopic: Annotated[
        bool, typer.Option("--myopic", help="Plan year by year without foresight.")
    ] = False,
    scenario: ScenarioOpt = None,
    demand_growth: Annotated[
        float, typer.Option(help="Load growth per year from the model's own year, e.g. 0.03.")
    ] = 0.0,
    climate: Annotated[
        str | None,
        typer.Option(
            help="Named climate scenario of `vakhsh "
            "inflows` applied to every year, or "
            "YEAR=NAME,YEAR=NAME."
        ),
    ] = None,
    stages: Annotated[
        Path | None,
        typer.Option(
            help="Reservoir stages (YAML: id -> "
            "reservoir, storage_max_hm3, capex_usd, "
            "lifetime_years)."
        ),
    ] = None,
    rank: Annotated[bool, typer.Option(help="Rank every candidate (2 solves each).")] = True,
    report: Annotated[
        bool,
        typer.Option(
            help="Write the run report of every case too "
            "(the plan's report.html is always written)."
        ),
    ] = True,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default runs/plan-<model>-<UTC time>).")
    ] = None,
    solver: Annotated[str, typer.Option(help="Any solver linopy knows.")] = "highs",
    log: Annotated[bool, typer.Option(help="Show the solver's log.")] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace --out when vakhsh wrote it: an earlier plan "
            "folder. Never a folder vakhsh did not write.",
        ),
    ] = False,
) -> None:
    """Choose what to build (and when) at least cost, and rank every candidate."""
    from vakhsh.outputs import output_folder
    from vakhsh.plan import PlanSpec, default_members
    from vakhsh.plan import plan as run_plan
    from vakhsh.plan.cases import read_stages
    from vakhsh.solve.options import SolveOptions

    model = model or default_model()
    started = time.perf_counter()
    folder = out or Path("runs") / (
        f"plan-{Path(str(model)).name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    )
    # checked and held before anything is loaded; renamed into place when complete
    with output_folder(folder, "plan", overwrite, option="--out") as tmp:
        year_list = _years(years)
        member_list = default_members(
            model, members, scenario, inflows, _floats(weights, "--weights")
        )
        spec = PlanSpec(
            years=year_list,
            members=member_list,
            scenario=scenario,
            demand_growth=demand_growth,
            myopic=myopic,
            climate=_climate(climate),
            stages=read_stages(stages) if stages else {},
        )
        options = SolveOptions(solver=solver, log=log)
        with status("planning") as say:
            result = run_plan(model, spec, options, ranking=rank, progress=say)
            say(f"writing {folder}")
            result.write_files(tmp, year_reports=report)
    print_plan(result, console)
    console.print(
        f"wrote [bold]{folder}[/bold] in {time.perf_counter() - started:.1f} s", highlight=False
    )


def print_plan(result, console: Console) -> None:
    d = result.to_dict()
    console.print(
        f"[bold]{d['model']}[/bold]: years {', '.join(map(str, d['years']))}, "
        f"{'myopic' if d['myopic'] else 'perfect foresight'}, "
        f"{len(result.cases)} cases; objective [bold]"
        f"{d['objective_usd'] / 1e6:,.1f} M USD[/bold] (investment "
        f"{d['costs']['investment_usd'] / 1e6:,.1f}, operation "
        f"{d['costs']['operating_usd'] / 1e6:,.1f})",
        highlight=False,
    )
    if d.get("head"):
        from vakhsh.plan.expansion import head_message

        console.print(head_message(d["head"]), highlight=False)
    table = Table(title="Builds (MW)", title_justify="left")
    table.add_column("candidate", no_wrap=True)
    for year in d["years"]:
        table.add_column(str(year), justify="right")
    for cid, by in d["builds"].items():
        table.add_row(cid, *[f"{by[str(y)]:,.0f}" for y in d["years"]])
    print_table(table, console)
    if result.ranking is not None:
        table = Table(
            title="Ranking (annual; cost M$/yr, B/C added alone and removed from "
            "the plan, LCOE $/MWh), sorted by B/C added",
            title_justify="left",
        )
        for col in (
            "candidate",
            "MW",
            "M$/yr",
            "B/C add",
            "B/C rem",
            "NPV M$",
            "$/MWh",
            "winter GWh",
        ):
            table.add_column(
                col, justify="left" if col == "candidate" else "right", no_wrap=col == "candidate"
            )
        for row in result.ranking.itertuples():
            table.add_row(
                row.candidate,
                f"{row.size_mw:,.0f}",
                f"{row.annual_cost_usd / 1e6:,.2f}",
                _num(row.bc_added),
                _num(row.bc_removed),
                f"{row.npv_usd / 1e6:,.1f}",
                _num(row.lcoe_usd_per_mwh, 1),
                f"{row.winter_energy_gwh:,.0f}",
            )
        print_table(table, console)
    if d["average_year_plan"]:
        a = d["average_year_plan"]
        regret = a["regret_usd_per_year"] / 1e6
        regret = 0.0 if abs(regret) < 5e-3 else regret  # no "-0.00" from solver tolerance
        console.print(
            f"average-year plan on every member: {regret:,.2f}"
            f" M USD/yr more, unserved {a['unserved_mwh_per_year']:,.0f} MWh/yr "
            f"(robust plan {a['robust_unserved_mwh_per_year']:,.0f})",
            highlight=False,
        )
    t = d["timing_s"]
    console.print(
        f"build {t['build_s']:.1f} s, plan solve {t['plan_solve_s']:.1f} s, ranking "
        f"{t['rank_s']:.1f} s ({t['rank_solves']} solves)",
        highlight=False,
    )


def _num(value, digits: int = 2) -> str:
    if value is None or value != value:
        return "–"
    return f"{value:,.{digits}f}"
