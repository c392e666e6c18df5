"""POST /v1/events: sync outcomes recorded in the ledger (design section 11).

One JSON event answers ``{"issues": [...], "resolved": [...], "findings": [...]}``; an
``application/x-ndjson`` body holds one event per line and the answer is NDJSON, one answer per
line in input order, written as the body arrives. A bad line answers a problem document with
its record, line and field, and the batch goes on. Each event is its own transaction: what was
answered is recorded, whatever happens to the rest of the batch.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.responses import Response

from syncdoctor import Finding, InputError, dumps

from ...ledger.events import Event
from ..deps import Principal, get_ledger, principal
from ..problems import HTTPProblem, error_responses, problem_body
from ..schemas import component, request_body
from ..streaming import NDJSON, Line, read_json_body, read_lines, request_deadline
from .issues import IssueOut
from .media import is_ndjson, prime

router = APIRouter(tags=["ledger"])


class EventAnswer(BaseModel):
    issues: list[IssueOut] = Field(description="the issues this rejection opened, counted or reopened")
    resolved: list[str] = Field(description="ids of the issues this acceptance resolved")
    findings: list[Finding] = Field(default_factory=list,
                                    description="core.repeated_failure from the third failure of the entity on")


EVENT_SCHEMA = component(Event)


@router.post(
    "/v1/events",
    summary="Record a sync outcome (one event, or NDJSON of many)",
    description=(
        "An event is `{client, vendor, entity | entity_id, outcome: rejected|accepted, report, at}`. "
        "A rejection is classified and upserted as an issue (one per fingerprint: the same rejection "
        "twice counts twice on one issue); an acceptance resolves the entity's issues. NDJSON in, "
        "NDJSON out, one answer per line in order; a bad line answers its problem document."
    ),
    response_model=EventAnswer,
    responses={200: {"content": {NDJSON: {"schema": {"$ref": "#/components/schemas/EventAnswer"}}}},
               **error_responses(401, 403, 413, 415, 422, 503)},
    openapi_extra=request_body({"application/json": EVENT_SCHEMA, NDJSON: EVENT_SCHEMA}),
)
async def record_events(
    request: Request,
    who: Annotated[Principal, Depends(principal("write"))],
    ledger: Annotated[Any, Depends(get_ledger)],
    lang: Annotated[Literal["en", "fr"] | None, Query(description="language of the diagnoses and findings")] = None,
) -> Response:
    lang = lang or request.app.state.settings.lang
    request_id = request.scope.get("state", {}).get("request_id")
    metrics = request.app.state.metrics
    if is_ndjson(request):
        return await _record_stream(request, ledger, who.tenant, request_id, lang)
    body = await read_json_body(request)
    if not isinstance(body, dict):
        raise HTTPProblem(422, "expected one event as a JSON object {client, vendor, outcome, ...}; send many "
                          "as application/x-ndjson, one per line", field="body")
    try:
        answer = await run_in_threadpool(ledger.record, who.tenant, body, request_id=request_id, lang=lang)
    except InputError as exc:
        raise HTTPProblem(422, exc.reason, record=0, field=exc.field) from None
    count_writes(metrics, answer)
    return Response(dumps(answer), media_type="application/json")


def count_writes(metrics: Any, answer: dict[str, Any]) -> None:
    """Metrics of what an event did: diagnoses by problem, ledger writes by kind."""
    metrics.count_diagnoses(i["problem"] for i in answer["issues"])
    kinds: dict[str, int] = {}
    for issue in answer["issues"]:
        kind = "issue_opened" if issue["count"] == 1 else "issue_counted"
        kinds[kind] = kinds.get(kind, 0) + 1
    if answer["resolved"]:
        kinds["issue_resolved"] = len(answer["resolved"])
    if answer["findings"]:
        kinds["repeated_failure"] = len(answer["findings"])
    for kind, amount in kinds.items():
        metrics.count("ledger_writes", "Ledger writes of POST /v1/events, by what happened.", amount, kind=kind)


async def _record_stream(request: Request, ledger: Any, tenant: str, request_id: str | None,
                         lang: str) -> Response:
    """Like the Host's batches (streaming.answer_batch), but a chunk of lines is recorded in one
    call, hence one transaction: the answer of a line is written once its chunk is committed."""
    settings = request.app.state.settings
    metrics = request.app.state.metrics
    deadline = request_deadline(request)

    def decide(lines: list[Line]) -> bytes:
        answers = ledger.record_batch(tenant, [line.value for line in lines], request_id=request_id, lang=lang,
                                      first=lines[0].number)
        out = []
        for line, answer in zip(lines, answers, strict=True):
            if isinstance(answer, InputError):
                body = problem_body(422, answer.reason, record=line.number, line=line.line, field=answer.field)
            else:
                count_writes(metrics, answer)
                body = answer
            out.append(dumps(body).encode() + b"\n")
        return b"".join(out)

    async def flush(lines: list[Line]) -> bytes:
        if time.monotonic() > deadline:
            raise _OverBudget()
        return await anyio.to_thread.run_sync(decide, lines)

    async def stream() -> AsyncIterator[bytes]:
        pending: list[Line] = []
        started = False
        try:
            try:
                async for line in read_lines(request, settings.max_batch):
                    pending.append(line)
                    if len(pending) >= settings.chunk_records:
                        chunk, pending = pending, []
                        out = await flush(chunk)
                        started = True
                        yield out
                if pending:
                    chunk, pending = pending, []
                    yield await flush(chunk)
            except HTTPProblem as exc:
                if not started:
                    raise  # nothing answered yet: the status code itself says it
                if pending:
                    yield await flush(pending)
                yield _problem_line(request, exc.status, exc.detail, record=exc.record, **exc.extra)
        except _OverBudget:
            detail = ("the batch took longer than the time budget (time_budget); the events answered "
                      "above are recorded, resend the rest")
            if not started:
                raise HTTPProblem(503, detail, headers={"Retry-After": "1"}) from None
            yield _problem_line(request, 503, detail)

    return await prime(stream())


class _OverBudget(Exception):
    pass


def _problem_line(request: Request, status: int, detail: str, **kw: Any) -> bytes:
    rid = request.scope.get("state", {}).get("request_id")
    return (dumps(problem_body(status, detail, instance=f"{request.url.path}#request-{rid}", **kw)) + "\n").encode()
