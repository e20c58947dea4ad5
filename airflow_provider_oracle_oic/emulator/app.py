"""Assemble the emulator: FastAPI routes for OIC, the control plane, error shapes and the gateway."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from .. import __version__
from .config import EmulatorConfig
from .errors import APIError, error_body
from .gateway import Gateway
from .routes import (
    auth,
    certificates,
    connections,
    control,
    integrations,
    libraries,
    lookups,
    monitoring,
    packages,
    projects,
)
from .runtime import Emulator

API_ROUTERS = (integrations, connections, lookups, packages, libraries, certificates, monitoring, projects)
# The same rules inside an OIC 3 project, each project isolated from the rest (docs/oic-reference.md §12).
PROJECT_ROUTERS = (integrations, connections, lookups, libraries)


def _validation_detail(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        if error.get("type") == "json_invalid":
            problems.append(
                f"the request body is not valid JSON ({error.get('ctx', {}).get('error', 'parse error')})"
            )
        else:
            problems.append(f"{where}: {error.get('msg')}")
    return "Bad request: " + "; ".join(problems)


def create_app(config: EmulatorConfig | None = None) -> Gateway:
    """A ready ASGI app emulating one OIC instance; `app.emu` reaches its state."""
    config = config or EmulatorConfig()
    emu = Emulator.create(config)
    api = FastAPI(
        title="oic-emulator",
        version=__version__,
        description="A local Oracle Integration Cloud REST API for tests and demos. "
        "Routes under /_emulator/ are a test-only control plane, not part of OIC.",
    )
    api.state.emulator = emu
    for module in API_ROUTERS:
        api.include_router(module.router, prefix=config.api_base)
    for module in PROJECT_ROUTERS:
        api.include_router(module.router, prefix=f"{config.api_base}/projects/{{project_id}}")
    api.include_router(auth.router)
    api.include_router(control.router)

    @api.exception_handler(APIError)
    async def oic_error(_request: Request, exc: APIError) -> JSONResponse:
        return JSONResponse(error_body(exc.status, exc.detail), status_code=exc.status)

    @api.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body(400, _validation_detail(exc)), status_code=400)

    @api.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404:
            detail = f"No resource at {request.method} {request.url.path}"
        elif exc.status_code == 405:
            detail = f"Method {request.method} is not allowed on {request.url.path}"
        return JSONResponse(
            error_body(exc.status_code, detail), status_code=exc.status_code, headers=exc.headers
        )

    return Gateway(api, emu)
