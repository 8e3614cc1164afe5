"""Run an ensemble on Dask distributed, writing each run as soon as it finishes.

The driver sends each worker a small `Task` (the model's folder, the run's axis values,
the period, solve options and where to write) and gets back a small record (metrics and
timings). The worker loads the Network itself (cheap), solves, and writes the run's
results.nc and summary.json into the ensemble folder; nothing large crosses the network,
so workers need only vakhsh installed and the ensemble folder (and the model and inflow
files) on a shared path.

A run that fails (invalid override, infeasible, audit failure, worker crash) leaves
`failed/<id>.json` with its error; the others go on. Finished runs are skipped when the
same ensemble is started again; failed ones are retried unless `retry_failed=False`.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vakhsh.ensemble.executor import DaskExecutor, executor, local_client
from vakhsh.ensemble.objectives import Selectors
from vakhsh.ensemble.spec import EnsembleSpec, Run, check_against_model, read_spec
from vakhsh.ensemble.store import Store

SCHEMA = "vakhsh-ensemble/1"
ENSEMBLE_KIND = "ensemble"


@dataclass(frozen=True)
class Task:
    """What a worker needs for one run (small: it is pickled to the worker)."""

    model: str  # the model folder
    run: Run
    period: dict[str, Any]
    solve: dict[str, Any]
    inflows: str | None
    selectors: Selectors
    out: str
    results_format: str = "netcdf3"


@dataclass
class Tally:
    total: int
    skipped: int = 0  # finished before this start
    succeeded: int = 0
    failed: int = 0

    @property
    def remaining(self) -> int:
        return self.total - self.skipped - self.succeeded - self.failed


class RunHooks:
    """Hooks the runner calls as runs finish; the CLI draws a progress bar from them."""

    def start(self, tally: Tally) -> None: ...

    def advance(self, record: dict[str, Any], tally: Tally) -> None: ...


# ------------------------------------------------------------------ on the worker
@contextlib.contextmanager
def network_for(
    model: str | Path, scenario: str | None, overrides: dict[str, Any], period: dict[str, Any]
) -> Iterator[Any]:
    """Load the model with a scenario and dotted-path overrides applied.

    Overrides are applied in memory after the scenario's `set`, so an axis value wins over
    the scenario's own setting of the same field; nothing is copied or linked on disk.
    """
    from vakhsh.network import load_network

    if not overrides:
        yield _cached_network(str(model), scenario, tuple(sorted(period.items())))
        return
    yield load_network(model, scenario=scenario, overrides=overrides, **period)


_NETWORKS: dict[tuple, tuple[tuple, Any]] = {}
_CACHE_SIZE = 8


def _cached_network(model: str, scenario: str | None, period: tuple):
    """Networks are immutable: a worker loads each (model, scenario, period) once; runs
    over inflow members and climates start from the same one. A cached Network is used
    again only while every file it was read from keeps its size and modification time."""
    from vakhsh.network import load_network

    key = (model, scenario, period)
    hit = _NETWORKS.get(key)
    if hit is not None and hit[0] == _stamp(hit[1]):
        return hit[1]
    net = load_network(model, scenario=scenario, **dict(period))
    if len(_NETWORKS) >= _CACHE_SIZE:
        _NETWORKS.pop(next(iter(_NETWORKS)))
    _NETWORKS[key] = (_stamp(net), net)
    return net


def _stamp(net) -> tuple:
    stamps = []
    for name in sorted(net.inputs.files):
        try:
            info = (net.folder / name).stat()
            stamps.append((name, info.st_size, info.st_mtime_ns))
        except OSError:
            stamps.append((name, None, None))
    return tuple(stamps)


def execute(task: Task) -> dict[str, Any]:
    """Run one member on a worker: load, solve, write; never raises for a bad run."""
    from vakhsh.ensemble.aggregate import run_metrics
    from vakhsh.pipeline import optimise
    from vakhsh.solve.options import SolveOptions

    store = Store(task.out)
    run = task.run
    started, cpu_started = time.perf_counter(), time.process_time()
    timings: dict[str, float] = {}
    record: dict[str, Any] = {"run": run.id, "values": run.values, "worker": _worker_name()}
    try:
        with network_for(task.model, run.scenario, run.overrides, task.period) as net:
            if run.member is not None:
                from vakhsh.hydrology.member import with_member

                net = with_member(net, task.inflows, run.member)
            timings["load_s"] = time.perf_counter() - started
            options = SolveOptions(**task.solve)
            solved_at = time.perf_counter()
            results = optimise(net, options)
            info = results.solve_info
            timings["build_s"] = float(info.get("build_s") or 0.0)
            timings["solve_s"] = float(info.get("solve_s") or 0.0)
            timings["optimise_s"] = time.perf_counter() - solved_at
            summary = results.summary()
            metrics = run_metrics(results, task.selectors, summary)
            written_at = time.perf_counter()
            record.update(status="ok", error=None, metrics=metrics)
            store.write_run(
                run.id,
                results.dataset,
                {**summary, "ensemble": {**record, "timings": timings}},
                task.results_format,
            )
            timings["write_s"] = time.perf_counter() - written_at
            timings["total_s"] = time.perf_counter() - started
            timings["cpu_s"] = time.process_time() - cpu_started
            timings["rss_mb"] = _rss_mb()
            store.write_timings(run.id, timings)
        store.clear_failure(run.id)
    except Exception as exc:  # noqa: BLE001 - a failed run is recorded, the rest go on
        record.update(
            status="failed",
            error=_message(exc),
            traceback=traceback.format_exc(limit=8),
            metrics={},
        )
        timings["total_s"] = time.perf_counter() - started
        timings["rss_mb"] = _rss_mb()
        store.write_failure(run.id, {**record, "timings": timings})
    record["timings"] = timings
    return record


def _message(exc: BaseException) -> str:
    from vakhsh.errors import VakhshError

    if isinstance(exc, VakhshError):
        return "; ".join(exc.lines())
    return f"{type(exc).__name__}: {exc}"


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().name)
    except (ImportError, ValueError):
        return f"pid{os.getpid()}"


def _rss_mb() -> float:
    try:
        import psutil

        return psutil.Process().memory_info().rss / 1e6
    except ImportError:  # pragma: no cover - psutil comes with distributed
        return float("nan")


# ------------------------------------------------------------------ on the driver
def run_inputs_digest(
    folder: Path, run: Run, period: dict[str, Any], inflows_sha256: str | None
) -> str:
    """The hash of exactly what one run reads: the model files its scenario and overrides
    name (as loaded), and the inflow file when the run uses a member. A run that cannot
    load hashes model.yaml alone (it fails, and is tried again on the next start)."""
    from vakhsh.errors import ModelError
    from vakhsh.network import load_network
    from vakhsh.network.inputs import sha256
    from vakhsh.schema.parse import MODEL_FILE

    try:
        model = load_network(
            folder, scenario=run.scenario, overrides=run.overrides or None, **period
        ).model_sha256
    except ModelError:
        model = "invalid:" + sha256((folder / MODEL_FILE).read_bytes())
    return sha256(json.dumps([model, inflows_sha256 if run.member is not None else None]).encode())


@dataclass
class EnsembleJob:
    """An ensemble resolved against its model: the runs and the tasks still to do."""

    model: Path
    spec: EnsembleSpec
    runs: list[Run]
    store: Store
    digest: str
    tasks: list[Task] = field(default_factory=list)


def prepare(
    model: str | Path, spec: EnsembleSpec | str | Path, out: str | Path, retry_failed: bool = True
) -> EnsembleJob:
    """Check the spec against the model, write the manifest, list the runs still to do."""
    from vakhsh.network import load_network
    from vakhsh.network.inputs import sha256
    from vakhsh.network.load import resolve_model_path
    from vakhsh.schema.parse import MODEL_FILE, read_yaml

    folder = resolve_model_path(model).resolve()
    if not isinstance(spec, EnsembleSpec):
        spec = read_spec(spec)
    spec = check_against_model(spec, read_yaml(folder / MODEL_FILE))
    digest = load_network(folder, **spec.period).model_sha256[:16]
    inflows_sha256 = sha256(spec.inflows.read_bytes()) if spec.inflows else None
    digests: dict[str, str] = {}

    def digest_of(values: dict[str, Any]) -> str:
        run = Run("", values)
        key = json.dumps(
            [run.scenario, run.overrides, run.member is not None], sort_keys=True, default=str
        )
        if key not in digests:
            digests[key] = run_inputs_digest(folder, run, spec.period, inflows_sha256)
        return digests[key]

    runs = spec.runs(digest_of)
    store = Store(out)  # the caller made it (run_ensemble: vakhsh.outputs)
    store.write_manifest(
        {
            "schema": SCHEMA,
            "model": str(folder),
            "model_digest": digest,
            "inflows_sha256": inflows_sha256,
            "spec": spec.as_dict(),
            "runs": [{"id": r.id, "values": r.values} for r in runs],
        }
    )
    result = EnsembleJob(folder, spec, runs, store, digest)
    for run in runs:
        if store.is_finished(run.id) or (not retry_failed and store.is_failed(run.id)):
            continue
        inflows = str(spec.inflows) if spec.inflows else None
        if run.climate is not None:
            inflows = str(_climate_inflows(spec.inflows, run.climate, store))
        result.tasks.append(
            Task(
                model=str(folder),
                run=run,
                period=spec.period,
                solve=spec.solve,
                inflows=inflows,
                selectors=spec.selectors,
                out=str(store.folder),
                results_format=spec.results,
            )
        )
    return result


def _climate_inflows(source: Path | None, climate: str, store: Store) -> Path:
    """The inflow ensemble transformed by a climate scenario, written once per ensemble."""
    from vakhsh.hydrology.climate import apply_scenario
    from vakhsh.hydrology.ensemble import read_ensemble, write_ensemble

    path = store.inflow_path(climate)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_ensemble(apply_scenario(read_ensemble(source), climate), path)
    return path


def run_ensemble(
    model: str | Path,
    spec: EnsembleSpec | str | Path,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    progress: RunHooks | None = None,
    limit: int | None = None,
    retry_failed: bool = True,
    report: bool = True,
    overwrite: bool = False,
    option: str = "out",
):
    """Run every run of `spec` not already finished in `out`; return the EnsembleResult.

    `client` (a dask.distributed Client) wins over `scheduler` (an address), which wins
    over a LocalCluster of `workers` processes (default: one per core). `workers=0` runs
    in this process without Dask (debugging, baselines). `limit` stops after that many
    new runs. Interrupting (Ctrl-C) keeps every run already written.

    `out` is created, or resumed when it is an ensemble folder vakhsh wrote; any other
    folder is refused (vakhsh.outputs). `overwrite=True` starts afresh: the new ensemble
    is built beside the old one and replaces it only when complete (interrupted, the old
    one stays as it was).
    """
    from vakhsh.ensemble.results import EnsembleResult
    from vakhsh.outputs import output_folder, resumable_folder

    args = (model, spec, workers, scheduler, client, progress, limit, retry_failed, report)
    if overwrite:
        with output_folder(out, ENSEMBLE_KIND, overwrite=True, option=option) as tmp:
            _run_ensemble(tmp, *args)
        return EnsembleResult(out)
    with resumable_folder(out, ENSEMBLE_KIND, option=option) as folder:
        return _run_ensemble(folder, *args)


def _run_ensemble(
    out: Path, model, spec, workers, scheduler, client, progress, limit, retry_failed, report
):
    from vakhsh.ensemble.results import EnsembleResult

    job = prepare(model, spec, out, retry_failed=retry_failed)
    tasks = job.tasks[:limit] if limit is not None else job.tasks
    tally = Tally(total=len(job.runs), skipped=len(job.runs) - len(job.tasks))
    hook = progress or RunHooks()
    hook.start(tally)
    started = time.perf_counter()
    try:
        if tasks:
            with executor(workers, scheduler, client) as pool:
                kwargs = {"key": _key} if isinstance(pool, DaskExecutor) else {}
                for task, record, error in pool.map(execute, tasks, **kwargs):
                    if error is not None:  # the worker died: record it, go on
                        record = {
                            "run": task.run.id,
                            "values": task.run.values,
                            "status": "failed",
                            "metrics": {},
                            "timings": {},
                            "error": f"worker lost: {type(error).__name__}: {error}",
                        }
                        Store(task.out).write_failure(task.run.id, record)
                    if record["status"] == "ok":
                        tally.succeeded += 1
                    else:
                        tally.failed += 1
                    hook.advance(record, tally)
    finally:
        result = EnsembleResult(job.store.folder)
        result.write_tables(wall_s=time.perf_counter() - started)
    if report:  # the results know nothing of reports: the runner writes it
        from vakhsh.ensemble.report import write_report

        write_report(result)
    return result


def _key(task: Task) -> str:
    return f"vakhsh-run-{task.run.id}-{time.time_ns()}"


__all__ = [
    "RunHooks",
    "EnsembleJob",
    "Task",
    "Tally",
    "execute",
    "local_client",
    "network_for",
    "prepare",
    "run_ensemble",
]
