"""The `vakhsh` command line: one module per command, on top of the domain packages.

Every command is a plain function wrapped by `errors.reports_errors` and registered on the
one Typer application in `main`; nothing here is imported by a domain package.

    run.py        vakhsh run
    plan.py       vakhsh plan
    report.py     vakhsh report, vakhsh compare
    models.py     vakhsh datasets, validate, show
    inflows.py    vakhsh inflows generate|stats
    ensemble.py   vakhsh ensemble, vakhsh frontier
    sddp.py       vakhsh sddp [simulate]
    serve.py      vakhsh serve
    root.py       the application: --version, --debug, every command registered once
    errors.py     VakhshError -> `vakhsh: error:` lines, exit 2 (also with --debug)
    progress.py   the spinner and the runs bar every command uses
    options.py    arguments and options shared by several commands
"""

from vakhsh.cli.console import console, err_console
from vakhsh.cli.errors import reports_errors
from vakhsh.cli.root import app, main

__all__ = ["app", "console", "err_console", "main", "reports_errors"]
