"""`vakhsh serve`: the web app on http://127.0.0.1:8050/ (FastAPI on uvicorn)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

DEFAULT_WORKDIR = Path("vakhsh-work")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer, reports_errors: Callable, console: Console) -> None:
    @app.command()
    @reports_errors
    def serve(
        host: Annotated[str, typer.Option(help="Address to listen on. Anything but "
                                          "127.0.0.1/localhost exposes the app, which has "
                                          "no authentication, to the network.")
                        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8050,
        workdir: Annotated[Path, typer.Option(help="Folder for runs, uploaded models and "
                                              "the app's records; nothing is written "
                                              "outside it.")] = DEFAULT_WORKDIR,
        workers: Annotated[int, typer.Option(min=1, max=64, help="Runs solved at once, "
                                             "each in its own process.")] = 1,
    ) -> None:
        """Serve the web app: browse models, edit a scenario, run, watch, compare."""
        import uvicorn

        from vakhsh.app.server import create_app
        from vakhsh.app.workdir import WorkdirError
        from vakhsh.errors import ModelError, Problem

        try:
            application = create_app(workdir, workers=workers)
        except WorkdirError as exc:
            raise ModelError([Problem("command line", "--workdir", str(exc))]) from None
        if not is_loopback(host):
            console.print(f"[bold red]warning[/bold red]: listening on {host}: the web app has "
                          "no authentication; anyone who can reach this port can read every "
                          "run, upload models and start solves", highlight=False)
        shown = f"[{host}]" if ":" in host else host
        console.print(f"vakhsh web app on [bold]http://{shown}:{port}/[/bold] (API docs at "
                      f"/docs), workdir {Path(workdir).resolve()}, {workers} worker(s); "
                      "Ctrl-C stops it", highlight=False)
        config = uvicorn.Config(application, host=host, port=port, log_level="warning",
                                access_log=False, timeout_graceful_shutdown=3,
                                timeout_keep_alive=30, lifespan="on")
        uvicorn.Server(config).run()
