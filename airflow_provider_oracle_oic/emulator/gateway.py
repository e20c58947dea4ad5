"""The ASGI layer in front of the routes: fault injection, bearer and instance checks, request stats.

It wraps the whole FastAPI app, so a fault or a 401 is decided before any body is parsed and a
dropped connection really closes the socket.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI

from .errors import APIError, error_body
from .faults import Fault
from .runtime import Emulator

PARAMETER = re.compile(r"\{[^}]+\}")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

TOKEN_PATH = "/oauth2/v1/token"


async def send_json(
    send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}


def drop_connection(send: Send) -> None:
    """Abort the TCP connection under this request, as a network failure would."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise ConnectionAbortedError("oic-emulator fault: connection dropped")
    transport.abort()


_TEMPLATES: dict[tuple[str, ...], list[tuple[re.Pattern[str], str]]] = {}


def _templates(app: FastAPI) -> list[tuple[re.Pattern[str], str]]:
    """The app's route templates as patterns. Building the OpenAPI document takes a tenth of a second
    and every emulator app of a process has the same routes: it is built once per set of routes."""
    key = tuple(sorted(getattr(route, "path", "") for route in app.routes))
    if key not in _TEMPLATES:
        _TEMPLATES[key] = [
            (re.compile("[^/]+".join(map(re.escape, PARAMETER.split(path))) + "/?"), path)
            for path in app.openapi().get("paths", {})
        ]
    return _TEMPLATES[key]


class Gateway:
    """Wraps the FastAPI app; see the module docstring."""

    def __init__(self, app: FastAPI, emu: Emulator) -> None:
        self.app = app
        self.emu = emu
        # (pattern, template) of every route, made on first use (the app is complete by then).

    def _access_error(self, scope: Scope) -> APIError | None:
        headers = _headers(scope)
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return APIError(
                401, "Authorization: Bearer <token> is required; get a token from /oauth2/v1/token"
            )
        if not self.emu.tokens.valid(token.strip()):
            return APIError(401, "The bearer token is invalid or expired; request a new one")
        instance = self.emu.config.instance
        if instance is not None:
            given = parse_qs(scope.get("query_string", b"").decode()).get("integrationInstance", [None])[0]
            if given is None:
                return APIError(
                    400, f"Query parameter integrationInstance is required (this instance is '{instance}')"
                )
            if given != instance:
                return APIError(
                    400, f"integrationInstance '{given}' is unknown here; this instance is '{instance}'"
                )
        return None

    async def _fault_answer(self, fault: Fault, send: Send) -> int:
        if fault.drop:
            drop_connection(send)
            return 0
        assert fault.status is not None
        headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        await send_json(
            send, fault.status, error_body(fault.status, "Injected by oic-emulator fault rule"), headers
        )
        return fault.status

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path.startswith("/ic/api/") or path == TOKEN_PATH):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        fault = self.emu.faults.draw(method, path)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        failing = fault is not None and (fault.status is not None or fault.drop)
        status = 0
        if failing and not fault.after:
            status = await self._fault_answer(fault, send)
        elif path != TOKEN_PATH and (error := self._access_error(scope)) is not None:
            headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if error.status == 401 else {}
            await send_json(send, error.status, error_body(error.status, error.detail), headers)
            status = error.status
        elif (limited := await self._bounded_json(scope, receive)) is None:
            limit = self.emu.config.max_json_bytes
            detail = f"The JSON body is larger than {limit} bytes; send a smaller request"
            await send_json(send, 413, error_body(413, detail))
            status = 413
        else:
            status = await self._forward(scope, limited, send, fault if failing else None)
        if path != TOKEN_PATH:
            self.emu.stats.record(method, self._template(scope), status)

    async def _bounded_json(self, scope: Scope, receive: Receive) -> Receive | None:
        """`receive` for the app, or None when a JSON body exceeds `max_json_bytes` (it is not kept)."""
        headers = _headers(scope)
        if "json" not in headers.get("content-type", ""):
            return receive
        limit = self.emu.config.max_json_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return None
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay

    def _template(self, scope: Scope) -> str:
        """The route template of a request, also for requests answered before routing (faults, 401).

        Read from the app's OpenAPI paths (FastAPI's public API): how routers keep their routes is
        FastAPI's own business, and changed in 0.16x."""
        path = scope["path"]
        return next((template for pattern, template in _templates(self.app) if pattern.fullmatch(path)), path)

    async def _forward(self, scope: Scope, receive: Receive, send: Send, after: Fault | None) -> int:
        statuses: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])
            if after is None:
                await send(message)

        await self.app(scope, receive, watch)
        if after is not None:
            return await self._fault_answer(after, send)
        return statuses[0] if statuses else 0
