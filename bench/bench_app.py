"""Load test of the web app (issue 13), on 127.0.0.1 only, bounded in count and time.

Starts `vakhsh serve` in a temporary workdir (one worker process), solves one toy-cascade
run so that there is a summary to read, then runs two phases of the same load:

- idle: C concurrent clients (default 50), each reading GET /api/models and
  GET /api/runs/{id}/summary in turn, for D seconds (default 10) or R requests in all
  (default 20,000), whichever comes first;
- solving: the same load while a central-asia run (a year at daily steps) is being
  solved by the worker process; the phase starts once the run reports it is solving.

Throughout both phases one more client probes GET /api/health every 0.1 s: the server
stays responsive when the probe's latency while solving stays in the range it has idle.
Reported per phase: requests, errors, requests per second, p50/p95/p99/max latency. The
clients and the server share the machine's cores, so the figures are a lower bound on
what the server alone can do; `uptime` is printed with them.

Usage: python bench/bench_app.py [--clients 50] [--seconds 20] [--max-requests 20000]
                                 [--json bench/out/app_load.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HOST = "127.0.0.1"  # loopback only: never any other address


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start(workdir: Path, port: int) -> subprocess.Popen:
    log = (workdir.parent / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vakhsh.cli",
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workdir",
            str(workdir),
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/api/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the server did not start")


def wait(client: httpx.Client, run_id: str, until, timeout: float = 900) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/runs/{run_id}").json()
        if until(job):
            return job
        if job["status"] in ("failed", "cancelled"):
            raise SystemExit(f"run {run_id} {job['status']}: {job.get('error')}")
        time.sleep(0.2)
    raise SystemExit(f"run {run_id} took longer than {timeout} s")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process (not its children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_cpu(result: dict, pid: int, before: float) -> dict:
    used = cpu_s(pid) - before
    result["server_cpu_s"] = round(used, 2)
    result["server_cpu_ms_per_request"] = round(1000 * used / max(result["requests"], 1), 2)
    return result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def load(base: str, summary_id: str, clients: int, seconds: float, max_requests: int) -> dict:
    latencies: list[float] = []
    errors = 0
    reasons: dict[str, int] = {}
    budget = {"left": max_requests}
    stop_at = time.monotonic() + seconds
    paths = ["/api/models", f"/api/runs/{summary_id}/summary"]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client_loop(index: int, http: httpx.AsyncClient) -> None:
        nonlocal errors
        turn = index
        while time.monotonic() < stop_at and budget["left"] > 0:
            budget["left"] -= 1
            started = time.perf_counter()
            try:
                response = await http.get(paths[turn % 2])
                ok = response.status_code == 200
                reason = f"HTTP {response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                ok, reason = False, f"{type(exc).__name__}: {exc}"
            latencies.append(time.perf_counter() - started)
            if not ok:
                errors += 1
                reasons[reason] = reasons.get(reason, 0) + 1
            turn += 1

    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(client_loop(i, http) for i in range(clients)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    result = summarise(latencies, errors, elapsed)
    result["client_cpu_ms_per_request"] = round(1000 * cpu / max(len(latencies), 1), 2)
    result["error_reasons"] = reasons
    return result


def summarise(latencies: list[float], errors: int, elapsed: float) -> dict:
    ms = [1000 * v for v in latencies]
    return {
        "requests": len(ms),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "rps": round(len(ms) / elapsed, 1),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1),
    }


async def probe(base: str, stop: asyncio.Event) -> dict:
    """One client asking /api/health every 0.1 s until `stop`."""
    latencies = []
    errors = 0
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        started = time.perf_counter()
        while not stop.is_set() and len(latencies) < 100_000:
            begun = time.perf_counter()
            try:
                errors += (await http.get("/api/health")).status_code != 200
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - begun)
            await asyncio.sleep(0.1)
        elapsed = time.perf_counter() - started
    return summarise(latencies, errors, elapsed)


async def phase(base: str, summary_id: str, args) -> tuple[dict, dict]:
    """The load and, beside it, the health probe."""
    stop = asyncio.Event()
    prober = asyncio.create_task(probe(base, stop))
    loaded = await load(base, summary_id, args.clients, args.seconds, args.max_requests)
    stop.set()
    return loaded, await prober


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    args.clients = max(1, min(args.clients, 200))
    args.seconds = max(1.0, min(args.seconds, 120.0))  # bounded whatever is asked
    args.max_requests = max(1, min(args.max_requests, 200_000))

    root = Path(tempfile.mkdtemp(prefix="vakhsh-bench-app-"))
    workdir = root / "work"
    port = free_port()
    server = start(workdir, port)
    base = f"http://{HOST}:{port}"
    try:
        with httpx.Client(base_url=base, timeout=300) as client:
            client.get("/api/models").raise_for_status()  # warm the model cache
            toy = client.post("/api/runs", json={"model": "toy-cascade"}).json()["id"]
            wait(client, toy, lambda j: j["status"] == "done")
            before = cpu_s(server.pid)
            idle, idle_health = asyncio.run(phase(base, toy, args))
            with_cpu(idle, server.pid, before)
            submitted = time.perf_counter()
            big = client.post("/api/runs", json={"model": "central-asia"}).json()["id"]
            wait(client, big, lambda j: j["status"] == "running" and j["progress"] >= 0.25)
            before = cpu_s(server.pid)
            solving, health = asyncio.run(phase(base, toy, args))
            with_cpu(solving, server.pid, before)
            during = client.get(f"/api/runs/{big}").json()
            finished = wait(client, big, lambda j: j["status"] == "done")
            run_s = time.perf_counter() - submitted
    finally:
        server.terminate()
        server.wait(30)
    result = {
        "clients": args.clients,
        "seconds_per_phase": args.seconds,
        "idle": idle,
        "health_probe_idle": idle_health,
        "while_solving": solving,
        "health_probe_while_solving": health,
        "central_asia_status_at_end_of_phase": during["status"],
        "central_asia_message_at_end_of_phase": during["message"],
        "central_asia_run_s": round(run_s, 1),
        "central_asia_objective_musd": round(finished["objective_usd"] / 1e6, 3),
        "uptime": os.popen("uptime").read().strip(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))
    print()
    print(
        "| phase | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms | "
        "server CPU ms/request | client CPU ms/request |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, key in (
        ("idle", "idle"),
        ("health probe, idle", "health_probe_idle"),
        ("while central-asia solves", "while_solving"),
        ("health probe, while solving", "health_probe_while_solving"),
    ):
        r = result[key]
        print(
            f"| {name} | {r['requests']:,} | {r['errors']} | {r['rps']:,.0f} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.1f} | "
            f"{r.get('server_cpu_ms_per_request', '')} | "
            f"{r.get('client_cpu_ms_per_request', '')} |"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    shutil.rmtree(root, ignore_errors=True)
    if idle["errors"] or solving["errors"] or health["errors"] or idle_health["errors"]:
        raise SystemExit("some requests failed")
    if during["status"] != "running":
        print(
            "note: the central-asia run ended before the solving phase did; rerun with "
            "fewer --seconds for a phase entirely inside the solve"
        )


if __name__ == "__main__":
    main()
