"""`vakhsh inflows generate|stats`: a typer sub-application, mounted by `vakhsh.cli.root`
with ``app.add_typer(inflows_app, name="inflows")``."""

from __future__ import annotations

import time as _time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from vakhsh.cli.console import console
from vakhsh.cli.errors import reports_errors
from vakhsh.cli.progress import status
from vakhsh.hydrology.errors import InflowError
from vakhsh.report.terminal import print_table

inflows_app = typer.Typer(
    name="inflows",
    help="Synthetic inflow ensembles: generate them from a model's records or climatology, "
    "and check their statistics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _load_basin_map(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    from vakhsh.schema.safe_yaml import read_yaml_file

    data = read_yaml_file(path, str(path))
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise InflowError(path, "", "expected a mapping catchment_id: basin")
    return data


@inflows_app.command()
@reports_errors
def generate(
    model: Annotated[str, typer.Argument(help="A model folder or an embedded dataset name.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output netCDF file.")],
    years: Annotated[int, typer.Option("--years", min=1, help="Years per member.")] = 50,
    members: Annotated[int, typer.Option("--members", min=1, help="Number of members.")] = 100,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="auto (PAR(1) on inflow_records.csv "
            "where the model has it, else thin) | par1 | "
            "kirsch-nowak | thin.",
        ),
    ] = "auto",
    climate: Annotated[
        str | None, typer.Option("--climate", help="A named climate scenario.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed (recorded in the file).")
    ] = None,
    basin_map: Annotated[
        Path | None,
        typer.Option("--basin-map", help="YAML catchment: basin, overriding the default matching."),
    ] = None,
    annual_cv: Annotated[
        bool,
        typer.Option(
            "--annual-cv/--no-annual-cv",
            help="par1: add the annual component that keeps the CV of annual flow.",
        ),
    ] = True,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace --out when vakhsh wrote "
            "it (an earlier ensemble file); never another file.",
        ),
    ] = False,
) -> None:
    """Generate an ensemble (member x time x catchment, monthly m3/s) and write it to netCDF.

    `--method auto` (the default) fits PAR(1) to `inflow_records.csv` where the model folder
    has one, else uses the thin-data method (the model's monthly climatology and
    `inflow_stats.csv`), and says which; par1 and kirsch-nowak need the records.
    """
    from vakhsh.hydrology.climate import apply_scenario
    from vakhsh.hydrology.ensemble import INFLOWS_KIND, write_ensemble
    from vakhsh.hydrology.sources import choose_method, fit_for_model, model_inputs
    from vakhsh.network import load_network
    from vakhsh.outputs import check_file

    bmap = _load_basin_map(basin_map)
    if climate is not None:
        from vakhsh.hydrology.climate import SCENARIOS

        if climate not in SCENARIOS:
            raise InflowError(
                "--climate", climate, f"unknown scenario; known: {', '.join(sorted(SCENARIOS))}"
            )
    check_file(out, INFLOWS_KIND, overwrite, option="--out")  # before any work
    t0 = _time.perf_counter()
    net = load_network(model)
    inputs = model_inputs(net)
    fitted = fit_for_model(inputs, method, match_annual_cv=annual_cv)
    console.print(f"method {choose_method(inputs, method)[1]}", highlight=False, markup=False)
    with status(f"generating {members} x {years} years x {len(inputs.catchments)} catchments"):
        da = fitted.generate(years, members, seed=seed, start=inputs.start)
        if climate is not None:
            da = apply_scenario(da, climate, basin_map=bmap)
        da.attrs["model"] = str(model)
        da.attrs["source"] = (
            "inflow_records.csv"
            if inputs.records is not None and fitted.method != "thin"
            else "climatology + inflow_stats.csv"
        )
        targets = fitted.target.to_dataset()
        write_ensemble(da, out, targets, overwrite=overwrite, option="--out")
    dt = _time.perf_counter() - t0
    console.print(
        f"[green]wrote[/green] {out}: {members} members x {years} years x "
        f"{len(inputs.catchments)} catchments, method {da.attrs['method']}, seed {da.attrs['seed']}, "
        f"climate {da.attrs.get('climate', 'none')} ({dt:.1f} s)",
        highlight=False,
    )
    for note in str(da.attrs.get("notes", "")).split("; "):
        if note:
            console.print(f"  note: {note}", highlight=False, markup=False)


def _read_with_targets(path: Path):
    from vakhsh.hydrology.ensemble import open_inflows
    from vakhsh.hydrology.stats import MonthlyStats

    with open_inflows(path) as ds:
        da = ds["inflow_m3s"].load().astype(float)
        attrs = dict(ds.attrs)
        if "target_mean_m3s" in ds:
            target = MonthlyStats.from_dataset(
                ds[[v for v in ds.data_vars if v.startswith("target_")]].load()
            )
            return da, target, attrs
    # a file written without targets (e.g. a climate-transformed copy): achieved only
    import xarray as xr

    g = [str(c) for c in da["catchment"].values]
    nan = xr.Dataset(
        {
            name: (("month", "catchment"), np.full((12, len(g)), np.nan))
            for name in ("target_mean_m3s", "target_std_m3s", "target_skew", "target_lag1")
        },
        coords={"month": np.arange(1, 13), "catchment": g, "catchment_b": g},
    )
    nan["target_cross"] = (
        ("month", "catchment", "catchment_b"),
        np.full((12, len(g), len(g)), np.nan),
    )
    nan["target_cv_annual"] = (("catchment",), np.full(len(g), np.nan))
    nan["target_lag1_annual"] = (("catchment",), np.full(len(g), np.nan))
    return da, MonthlyStats.from_dataset(nan), attrs


def by_month_table(path: Path) -> Table:
    """Per calendar month and gauge: target and achieved mean, std and lag-1."""
    from vakhsh.hydrology.stats import ensemble_stats

    da, target, _attrs = _read_with_targets(path)
    achieved = ensemble_stats(da)
    table = Table(title=f"{path.name}: by calendar month (target / achieved)")
    for col in ("gauge", "month", "mean m3/s", "std m3/s", "lag-1"):
        table.add_column(col, justify="left" if col == "gauge" else "right")

    def pair(a, b, fmt):
        left = "-" if not np.isfinite(a) else f"{a:{fmt}}"
        right = "-" if not np.isfinite(b) else f"{b:{fmt}}"
        return f"{left} / {right}"

    for g in target.gauges:
        for m in range(1, 13):
            table.add_row(
                g if m == 1 else "",
                str(m),
                pair(target.mean.at[m, g], achieved.mean.at[m, g], ".1f"),
                pair(target.std.at[m, g], achieved.std.at[m, g], ".1f"),
                pair(target.lag1.at[m, g], achieved.lag1.at[m, g], ".2f"),
            )
    return table


def stats_table(path: Path) -> Table:
    from vakhsh.hydrology.stats import compare, ensemble_stats

    da, target, attrs = _read_with_targets(path)
    achieved = ensemble_stats(da)
    rows = compare(target, achieved)
    title = (
        f"{path.name}: {da.sizes['member']} members x {da.sizes['time'] // 12} years, "
        f"method {attrs.get('method')}, seed {attrs.get('seed')}, climate {attrs.get('climate', 'none')}"
    )
    table = Table(title=title)
    for col in ("gauge", "statistic", "target", "achieved", "worst month", "worst error"):
        table.add_column(col, justify="left" if col in ("gauge", "statistic") else "right")

    def num(x):
        return "-" if not np.isfinite(x) else (f"{x:.3f}" if abs(x) < 10 else f"{x:.1f}")

    for r in rows.itertuples():
        if not (np.isfinite(r.target) or np.isfinite(r.achieved)):
            continue
        if not np.isfinite(r.worst_error):
            err = "-"
        else:
            err = (
                f"{100 * r.worst_error:+.1f} %" if r.kind == "relative" else f"{r.worst_error:+.3f}"
            )
        table.add_row(
            r.gauge,
            r.statistic,
            num(r.target),
            num(r.achieved),
            str(r.worst_month) if r.worst_month and err != "-" else "",
            err,
        )
    if attrs.get("climate", "none") not in ("none", ""):
        table.caption = "targets are the fitted (historical) statistics; the climate transform changes them on purpose"
    else:
        table.caption = "mean/std: worst month relative error; others: worst absolute difference"
    return table


@inflows_app.command()
@reports_errors
def stats(
    file: Annotated[Path, typer.Argument(help="An ensemble netCDF file.")],
    by_month: Annotated[
        bool, typer.Option("--by-month", help="Also list every calendar month.")
    ] = False,
) -> None:
    """Table of target against achieved statistics of an ensemble file."""
    tables = [stats_table(file)] + ([by_month_table(file)] if by_month else [])
    for table in tables:
        print_table(table, console)
