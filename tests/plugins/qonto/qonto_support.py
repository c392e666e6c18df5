"""Shared helpers of the Qonto plugin tests (not a test module)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from syncdoctor import Host, RetryPolicy, SandboxRequest, dumps
from syncdoctor_qonto.sandbox import QontoSandbox
from syncdoctor_qonto.sandbox_data import build_data

ANCHOR = dt.date(2026, 6, 10)
NOW = dt.datetime(2026, 6, 10, 6, 30, tzinfo=dt.UTC)  # 08:30 in Paris, 10 June 2026
LOGIN = "pied-piper-7132"
SECRET = "62885d39-top-secret-key"
TOKEN = "oauth-access-token-9f8e7d"


def host() -> Host:
    return Host.from_entry_points(names=["qonto"], strict=True)


def no_sleep() -> tuple[RetryPolicy, list[float]]:
    slept: list[float] = []
    return RetryPolicy(backoff=0.01, sleep=slept.append), slept


def sandbox_transport(app: QontoSandbox | None = None, *, before: Callable[[httpx.Request], httpx.Response | None]
                      | None = None, seen: list[httpx.Request] | None = None) -> httpx.MockTransport:
    """The sandbox's API behaviour behind an httpx.MockTransport (no socket at all)."""
    app = app or QontoSandbox(build_data(ANCHOR))

    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        if before is not None:
            forced = before(request)
            if forced is not None:
                return forced
        parts = urlsplit(str(request.url))
        answer = app(SandboxRequest(
            method=request.method, path=parts.path, query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in request.headers.items()}, body=request.content,
        ))
        return httpx.Response(answer.status, content=dumps(answer.body).encode(),
                              headers={"content-type": "application/json", **answer.headers})

    return httpx.MockTransport(handle)


def options(transport: httpx.BaseTransport, **extra: Any) -> dict[str, Any]:
    retry, _ = no_sleep()
    return {"base_url": "https://thirdparty.qonto.test", "login": "sandbox", "secret_key": "sandbox", "now": NOW,
            "transport": transport, "retry": retry, **extra}


def ids(entities: list[Any]) -> list[str]:
    return [e.id for e in entities]
