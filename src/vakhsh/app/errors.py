"""Every error the API returns has one shape, with the field it concerns:

    {"error": "one line", "problems": [{"field": "set.reservoirs.upper.x", "message": ...}]}

Bad input is a 4xx (400 bad id, 404 unknown, 409 conflict, 413 too large, 415 wrong
type, 422 invalid); a 500 means a bug in vakhsh, and says so.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("vakhsh.app")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        field: str | None = None,
        problems: list[dict[str, Any]] | None = None,
    ):
        self.status = status
        self.message = message
        self.problems = (
            problems
            if problems is not None
            else ([{"field": field, "message": message}] if field else [])
        )
        super().__init__(message)


class BodyTooLarge(Exception):
    def __init__(self, limit: int):
        self.limit = limit


def body(message: str, problems: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": message, "problems": problems or []}


def _loc(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    if all(isinstance(p, int) for p in loc[1:]):  # the body as a whole (e.g. not JSON)
        return "body" if loc and loc[0] == "body" else ".".join(parts)
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(body(exc.message, exc.problems), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            where = _loc(tuple(error.get("loc", ())))
            problems.append({"field": where, "message": f"{where}: {error.get('msg')}"})
        message = (
            problems[0]["message"]
            if len(problems) == 1
            else f"{len(problems)} problems in the request"
        )
        return JSONResponse(body(message, problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            body(str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(BodyTooLarge)
    async def _too_large(_request: Request, exc: BodyTooLarge) -> JSONResponse:
        message = f"request body over the limit of {exc.limit / 2**20:g} MB"
        return JSONResponse(body(message, [{"field": "body", "message": message}]), status_code=413)

    @app.exception_handler(Exception)
    async def _bug(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error")
        return JSONResponse(
            body(f"internal error in vakhsh (a bug, please report it): {type(exc).__name__}"),
            status_code=500,
        )


class BodyLimit:
    """ASGI middleware: refuse request bodies over a limit, by their Content-Length
    before reading, and by counting while reading when there is none."""

    def __init__(self, app, default: int, limits: dict[str, int]):
        self.app, self.default, self.limits = app, default, limits

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limits.get(scope["path"], self.default)
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = limit + 1
                if declared > limit:
                    response = JSONResponse(
                        body(
                            f"request body over the limit of {limit / 2**20:g} MB",
                            [
                                {
                                    "field": "body",
                                    "message": f"{declared:,} bytes; at most {limit:,}",
                                }
                            ],
                        ),
                        status_code=413,
                    )
                    return await response(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        return await self.app(scope, counted, send)
