"""GET /healthz (the process answers), /readyz (it can do its job), /metrics (Prometheus).

These three need no key: probes and scrapers run inside the platform's network. They say
nothing about any tenant (counts by route and problem id only).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from syncdoctor import dumps

from ..problems import error_responses

router = APIRouter(tags=["health"])

READY_SCHEMA = {
    "type": "object",
    "properties": {
        "ready": {"type": "boolean"},
        "checks": {"type": "object", "additionalProperties": {"type": "object"}},
    },
    "required": ["ready", "checks"],
}


@router.get("/healthz", summary="Liveness: the process answers",
            responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}})
async def healthz() -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


def _database_checks(database: Any) -> dict[str, Any]:
    if database is None:
        return {"database": {"ok": False, "detail": "not opened"}}
    reachable = database.ping()
    checks: dict[str, Any] = {"database": {"ok": reachable, "detail": database.dialect}}
    if reachable:
        try:
            current, head = database.current(), database.head()
        except Exception as exc:  # a broken migration directory is "not ready", with the reason
            checks["migrations"] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
        else:
            checks["migrations"] = {"ok": current == head, "detail": f"at {current or 'none'}, code at {head}"
                                    + ("" if current == head else "; run `syncdoctor db upgrade`")}
    return checks


@router.get("/readyz", summary="Readiness: plugins loaded, database reachable, migrations current",
            responses={200: {"content": {"application/json": {"schema": READY_SCHEMA}}},
                       503: {"description": "not ready", "content": {"application/json": {"schema": READY_SCHEMA}}}})
async def readyz(request: Request) -> Response:
    state = request.app.state
    host = getattr(state, "host", None)
    checks: dict[str, Any] = {}
    if host is None:
        checks["plugins"] = {"ok": False, "detail": "not loaded yet"}
    else:
        broken = [f"{b.name}: {b.reason}" for b in host.broken]
        # a broken plugin is listed at /v1/plugins; it stops readiness only in strict mode
        ok = not (broken and state.settings.strict)
        checks["plugins"] = {"ok": ok, "detail": f"{len(host.plugins)} loaded"
                             + (f", {len(broken)} broken: " + "; ".join(broken) if broken else "")}
    checks.update(await run_in_threadpool(_database_checks, getattr(state, "database", None)))
    ready = all(c["ok"] for c in checks.values())
    return Response(dumps({"ready": ready, "checks": checks}), status_code=200 if ready else 503,
                    media_type="application/json")


@router.get("/metrics", summary="Prometheus metrics (text format 0.0.4)",
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}, **error_responses()})
async def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
