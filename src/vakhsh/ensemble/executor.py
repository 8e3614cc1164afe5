"""Where tasks run: a Dask cluster (local or remote) or, for debugging, this process.

    with executor(workers=2) as run:
        for task, result, error in run.map(function, tasks):
            ...

`function` must be importable on the workers (a module-level function of vakhsh) and
`tasks` small picklable objects. Results come back in the order they finish. An error
raised by a task, or a worker lost, is handed back as `error`, never raised, so one bad
task does not stop the others.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any


def local_client(workers: int | None = None):
    """A Client on a LocalCluster of single-threaded worker processes."""
    from distributed import Client, LocalCluster

    n = workers or os.cpu_count() or 1
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return Client(cluster)


class SerialExecutor:
    """Runs tasks one after the other in this process (workers=0)."""

    def map(
        self, function: Callable, tasks: Iterable[Any]
    ) -> Iterator[tuple[Any, Any, BaseException | None]]:
        for task in tasks:
            try:
                yield task, function(task), None
            except Exception as exc:  # noqa: BLE001 - handed back to the caller
                yield task, None, exc


class DaskExecutor:
    def __init__(self, client):
        self.client = client

    def map(
        self, function: Callable, tasks: Iterable[Any], key: Callable | None = None
    ) -> Iterator[tuple[Any, Any, BaseException | None]]:
        from distributed import as_completed

        futures: dict = {}
        try:
            for task in tasks:
                kwargs = {"key": key(task)} if key else {}
                futures[self.client.submit(function, task, pure=False, **kwargs)] = task
            for future in as_completed(list(futures)):
                task = futures.pop(future)
                try:
                    yield task, future.result(), None
                except Exception as exc:  # noqa: BLE001 - task error or worker lost
                    yield task, None, exc
        finally:
            for future in list(futures):
                future.cancel()


@contextlib.contextmanager
def executor(
    workers: int | None = None, scheduler: str | None = None, client=None
) -> Iterator[SerialExecutor | DaskExecutor]:
    """`client` wins over `scheduler` (an address), which wins over a LocalCluster of
    `workers` processes (default one per core); `workers=0` runs in this process."""
    if client is not None:
        yield DaskExecutor(client)
        return
    if workers == 0 and scheduler is None:
        yield SerialExecutor()
        return
    from distributed import Client

    own = Client(scheduler) if scheduler else local_client(workers)
    try:
        yield DaskExecutor(own)
    finally:
        cluster = getattr(own, "cluster", None)
        own.close()
        if cluster is not None and scheduler is None:
            cluster.close()
