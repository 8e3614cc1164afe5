"""`vakhsh report RUN_DIR` and `vakhsh compare RUN_DIR RUN_DIR ...`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Callable

import typer
from rich.console import Console


def register(app: typer.Typer, reports_errors: Callable, console: Console) -> None:
    @app.command()
    @reports_errors
    def report(
        run_dir: Annotated[Path, typer.Argument(help="A run folder written by `vakhsh run`.")],
        png: Annotated[bool, typer.Option(help="Also write every plot as PNG into "
                                          "RUN_DIR/plots.")] = False,
    ) -> None:
        """Rebuild report.html of a run from its folder alone."""
        from vakhsh.report.html import REPORT_FILE, write_atomically, render_report
        from vakhsh.report.load import load_run

        started = time.perf_counter()
        with console.status(f"reading {run_dir}"):
            run = load_run(run_dir)
        with console.status("drawing the plots"):
            write_atomically(Path(run_dir) / REPORT_FILE, render_report(run))
            if png:
                from vakhsh.report.plots import save_all

                save_all(run, Path(run_dir) / "plots")
        console.print(f"wrote [bold]{Path(run_dir) / REPORT_FILE}[/bold] in "
                      f"{time.perf_counter() - started:.1f} s", highlight=False)

    @app.command()
    @reports_errors
    def compare(
        run_dirs: Annotated[list[Path], typer.Argument(help="Two or more run folders.")],
        out: Annotated[Path | None, typer.Option(help="Where to write compare.html "
                                                 "(default: ./compare.html).")] = None,
    ) -> None:
        """Key metrics of several runs side by side, and compare.html with overlaid plots."""
        from vakhsh.report.compare import compare_runs, print_comparison
        from vakhsh.report.load import load_run

        if len(run_dirs) < 2:
            from vakhsh.errors import ModelError, Problem

            raise ModelError([Problem("command line", "RUN_DIR", "give at least two run "
                                      "folders to compare")])
        with console.status("reading the runs"):
            runs = [load_run(d) for d in run_dirs]
        with console.status("drawing the plots"):
            path, table = compare_runs(runs, out or Path("compare.html"))
        print_comparison(table, console)
        console.print(f"wrote [bold]{path}[/bold]", highlight=False)
