"""`vakhsh report RUN_DIR` and `vakhsh compare RUN_DIR RUN_DIR ...`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from vakhsh.cli.console import console
from vakhsh.cli.errors import bad_option
from vakhsh.cli.progress import status


def report(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `vakhsh run`.")],
    png: Annotated[
        bool, typer.Option(help="Also write every plot as PNG into RUN_DIR/plots.")
    ] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace report.html and plots/ that vakhsh wrote also in "
            "a folder without vakhsh's marker (an older run folder).",
        ),
    ] = False,
) -> None:
    """Rebuild report.html of a run from its folder alone."""
    from vakhsh.outputs import check_file, check_folder, read_marker, record_files
    from vakhsh.report.html import REPORT_FILE, REPORT_KIND, render_report, write_report_file
    from vakhsh.report.load import load_run
    from vakhsh.report.plots import PLOTS_KIND, save_all

    started = time.perf_counter()
    # in a run folder vakhsh wrote, its report and plots are replaced; elsewhere only
    # written where nothing is yet
    own = overwrite or (read_marker(run_dir) or {}).get("kind") == "run"
    page, plots = Path(run_dir) / REPORT_FILE, Path(run_dir) / "plots"
    check_file(page, REPORT_KIND, overwrite=own, option="RUN_DIR")
    if png:
        check_folder(plots, PLOTS_KIND, overwrite=own, option="RUN_DIR")
    with status(f"reading {run_dir}"):
        run = load_run(run_dir)
    with status("drawing the plots"):
        write_report_file(page, render_report(run), overwrite=own, option="RUN_DIR")
        if png:
            save_all(run, plots, overwrite=own)
        record_files(run_dir)
    console.print(
        f"wrote [bold]{page}[/bold] in {time.perf_counter() - started:.1f} s", highlight=False
    )


def compare(
    run_dirs: Annotated[list[Path], typer.Argument(help="Two or more run folders.")],
    out: Annotated[
        Path | None, typer.Option(help="Where to write compare.html (default: ./compare.html).")
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace --out when vakhsh wrote it (an earlier "
            "compare.html); never a file vakhsh did not write.",
        ),
    ] = False,
) -> None:
    """Key metrics of several runs side by side, and compare.html with overlaid plots."""
    from vakhsh.outputs import check_file
    from vakhsh.report.compare import COMPARE_KIND, compare_path, compare_runs, print_comparison
    from vakhsh.report.load import load_run

    if len(run_dirs) < 2:
        raise bad_option("RUN_DIR", "give at least two run folders to compare")
    target = compare_path(out or Path("compare.html"))
    check_file(target, COMPARE_KIND, overwrite, option="--out")
    with status("reading the runs"):
        runs = [load_run(d) for d in run_dirs]
    with status("drawing the plots"):
        path, table = compare_runs(runs, target, overwrite, option="--out")
    print_comparison(table, console)
    console.print(f"wrote [bold]{path}[/bold]", highlight=False)
