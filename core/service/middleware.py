"""The outermost layer of the app: request id, body size limit, time budget, access log, metrics.

Plain ASGI rather than Starlette's BaseHTTPMiddleware: it adds no task or queue per request
(that costs a third of the single-classification throughput) and it sees the body as it
arrives, so the size limit holds while streaming, not after everything was read.
"""

from __future__ import annotations

import logging
import math
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

import anyio

from .metrics import Metrics
from .problems import PROBLEM_JSON, HTTPProblem, problem_body
from .settings import Settings

__all__ = ["BodyTooLarge", "ServiceMiddleware", "deadline_of"]

access_log = logging.getLogger("syncdoctor.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class BodyTooLarge(HTTPProblem):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes "
                         "(max_body_bytes); send smaller batches")


def deadline_of(scope: Mapping[str, Any]) -> float:
    """The monotonic time by which the request must be answered (streams check it between chunks)."""
    return float(scope.get("state", {}).get("deadline", math.inf))


class ServiceMiddleware:
    def __init__(self, app: Any, settings: Settings, metrics: Metrics) -> None:
        self.app = app
        self.limit = settings.max_body_bytes
        self.budget = settings.time_budget
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        given = _header(scope, b"x-request-id")
        request_id = given if given and _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        root = scope.get("root_path", "")  # a mount (the console) adds its prefix to it
        state["deadline"] = time.monotonic() + self.budget
        rid_header = (b"x-request-id", request_id.encode())
        status = 500
        started = False
        received = 0
        limit = self.limit

        async def limited_receive() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked_send(message: Any) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status = message["status"]
                started = True
                scope_cancel.deadline = math.inf  # a started stream keeps its own watch (deadline_of)
                message["headers"] = [*message.get("headers", ()), rid_header]
            await send(message)

        length = _header(scope, b"content-length")
        try:
            if length is not None and length.isdigit() and int(length) > limit:
                status = 413
                await _send_problem(send, scope, 413, BodyTooLarge(limit).detail, rid_header)
                return
            with anyio.CancelScope(deadline=anyio.current_time() + self.budget) as scope_cancel:
                await self.app(scope, limited_receive, tracked_send)
            if scope_cancel.cancelled_caught and not started:
                status = 503
                retry = str(max(1, math.ceil(self.budget / 10)))
                await _send_problem(
                    send, scope, 503,
                    f"the request took longer than the time budget of {self.budget:g} s (time_budget); "
                    "retry later or send a smaller batch", rid_header, [(b"retry-after", retry.encode())])
        except BodyTooLarge as exc:  # raised while a stream was being answered: nothing more to send
            status = 413 if not started else status
            if not started:
                await _send_problem(send, scope, 413, exc.detail, rid_header)
        finally:
            seconds = time.perf_counter() - start
            route = getattr(scope.get("route"), "path", None)
            route = scope.get("root_path", "")[len(root):] + route if route else "(unmatched)"
            method = scope["method"]
            self.metrics.observe_request(method, route, status, seconds)
            access_log.info(
                "request", extra={
                    "request_id": request_id, "method": method, "route": route, "status": status,
                    "duration_ms": round(seconds * 1000, 3), "bytes_in": received,
                    "tenant": state.get("tenant"), "key_id": state.get("key_id"),
                })


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _send_problem(send: Any, scope: dict[str, Any], status: int, detail: str,
                        rid_header: tuple[bytes, bytes], extra: list[tuple[bytes, bytes]] | None = None) -> None:
    import json

    rid = rid_header[1].decode()
    body = json.dumps(problem_body(status, detail, instance=f"{scope.get('path', '')}#request-{rid}")).encode()
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode()),
               rid_header, *(extra or [])]
    if status == 413:
        headers.append((b"connection", b"close"))  # the rest of the body is not read
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
