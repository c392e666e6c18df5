"""A base for vendor sandboxes: real HTTP over loopback, with injectable faults.

A plugin writes only its API's behaviour (a :class:`SandboxApp`); this module serves it on
``127.0.0.1`` and injects the faults asked for. Faults are deterministic so that tests can
rely on them: every third *distinct* request fails once, in rotation over the active faults,
and succeeds when retried. ``duplicate-page`` is left to the app (it knows its pagination):
:attr:`Faults.duplicate_page` tells it to serve a page's items again on the next page.

The hostile faults (issue 20) test what a client must survive:

* ``lost-answer``: the *first attempt of every distinct write* (POST, PUT, PATCH, DELETE) is
  processed by the app and then the connection is dropped without an answer, so a client that
  retries blindly writes twice;
* ``trickle``: the answer's body is sent one byte every ``trickle_seconds``;
* ``endless``: an answer whose body never ends (until the client hangs up, or 4 GiB);
* ``malformed-page``: a 200 whose JSON lists (``transactions: [...]``) are objects instead;
* ``echo``: a 400 whose body echoes the request's headers, ``Authorization`` included, as a
  careless server does.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..model.money import dumps
from .faults import FAULTS

__all__ = ["FAULTS", "Faults", "SandboxRequest", "SandboxResponse", "SandboxServer"]

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class SandboxRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class SandboxResponse:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


SandboxApp = Callable[[SandboxRequest], SandboxResponse]


class Faults:
    """Which faults to inject, and when."""

    def __init__(self, names: str | list[str] | None = None, every: int = 3, retry_after: int = 1,
                 slow_seconds: float = 0.3, trickle_seconds: float = 3.0) -> None:
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",") if n.strip()]
        unknown = sorted(set(names or []) - set(FAULTS))
        if unknown:
            raise ValueError(f"unknown fault(s) {', '.join(unknown)}; choose from {', '.join(FAULTS)}")
        self.names = list(names or [])
        self.every = every
        self.retry_after = retry_after
        self.slow_seconds = slow_seconds
        self.trickle_seconds = trickle_seconds
        self._transport = [n for n in self.names if n not in ("duplicate-page", "lost-answer")]
        self._seen: dict[str, int] = {}
        self._distinct = 0
        self._lock = threading.Lock()
        self.injected: dict[str, int] = {}

    @property
    def duplicate_page(self) -> bool:
        return "duplicate-page" in self.names

    def pick(self, key: str, method: str = "GET") -> str | None:
        """The fault for this request, if any: only on the first attempt of a distinct request."""
        if not self._transport and "lost-answer" not in self.names:
            return None
        with self._lock:
            attempts = self._seen.get(key, 0) + 1
            self._seen[key] = attempts
            if attempts > 1:
                return None
            if "lost-answer" in self.names and method in WRITES:
                self.injected["lost-answer"] = self.injected.get("lost-answer", 0) + 1
                return "lost-answer"
            if not self._transport:
                return None
            self._distinct += 1
            if self._distinct % self.every:
                return None
            fault = self._transport[(self._distinct // self.every) % len(self._transport)]
            self.injected[fault] = self.injected.get(fault, 0) + 1
            return fault


class SandboxServer:
    """Serves a :class:`SandboxApp` on loopback in a background thread.

    Use as a context manager in tests, or :meth:`serve_forever` from the command line.
    """

    def __init__(self, app: SandboxApp, *, port: int = 0, faults: Faults | None = None, name: str = "sandbox") -> None:
        self.app = app
        self.faults = faults or Faults()
        self.name = name
        self.requests: list[tuple[str, str]] = []
        handler = self._handler()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"  # type: ignore[str-bytes-safe]

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"{self.name}-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for a serve loop: only ask a running one
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def serve_forever(self) -> None:
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave in separate writes: no delayed-ACK stall

            def log_message(self, format: str, *args: Any) -> None:  # quiet: no secrets in logs
                return None

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = SandboxRequest(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                server.requests.append((self.command, self.path))
                key = f"{self.command} {self.path} {body[:200]!r}"
                fault = server.faults.pick(key, self.command)
                if fault == "echo":
                    echoed = {k: v for k, v in self.headers.items()}
                    self._send(SandboxResponse(400, {"error": f"bad request from {echoed.get('Authorization', '?')}",
                                                     "request_headers": echoed}))
                    return
                if fault == "drop":
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                if fault == "slow":
                    time.sleep(server.faults.slow_seconds)
                if fault == "429":
                    self._send(SandboxResponse(429, {"errors": [{"code": "too_many_requests", "detail": "Rate limit exceeded"}]},
                                               {"Retry-After": str(server.faults.retry_after)}))
                    return
                if fault == "500":
                    self._send(SandboxResponse(500, {"errors": [{"code": "internal_error", "detail": "Internal server error"}]}))
                    return
                try:
                    response = server.app(request)
                except Exception as exc:  # a bug in the fake must still answer
                    response = SandboxResponse(500, {"error": f"sandbox failure: {type(exc).__name__}: {exc}"})
                if fault == "lost-answer":  # the write happened; its answer never leaves
                    self._hang_up()
                    return
                if fault == "malformed-page" and isinstance(response.body, dict):
                    response.body = {k: ({"unexpected": "an object where a list belongs"} if isinstance(v, list) else v)
                                     for k, v in response.body.items()}
                if fault == "endless":
                    self._endless(response)
                    return
                self._send(response, trickle=server.faults.trickle_seconds if fault == "trickle" else None)

            def _hang_up(self) -> None:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def _endless(self, response: SandboxResponse) -> None:
                self.close_connection = True
                self.send_response(response.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()  # no length: the body ends when the connection does, i.e. never
                chunk = b'{"transactions": [' + b" " * 65_000
                try:
                    for _ in range(65_536):  # 4 GiB at most, so a forgotten server still stops
                        self.wfile.write(chunk)
                except OSError:  # the client hung up: what a capped client does
                    return

            def _send(self, response: SandboxResponse, trickle: float | None = None) -> None:
                body = response.body
                if isinstance(body, bytes):
                    data = body
                    ctype = "application/octet-stream"
                elif isinstance(body, str):
                    data = body.encode()
                    ctype = "text/plain; charset=utf-8"
                else:
                    data = dumps(body).encode()
                    ctype = "application/json"
                self.send_response(response.status)
                headers = {"Content-Type": ctype, **response.headers}
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if trickle is None:
                    try:
                        self.wfile.write(data)
                    except OSError:  # the client hung up (killed, or capped): nothing to answer
                        self.close_connection = True
                    return
                try:
                    for i in range(len(data)):  # one byte at a time, as a stalled link delivers
                        self.wfile.write(data[i:i + 1])
                        self.wfile.flush()
                        time.sleep(trickle)
                except OSError:
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        return Handler
