"""Start a real `vakhsh serve` on 127.0.0.1 and drive it (used by conftest and tests)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

TERMINAL = ("done", "failed", "cancelled")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    workdir: Path
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, timeout: float = 120.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)


def start_server(workdir: Path, workers: int = 1, timeout: float = 120.0) -> Server:
    port = free_port()
    log = workdir.parent / f"{workdir.name}-server-{port}.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vakhsh.cli",
            "serve",
            "--workdir",
            str(workdir),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    server = Server(workdir, port, process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"vakhsh serve exited: {log.read_text()}")
        try:
            if httpx.get(f"{server.url}/api/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"vakhsh serve did not answer in {timeout} s: {log.read_text()}")


def wait_for(
    client: httpx.Client,
    run_id: str,
    statuses=TERMINAL,
    timeout: float = 300.0,
    progress: float | None = None,
) -> dict:
    """Poll a run until its status is one of `statuses` (and its progress reached
    `progress`, when given)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/runs/{run_id}").json()
        if job["status"] in statuses and (progress is None or job["progress"] >= progress):
            return job
        if job["status"] in TERMINAL and job["status"] not in statuses:
            raise AssertionError(f"run {run_id} ended {job['status']}: {job}")
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} not {statuses} after {timeout} s")
