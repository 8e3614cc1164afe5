"""`vakhsh serve`: the web app on http://127.0.0.1:8050/ (FastAPI on uvicorn)."""

from __future__ import annotations

import errno
import ipaddress
import socket
from pathlib import Path
from typing import Annotated

import typer

from vakhsh.cli.console import console
from vakhsh.cli.errors import bad_option

DEFAULT_WORKDIR = Path("vakhsh-work")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a port in use is a clear error (exit 2)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        hint = (
            "; another server is there: choose another --port"
            if exc.errno == errno.EADDRINUSE
            else ""
        )
        raise bad_option(
            "--host/--port", f"cannot listen on {host}:{port} ({exc.strerror or exc}){hint}"
        ) from None
    sock.listen(2048)
    return sock


def serve(
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. Anything but "
            "127.0.0.1/localhost exposes the app, which has "
            "no authentication, to the network."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8050,
    workdir: Annotated[
        Path,
        typer.Option(
            help="Folder for runs, uploaded models and "
            "the app's records; nothing is written "
            "outside it."
        ),
    ] = DEFAULT_WORKDIR,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Runs solved at once, each in its own process.")
    ] = 1,
) -> None:
    """Serve the web app: browse models, edit a scenario, run, watch, compare."""
    import uvicorn

    from vakhsh.app import processes
    from vakhsh.app.server import create_app
    from vakhsh.app.workdir import WorkdirError

    processes.preload("vakhsh.cli")  # what the `vakhsh` script, run again in a child, imports
    listening = bind(host, port)  # before the workdir is made: a busy port changes nothing
    try:
        application = create_app(workdir, workers=workers)
    except WorkdirError as exc:
        listening.close()
        raise bad_option("--workdir", str(exc)) from None
    if not is_loopback(host):
        console.print(
            f"[bold red]warning[/bold red]: listening on {host}: the web app has "
            "no authentication; anyone who can reach this port can read every "
            "run, upload models and start solves",
            highlight=False,
        )
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"vakhsh web app on [bold]http://{shown}:{port}/[/bold] (API docs at "
        f"/docs), workdir {Path(workdir).resolve()}, {workers} worker(s); "
        "Ctrl-C stops it",
        highlight=False,
    )
    config = uvicorn.Config(
        application,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=3,
        timeout_keep_alive=30,
        lifespan="on",
    )
    uvicorn.Server(config).run(sockets=[listening])
