"""Where the command line writes: results on stdout, errors on stderr.

Rich resolves `sys.stdout`/`sys.stderr` when it prints, so typer's test runner captures
both; these consoles hold no state of a run."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def print_warnings(lines: Iterable[str], out: Console = console) -> None:
    """Valid but probably unmeant (model) or numerically doubtful (solver): said, not fatal."""
    for line in lines:
        out.print(f"warning: {line}", markup=False, highlight=False, soft_wrap=True, style="yellow")
