"""Heavy work in child processes, so the server's event loop never waits on it.

Every model load, validation, figure and solve runs in a process forked from a
forkserver that has the numerical stack imported already (a fork costs milliseconds,
not the seconds an import would). A child reports back over a pipe: any number of
`("event", payload)` messages, then one `("result", value)` or `("error", lines)`.

A child dies with the server: it watches a second pipe whose other end only the server
holds, and exits when that end closes, also when the server was killed with SIGKILL.
A child can be stopped at any time (`terminate`), which is how runs are cancelled and
how a task that takes too long is ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import multiprocessing as mp
import os
import threading
import traceback
from collections.abc import AsyncIterator, Callable
from typing import Any

# imported in the forkserver once, so that every child starts with them loaded
PRELOAD = ["vakhsh.app.tasks"]
_CONTEXT: Any = None
_CONTEXT_LOCK = threading.Lock()


def preload(*modules: str) -> None:
    """Import these in the forkserver too, before it starts: a child also runs the server's
    main module again, so the command that starts the server names what that imports."""
    with _CONTEXT_LOCK:
        PRELOAD.extend(m for m in modules if m not in PRELOAD)
        if _CONTEXT is not None:
            _CONTEXT.set_forkserver_preload(PRELOAD)


def context():
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None:
            _CONTEXT = mp.get_context("forkserver")
            _CONTEXT.set_forkserver_preload(PRELOAD)
        return _CONTEXT


class TaskError(Exception):
    """A child reported an error (`lines`), or ended without a result."""

    def __init__(self, lines: list[str], kind: str = "error"):
        self.lines = list(lines)
        self.kind = kind  # "error": the task said so; "crash": the process died
        super().__init__("; ".join(self.lines))


def _watch_lifeline(lifeline) -> None:
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv()  # never sent anything: returns only by EOF, when the server is gone
    os._exit(3)


def resolve(function: str) -> Callable:
    """`module:name` to the function (the server never imports the heavy modules)."""
    module, _, name = function.partition(":")
    return getattr(importlib.import_module(module), name)


def _child(function: str, args: tuple, conn, lifeline) -> None:
    threading.Thread(target=_watch_lifeline, args=(lifeline,), daemon=True).start()

    def emit(payload: Any) -> None:
        conn.send(("event", payload))

    try:
        value = resolve(function)(*args, emit=emit)
    except BaseException as exc:  # noqa: BLE001 - reported to the server, not lost
        from vakhsh.errors import VakhshError

        if isinstance(exc, VakhshError):
            conn.send(("error", exc.lines(), "vakhsh"))
        else:
            traceback.print_exc()  # to the server's log; the client gets one line
            conn.send(("error", [f"internal error: {type(exc).__name__}: {exc}"], "internal"))
        conn.close()
        return
    conn.send(("result", value))
    conn.close()


class Child:
    """One child process running `function(*args, emit=...)`; `function` is named
    `module:name`."""

    def __init__(self, function: str, *args: Any):
        self.function, self.args = function, args
        self.process = None
        self.stopped = False

    async def start(self) -> None:
        ctx = context()
        self._conn, child_conn = ctx.Pipe(duplex=False)
        lifeline_read, self._lifeline = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=_child, daemon=True, args=(self.function, self.args, child_conn, lifeline_read)
        )
        # talking to the forkserver takes a moment: not on the event loop
        await asyncio.to_thread(self.process.start)
        child_conn.close()
        lifeline_read.close()
        if self.stopped:  # terminated while it was starting
            self.process.terminate()

    async def messages(self) -> AsyncIterator[tuple]:
        """Messages as they arrive; ends when the child closes its end or dies.

        A thread of its own reads the pipe with blocking reads (an event loop's reader
        would make the descriptor non-blocking, and a large message arrive in pieces)."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        conn = self._conn

        def read() -> None:
            while True:
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    message = None
                try:
                    loop.call_soon_threadsafe(queue.put_nowait, message)
                except RuntimeError:  # the loop has closed: the server is stopping
                    return
                if message is None:
                    return

        threading.Thread(target=read, daemon=True, name="vakhsh-child-reader").start()
        while True:
            message = await queue.get()
            if message is None:
                return
            yield message

    async def result(self, on_event: Callable[[Any], None] | None = None) -> Any:
        """The child's result; `on_event` sees every event on the way."""
        outcome = None
        async for message in self.messages():
            if message[0] == "event":
                if on_event is not None:
                    on_event(message[1])
            else:
                outcome = message
        await self.join()
        if outcome is None:
            code = self.process.exitcode if self.process else None
            message = f"the worker process ended without a result (exit code {code})"
            raise TaskError([message], kind="crash")
        if outcome[0] == "error":
            raise TaskError(outcome[1], kind=outcome[2])
        return outcome[1]

    async def join(self, timeout: float = 10.0) -> None:
        if self.process is not None:
            await asyncio.to_thread(self.process.join, timeout)
            if self.process.is_alive():
                self.process.kill()
                await asyncio.to_thread(self.process.join, timeout)
        self.close()

    def terminate(self) -> None:
        self.stopped = True
        if self.process is not None and self.process.is_alive():
            self.process.terminate()

    def close(self) -> None:
        for conn in (getattr(self, "_conn", None), getattr(self, "_lifeline", None)):
            if conn is not None:
                conn.close()


async def call(function: str, *args: Any, timeout: float = 120.0) -> Any:
    """Run `function(*args, emit=...)` in a child and return its result; a child that
    takes longer than `timeout` seconds is killed (TaskError)."""
    child = Child(function, *args)
    await child.start()
    try:
        return await asyncio.wait_for(child.result(), timeout)
    except TimeoutError:
        child.terminate()
        await child.join()
        raise TaskError([f"gave up after {timeout:g} s"], kind="timeout") from None
    finally:
        if child.process is not None and child.process.is_alive():
            child.terminate()
