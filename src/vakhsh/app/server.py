"""The FastAPI application: `create_app(workdir, workers)`.

The event loop only routes requests, reads small JSON files and starts child processes
(vakhsh.app.processes): models are loaded, validated and drawn, and runs are solved, in
children, so the server answers while a solve runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

from vakhsh import __version__
from vakhsh.app import errors, processes
from vakhsh.app.catalogue import Cache, Catalogue, signature
from vakhsh.app.errors import ApiError
from vakhsh.app.folders import find_outputs, output_detail, output_folder
from vakhsh.app.jobs import TERMINAL, JobStore
from vakhsh.app.queue import RunQueue
from vakhsh.app.requests import RunRequest
from vakhsh.app.upload import MAX_UPLOAD_BYTES
from vakhsh.app.workdir import BadName, Workdir, check_name, is_run_folder

STATIC = Path(__file__).resolve().parent / "static"
SMALL_FILE = 4 * 1024 * 1024  # read in the loop: cheaper than a thread hop for a small file
JSON_LIMIT = 1 * 1024 * 1024
TASK_TIMEOUT_S = 120.0
KEEPALIVE_S = 15.0
log = logging.getLogger("vakhsh.app")

TAGS = [
    {"name": "models", "description": "Embedded models and model folders in the workdir."},
    {"name": "runs", "description": "Submit, follow, cancel and read runs."},
    {"name": "outputs", "description": "Ensembles, plans and SDDP runs found in the workdir."},
]


@dataclass
class Context:
    work: Workdir
    store: JobStore
    runs: RunQueue
    catalogue: Catalogue
    cache: Cache


def _ctx(request: Request) -> Context:
    return request.app.state.ctx


class Json(Response):
    """A JSON response from bytes serialised once (the cache keeps the bytes)."""

    media_type = "application/json"


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode("utf-8")


async def _cached_json(ctx: Context, key: Any, function: str, *args: Any) -> bytes:
    async def compute() -> bytes:
        return _dumps(await _task(function, *args))

    return await ctx.cache.get(key, compute)


def _small_file(path: Path, media_type: str) -> Response:
    _plain_file(path)
    if path.stat().st_size <= SMALL_FILE:
        return Response(path.read_bytes(), media_type=media_type)
    return FileResponse(path, media_type=media_type)


Ctx = Annotated[Context, Depends(_ctx)]


async def _task(function: str, *args: Any, timeout: float = TASK_TIMEOUT_S) -> Any:
    """Run a vakhsh.app.tasks function in a child; its VakhshError is a 422."""
    try:
        return await processes.call(f"vakhsh.app.tasks:{function}", *args, timeout=timeout)
    except processes.TaskError as exc:
        if exc.kind == "vakhsh":
            raise ApiError(
                422,
                exc.lines[0] if len(exc.lines) == 1 else f"{len(exc.lines)} problems",
                problems=[{"field": "model", "message": line} for line in exc.lines],
            ) from None
        if exc.kind == "timeout":
            raise ApiError(503, f"{function} took too long: {exc}") from None
        raise


def create_app(workdir: str | Path, workers: int = 1) -> FastAPI:
    work = Workdir.open(workdir)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = JobStore(work)
        catalogue = Catalogue(work)
        runs = RunQueue(work, store, workers, lambda name: catalogue.find(name)[0])
        app.state.ctx = Context(work, store, runs, catalogue, Cache())
        await asyncio.to_thread(processes.context)  # start the forkserver now, not later
        await runs.start()
        log.info("vakhsh web app: workdir %s, %d worker(s)", work.root, runs.workers)
        try:
            yield
        finally:
            await runs.stop()

    app = FastAPI(
        title="vakhsh",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_tags=TAGS,
        description="Browse a model, change a scenario, run it, watch it and "
        "compare runs. Every error is `{error, problems: [{field, message}]}`.",
    )
    errors.install(app)
    app.add_middleware(
        errors.BodyLimit, default=JSON_LIMIT, limits={"/api/models": MAX_UPLOAD_BYTES}
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _pages(app)
    _model_routes(app)
    _run_routes(app)
    _output_routes(app)
    return app


# ---------------------------------------------------------------- pages
def _pages(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="vakhsh API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/api/health", tags=["runs"])
    async def health(ctx: Ctx) -> dict[str, Any]:
        """The server answers; how many runs wait and run."""
        jobs = ctx.store.jobs.values()
        return {
            "status": "ok",
            "version": __version__,
            "workers": ctx.runs.workers,
            "queued": sum(j.status == "queued" for j in jobs),
            "running": sum(j.status == "running" for j in jobs),
        }


# ---------------------------------------------------------------- models
def _model(ctx: Context, name: str, field: str = "name") -> tuple[Path, str]:
    """A model named in the path (400 bad name, 404 unknown) or in a request body
    (`field="model"`: 422 for both)."""
    in_body = field != "name"
    try:
        check_name(name, "model name")
        return ctx.catalogue.find(name)
    except BadName as exc:
        raise ApiError(422 if in_body else 400, f"{field}: {exc}", field=field) from None
    except LookupError as exc:
        raise ApiError(422 if in_body else 404, f"{field}: {exc}", field=field) from None


def _scenario(value: str | None) -> str | None:
    if value is not None:
        try:
            check_name(value, "scenario")
        except BadName as exc:
            raise ApiError(422, f"scenario: {exc}", field="scenario") from None
    return value


def _model_routes(app: FastAPI) -> None:
    @app.get("/api/models", tags=["models"], response_class=Json)
    async def list_models(ctx: Ctx) -> Json:
        """Every model: `{name, description, scenarios, components: {kind: count}, source,
        valid, problems}`."""
        found = ctx.catalogue.folders()

        async def one(name: str, folder: Path, source: str) -> bytes:
            key = ("summary", name, signature(folder))
            return await _cached_json(ctx, key, "model_summary", str(folder), name, source)

        parts = await asyncio.gather(*(one(n, f, s) for n, (f, s) in found.items()))
        return Json(b"[" + b",".join(parts) + b"]")

    @app.get("/api/models/{name}", tags=["models"], response_class=Json)
    async def model_detail(
        ctx: Ctx, name: str, scenario: Annotated[str | None, Query(max_length=100)] = None
    ) -> Json:
        """The model's tables and series summaries (what `vakhsh show` prints), its
        scenarios, and every field a run may override with its type and unit."""
        folder, source = _model(ctx, name)
        key = ("detail", name, _scenario(scenario), signature(folder))
        return Json(
            await _cached_json(ctx, key, "model_detail", str(folder), name, source, scenario)
        )

    @app.get(
        "/api/models/{name}/schematic.svg",
        tags=["models"],
        response_class=Response,
        responses={200: {"content": {"image/svg+xml": {}}}},
    )
    async def model_schematic(
        ctx: Ctx, name: str, scenario: Annotated[str | None, Query(max_length=100)] = None
    ) -> Response:
        """The model's schematic: rivers, reservoirs, plants, demands and the grid."""
        folder, _source = _model(ctx, name)
        key = ("schematic", name, _scenario(scenario), signature(folder))
        svg = await ctx.cache.get(key, lambda: _task("schematic", str(folder), scenario))
        return Response(svg, media_type="image/svg+xml")

    @app.post(
        "/api/models",
        tags=["models"],
        status_code=201,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    )
    async def upload_model(
        ctx: Ctx,
        request: Request,
        name: Annotated[
            str | None,
            Query(
                max_length=100,
                description="Name for the model (default: "
                "the zip's top folder, else the model's name)",
            ),
        ] = None,
    ) -> dict[str, Any]:
        """Upload a zipped model folder (at most 50 MB). It is unpacked without trusting
        it (no absolute paths, no `..`, no links), validated like `vakhsh validate` (the
        model and every scenario; every problem is returned), and only then added under
        WORKDIR/models/<name>."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in (
            "application/zip",
            "application/x-zip-compressed",
            "application/octet-stream",
        ):
            raise ApiError(
                415, "body: send the zipped model folder as application/zip", field="body"
            )
        if name is not None:
            _checked(name, "name")
        staging = ctx.work.new_staging("upload")
        try:
            zip_path = staging / "upload.zip"
            size = 0
            with zip_path.open("wb") as sink:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > MAX_UPLOAD_BYTES:
                        raise ApiError(
                            413,
                            f"body: the zip is over the limit of {MAX_UPLOAD_BYTES / 2**20:g} MB",
                            field="body",
                        )
                    sink.write(chunk)
            if size == 0:
                raise ApiError(422, "body: empty upload; send a zipped model folder", field="body")
            (staging / "unpacked").mkdir()
            try:
                found = await processes.call(
                    "vakhsh.app.tasks:validate_upload",
                    str(zip_path),
                    str(staging / "unpacked"),
                    timeout=TASK_TIMEOUT_S,
                )
            except processes.TaskError as exc:
                if exc.kind in ("vakhsh", "crash", "timeout"):
                    lines = (
                        exc.lines
                        if exc.kind == "vakhsh"
                        else [f"the model could not be validated: {exc}"]
                    )
                    raise ApiError(
                        422,
                        f"the model is not valid ({len(lines)} problem"
                        f"{'s' if len(lines) != 1 else ''})",
                        problems=[{"field": "body", "message": line} for line in lines],
                    ) from None
                raise
            root = Path(found["folder"])
            chosen = name or (root.name if root != staging / "unpacked" else found["name"])
            chosen = _checked(str(chosen), "name")
            if chosen in ctx.catalogue.folders():
                raise ApiError(
                    409,
                    f"name: a model named {chosen!r} exists already; choose another with ?name=",
                    field="name",
                )
            target = ctx.work.model_folder(chosen)
            try:
                root.rename(target)  # one rename: the model appears complete
            except OSError as exc:
                raise ApiError(
                    409, f"name: {chosen!r} cannot be used ({exc.strerror})", field="name"
                ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return await _task("model_summary", str(target), chosen, "workdir")


def _checked(value: str, field: str) -> str:
    try:
        return check_name(value, field)
    except BadName as exc:
        raise ApiError(422, f"{field}: {exc}", field=field) from None


# ---------------------------------------------------------------- runs
def _job(ctx: Context, run_id: str):
    try:
        check_name(run_id, "run id")
        job = ctx.store.get(run_id)
    except BadName as exc:
        raise ApiError(400, f"id: {exc}", field="id") from None
    if job is None:
        raise ApiError(404, f"id: no run {run_id!r}", field="id")
    return job


def _plain_file(path: Path) -> Path:
    """A file served from a folder: never through a link (that could point anywhere)."""
    if path.is_symlink() or not path.is_file():
        raise ApiError(404, f"id: no {path.name} here (or it is a link, not served)", field="id")
    return path


def _finished(ctx: Context, run_id: str) -> Path:
    job = _job(ctx, run_id)
    folder = ctx.work.run_folder(run_id)
    if job.status != "done" or not is_run_folder(folder):
        raise ApiError(409, f"id: run {run_id!r} is {job.status}, not done", field="id")
    return folder


async def _validated(ctx: Context, run: RunRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    request = run.as_record()
    folder, _source = _model(ctx, run.model, field="model")
    if run.scenario is not None:
        _scenario(run.scenario)
    key = ("validate", json.dumps(request, sort_keys=True, default=str), signature(folder))
    outcome = await ctx.cache.get(key, lambda: _task("validate_request", str(folder), request))
    if not outcome["valid"]:
        problems = outcome["problems"]
        raise ApiError(
            422,
            problems[0]["message"] if len(problems) == 1 else f"{len(problems)} problems",
            problems=[{"field": p["field"], "message": p["message"]} for p in problems],
        )
    return request, outcome


def _run_routes(app: FastAPI) -> None:
    @app.post("/api/validate", tags=["runs"])
    async def validate_run(ctx: Ctx, run: RunRequest) -> dict[str, Any]:
        """Check a run request exactly as POST /api/runs does, without running it: 200
        with the period it would cover, or 422 with every problem and its field."""
        _request, outcome = await _validated(ctx, run)
        return outcome

    @app.post("/api/runs", tags=["runs"], status_code=202)
    async def submit_run(ctx: Ctx, run: RunRequest) -> dict[str, Any]:
        """Queue a run: `202 {id, status, ...}`. Every field is validated first, as the
        command line validates it (422 naming the field)."""
        request, _outcome = await _validated(ctx, run)
        run_id = ctx.work.new_run_id(run.model, run.scenario)
        return ctx.runs.submit(run_id, request).public()

    @app.get("/api/runs", tags=["runs"])
    async def list_runs(ctx: Ctx) -> list[dict[str, Any]]:
        """Every run: `{id, status, progress, message, error, created, finished, ...}`."""
        return [job.public() for job in ctx.store.all()]

    @app.get("/api/runs/{run_id}", tags=["runs"])
    async def get_run(ctx: Ctx, run_id: str) -> dict[str, Any]:
        """`{id, status: queued|running|done|failed|cancelled, progress, error?, created,
        finished?}`."""
        return _job(ctx, run_id).public()

    @app.delete("/api/runs/{run_id}", tags=["runs"])
    async def cancel_run(ctx: Ctx, run_id: str) -> dict[str, Any]:
        """Cancel a queued or running run (a finished one is kept: 409)."""
        job = _job(ctx, run_id)
        if job.status in TERMINAL:
            raise ApiError(
                409, f"id: run {run_id!r} is {job.status} already; nothing to cancel", field="id"
            )
        return (await ctx.runs.cancel(job)).public()

    @app.get("/api/runs/{run_id}/summary", tags=["runs"], response_class=Json)
    async def run_summary(ctx: Ctx, run_id: str) -> Response:
        """The run's summary.json."""
        folder = _finished(ctx, run_id)
        return _small_file(folder / "summary.json", "application/json")

    @app.get("/api/runs/{run_id}/results", tags=["runs"], response_class=FileResponse)
    async def run_results(ctx: Ctx, run_id: str) -> FileResponse:
        """The run's results.nc (netCDF-4)."""
        folder = _finished(ctx, run_id)
        return FileResponse(
            _plain_file(folder / "results.nc"),
            media_type="application/x-netcdf",
            filename=f"{run_id}.nc",
        )

    @app.get("/api/runs/{run_id}/figures", tags=["runs"], response_class=Json)
    async def run_figures(ctx: Ctx, run_id: str) -> Json:
        """Headline figures and the data of the page's charts (storage, generation by
        month, winter deficit, prices), computed as report.html computes them."""
        folder = _finished(ctx, run_id)
        key = ("figures", run_id, signature(folder, depth=0))
        return Json(await _cached_json(ctx, key, "run_figures", str(folder)))

    @app.get("/runs/{run_id}/report", tags=["runs"], response_class=HTMLResponse)
    async def run_report(ctx: Ctx, run_id: str) -> Response:
        """The run's report.html."""
        folder = _finished(ctx, run_id)
        if not (folder / "report.html").is_file():
            raise ApiError(
                404,
                f"id: run {run_id!r} has no report.html (run `vakhsh report {folder}`)",
                field="id",
            )
        return _small_file(folder / "report.html", "text/html")

    @app.get(
        "/api/runs/{run_id}/events",
        tags=["runs"],
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def run_events(ctx: Ctx, run_id: str) -> StreamingResponse:
        """Server-sent events: the run's state now and at every change, until it ends."""
        job = _job(ctx, run_id)
        return _events(ctx, job.id)

    @app.get("/api/events", tags=["runs"], responses={200: {"content": {"text/event-stream": {}}}})
    async def all_events(ctx: Ctx) -> StreamingResponse:
        """Server-sent events: every change of every run."""
        return _events(ctx, None)

    @app.get("/api/compare", tags=["runs"])
    async def compare(
        ctx: Ctx,
        runs: Annotated[list[str], Query(description="Two or more run ids, e.g. ?runs=a&runs=b")],
    ) -> dict[str, Any]:
        """Key metrics of two or more runs side by side (what `vakhsh compare` prints)."""
        folders = _compared(ctx, runs)
        key = ("compare", tuple(runs), tuple(signature(f, depth=0) for f in folders))
        return await ctx.cache.get(key, lambda: _task("compare_table", [str(f) for f in folders]))

    @app.get("/compare", tags=["runs"], response_class=HTMLResponse)
    async def compare_page(ctx: Ctx, runs: Annotated[list[str], Query()]) -> HTMLResponse:
        """The comparison page `vakhsh compare` writes (compare.html), with its plots."""
        folders = _compared(ctx, runs)
        html = await _task("compare_page", [str(f) for f in folders])
        return HTMLResponse(html)


def _compared(ctx: Context, runs: list[str]) -> list[Path]:
    if len(runs) < 2:
        raise ApiError(422, "runs: give at least two run ids to compare", field="runs")
    if len(runs) > 12:
        raise ApiError(422, "runs: at most 12 runs side by side", field="runs")
    if len(set(runs)) != len(runs):
        raise ApiError(422, "runs: a run is named twice", field="runs")
    return [_finished(ctx, r) for r in runs]


def _events(ctx: Context, run_id: str | None) -> StreamingResponse:
    queue = ctx.runs.subscribe()  # before the first state: no change can fall between

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 2000\n\n"
            if run_id is not None:
                state = ctx.store.get(run_id).public()
                yield _sse(state)
                if state["status"] in TERMINAL:
                    return
            while True:
                try:
                    state = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                if state is None:
                    return
                if run_id is not None and state["id"] != run_id:
                    continue
                yield _sse(state)
                if run_id is not None and state["status"] in TERMINAL:
                    return
        finally:
            ctx.runs.unsubscribe(queue)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _sse(state: dict[str, Any]) -> str:
    return f"event: run\ndata: {json.dumps(state)}\n\n"


# ---------------------------------------------------------------- other outputs
def _output(ctx: Context, ident: str) -> Path:
    try:
        return output_folder(ctx.work.root, ident)
    except BadName as exc:
        raise ApiError(400, f"id: {exc}", field="id") from None


def _output_routes(app: FastAPI) -> None:
    @app.get("/api/outputs", tags=["outputs"])
    async def list_outputs(ctx: Ctx) -> list[dict[str, Any]]:
        """Ensembles, plans and SDDP runs in the workdir (WORKDIR/NAME or
        WORKDIR/GROUP/NAME), found by the file each writes."""
        return await asyncio.to_thread(find_outputs, ctx.work.root)

    @app.get("/api/outputs/{ident:path}/detail", tags=["outputs"])
    async def get_output(ctx: Ctx, ident: str) -> dict[str, Any]:
        """An output's manifest and its tables (first rows)."""
        _output(ctx, ident)
        detail = await asyncio.to_thread(output_detail, ctx.work.root, ident)
        if detail is None:
            raise ApiError(404, f"id: no ensemble, plan or SDDP run at {ident!r}", field="id")
        return detail

    @app.get("/outputs/{ident:path}/report", tags=["outputs"], response_class=HTMLResponse)
    async def output_report(ctx: Ctx, ident: str) -> Response:
        """An output's report.html."""
        folder = _output(ctx, ident)
        if not (folder / "report.html").is_file():
            raise ApiError(404, f"id: no report.html at {ident!r}", field="id")
        return _small_file(folder / "report.html", "text/html")
