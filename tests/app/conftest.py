"""A real `vakhsh serve` on 127.0.0.1 for the web app's tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tests.app.helpers import Server, start_server, wait_for


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    """One server for the module's tests (per xdist worker): workdir in a temporary folder."""
    workdir = tmp_path_factory.mktemp("app") / "work"
    running = start_server(workdir)
    yield running
    running.stop()


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with server.client() as http:
        yield http


@pytest.fixture(scope="session")
def toy_runs(server: Server) -> dict[str, dict]:
    """Two finished toy-cascade runs (base and dry), shared by the tests that read runs."""
    with server.client() as http:
        ids = {
            name: http.post("/api/runs", json={"model": "toy-cascade", "scenario": name}).json()[
                "id"
            ]
            for name in ("base", "dry")
        }
        return {name: wait_for(http, run_id, ("done",)) for name, run_id in ids.items()}
