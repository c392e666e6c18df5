"""POST /v1/events: sync outcomes recorded in the ledger (design section 11).

One JSON event answers ``{"issues": [...], "resolved": [...], "findings": [...]}``; an
``application/x-ndjson`` body holds one event per line and the answer is NDJSON, one answer per
line in input order, written as the body arrives. A bad line answers a problem document with
its record, line and field, and the batch goes on. Each event is its own transaction: what was
answered is recorded, whatever happens to the rest of the batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.responses import Response
from syncdoctor import Finding, InputError, dumps

from ...ledger.events import Event
from ..deps import Principal, get_ledger, principal
from ..problems import HTTPProblem, error_responses, problem_body
from ..schemas import component, request_body
from ..streaming import NDJSON, BatchLimits, Line, answer_batch, read_json_body, read_lines, request_deadline
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
    metrics.count_diagnoses(i["problem"] for i in answer["issues"])
    return Response(dumps(answer), media_type="application/json")


async def _record_stream(request: Request, ledger: Any, tenant: str, request_id: str | None,
                         lang: str) -> Response:
    settings = request.app.state.settings
    metrics = request.app.state.metrics

    def answers(events: Iterator[Any]) -> Iterator[Any]:
        return ledger.record_many(tenant, events, request_id=request_id, lang=lang)

    def render(line: Line, answer: Any) -> bytes:
        if isinstance(answer, InputError):
            body = problem_body(422, answer.reason, record=line.number, line=line.line, field=answer.field)
            return (dumps(body) + "\n").encode()
        metrics.count_diagnoses(i["problem"] for i in answer["issues"])
        return (dumps(answer) + "\n").encode()

    limits = BatchLimits(settings.chunk_records, request_deadline(request))
    stream = answer_batch(request, read_lines(request, settings.max_batch), answers, render, limits)
    return await prime(stream)
