"""Cancelling a run, and killing the server mid-run: no finished run is lost, nothing is
left half-written, the solve ends with the server, and a restart picks the queue up."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.app.helpers import start_server, wait_for

# an hourly toy-cascade year: some 15 s of solving, long enough to interrupt
SLOW = {"model": "toy-cascade", "step": "1h"}
QUICK = {"model": "toy-cascade", "end": "2025-01-01"}


def descendants(pid: int) -> set[int]:
    """Processes below `pid` (read from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in parents.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_cancel_a_queued_and_a_running_run(tmp_path):
    server = start_server(tmp_path / "work")
    try:
        with server.client() as client:
            running = client.post("/api/runs", json=SLOW).json()["id"]
            queued = client.post("/api/runs", json=SLOW).json()["id"]
            wait_for(client, running, ("running",), progress=0.1)
            assert client.get(f"/api/runs/{queued}").json()["status"] == "queued"
            assert client.delete(f"/api/runs/{queued}").json()["status"] == "cancelled"
            cancelled = client.delete(f"/api/runs/{running}").json()
            assert cancelled["status"] == "cancelled", cancelled
            assert not (server.workdir / "runs" / running).exists()
            assert not any((server.workdir / ".staging").iterdir())
            # the worker is free again: a new run goes through
            done = wait_for(client, client.post("/api/runs", json=QUICK).json()["id"], ("done",))
            assert done["objective_usd"] > 0
            assert client.get(f"/api/runs/{queued}").json()["status"] == "cancelled"
    finally:
        server.stop()


def test_killing_the_server_mid_run_loses_no_finished_run(tmp_path):
    work = tmp_path / "work"
    server = start_server(work)
    try:
        with server.client() as client:
            finished = wait_for(
                client, client.post("/api/runs", json=QUICK).json()["id"], ("done",)
            )
            interrupted = client.post("/api/runs", json=SLOW).json()["id"]
            wait_for(client, interrupted, ("running",), progress=0.1)
            children = descendants(server.process.pid)
            assert children, "the solve runs in a child process"
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(30)
        deadline = time.monotonic() + 20
        while any(alive(p) for p in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(p) for p in children), "the solve ended with the server"
        assert not (work / "runs" / interrupted).exists()
    finally:
        server.stop()

    again = start_server(work)
    try:
        with again.client() as client:
            kept = client.get(f"/api/runs/{finished['id']}").json()
            assert kept["status"] == "done" and kept["objective_usd"] == finished["objective_usd"]
            assert client.get(f"/api/runs/{finished['id']}/summary").status_code == 200
            resumed = client.get(f"/api/runs/{interrupted}").json()
            assert resumed["status"] in ("queued", "running"), resumed
            assert "server stopped" in resumed["message"] or resumed["status"] == "running"
            assert client.delete(f"/api/runs/{interrupted}").json()["status"] == "cancelled"
            assert not any((work / ".staging").iterdir())
    finally:
        again.stop()  # SIGTERM: the server ends its children and exits
    # uvicorn shuts down cleanly, then exits by the signal it caught
    assert again.process.returncode in (0, -signal.SIGTERM)
    assert "Traceback" not in again.log.read_text()


def test_workdir_with_other_files_is_refused(tmp_path):
    from typer.testing import CliRunner

    from vakhsh.cli import app

    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(app, ["serve", "--workdir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--workdir" in result.output and "did not write" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_busy_port_is_exit_2_and_writes_nothing(tmp_path):
    import socket

    from typer.testing import CliRunner

    from vakhsh.cli import app

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            app, ["serve", "--workdir", str(tmp_path / "w"), "--port", str(port)]
        )
    assert result.exit_code == 2 and "choose another --port" in result.output
    assert not (tmp_path / "w").exists()


def test_listening_beyond_loopback_warns_that_there_is_no_authentication(tmp_path, monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from vakhsh.cli import app
    from vakhsh.cli.serve import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1")
    # neither listen nor serve: only what `vakhsh serve` prints is under test
    monkeypatch.setattr("vakhsh.cli.serve.bind", lambda host, port: None)
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: None)
    quiet = CliRunner().invoke(app, ["serve", "--workdir", str(tmp_path / "a")])
    assert quiet.exit_code == 0 and "no authentication" not in quiet.output
    loud = CliRunner().invoke(app, ["serve", "--workdir", str(tmp_path / "b"), "--host", "0.0.0.0"])
    assert loud.exit_code == 0 and "no authentication" in loud.output


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_refused(workdir, cwd=None) -> str:
    """`vakhsh serve --workdir WORKDIR` (in `cwd`): exit 2, a message, no traceback."""
    import os

    from typer.testing import CliRunner

    from vakhsh.cli import app

    here = os.getcwd()
    os.chdir(cwd or here)
    try:
        result = CliRunner().invoke(
            app, ["serve", "--workdir", str(workdir), "--port", str(free_port())]
        )
    finally:
        os.chdir(here)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "vakhsh: error:" in result.output
    return " ".join(result.output.split())


def test_workdir_the_working_directory_a_file_and_a_read_only_parent(tmp_path):
    from tests.outputs_cases import ReadOnly, snapshot

    # the working directory, holding a user's files: refused, untouched
    (tmp_path / "notes.txt").write_text("mine")
    before = snapshot(tmp_path)
    assert "did not write" in serve_refused(".", cwd=tmp_path)
    assert snapshot(tmp_path) == before
    # a file where the folder should be
    assert "not a folder" in serve_refused(tmp_path / "notes.txt")
    assert snapshot(tmp_path) == before
    # a folder it may not write in: named, nothing made
    locked = tmp_path / "locked"
    locked.mkdir()
    with ReadOnly(locked):
        text = serve_refused(locked / "work")
        assert f"cannot write in {locked}" in text and "--workdir" in text
        assert list(locked.iterdir()) == []
