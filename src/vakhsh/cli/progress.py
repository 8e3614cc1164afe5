"""Progress on the terminal, one helper for every command.

`status(message)` is the spinner of a single job and yields the `say(text)` callable that
the domain functions take as `progress=`/`say=`; `RunsBar` draws many runs (the hooks of
`vakhsh.ensemble.runner.Progress`): done, failed, remaining, elapsed and ETA."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from vakhsh.cli.console import console as _stdout

Say = Callable[[str], None]


@contextlib.contextmanager
def status(message: str, console: Console = _stdout) -> Iterator[Say]:
    """A spinner showing `message`; the yielded callable replaces the message."""
    with console.status(message) as spinner:
        yield spinner.update


class RunsBar:
    """A rich progress bar over the runs of an ensemble."""

    def __init__(self, console: Console = _stdout):
        self.bar = Progress(
            TextColumn("[bold]runs"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.task = None

    @staticmethod
    def _counts(tally) -> str:
        failed = f"[red]{tally.failed} failed[/red]" if tally.failed else "0 failed"
        skipped = f", {tally.skipped} already done" if tally.skipped else ""
        return f"{tally.succeeded} ok, {failed}, {tally.remaining} remaining{skipped}"

    def start(self, tally) -> None:
        self.bar.start()
        self.task = self.bar.add_task(
            "runs", total=tally.total, completed=tally.skipped, counts=self._counts(tally)
        )

    def advance(self, record: dict[str, Any], tally) -> None:
        if record["status"] != "ok":
            error = (record.get("error") or "").splitlines()[0][:160]
            label = ", ".join(f"{k}={v}" for k, v in record["values"].items())
            self.bar.console.print(
                f"[red]failed[/red] {record['run']} ({label}): {error}",
                highlight=False,
                markup=True,
            )
        self.bar.update(self.task, advance=1, counts=self._counts(tally))

    def stop(self) -> None:
        self.bar.stop()
