"""GET /v1/issues, /v1/issues/counts, /v1/issues/{id}, POST /v1/issues/{id}/actions: the tenant's ledger.

Every query is the caller's tenant's: another tenant's issue is a 404, exactly like one that
does not exist. An action the issue's status does not allow is a 409 that says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.responses import Response

from syncdoctor import dumps

from ...ledger import ActionNotAllowed, IssueNotFound
from ...ledger.events import in_utc, unstorable
from ...ledger.lifecycle import LIFECYCLE_ACTIONS, STEP_ACTIONS
from ..deps import Principal, get_ledger, principal
from ..problems import HTTPProblem, error_responses
from ..schemas import component, request_body
from ..streaming import read_model

router = APIRouter(tags=["ledger"])
log = logging.getLogger("syncdoctor.service")

Status = Literal["open", "resolved", "muted", "skipped"]


class IssueOut(BaseModel):
    """One problem on one entity (or on the connection) of one client."""

    id: str
    status: Status
    problem: str
    vendor: str
    client: str
    entity: str = Field(description='the entity\'s id, or "connection" for auth and throttling problems')
    category: str | None
    severity: Literal["error", "warning"]
    params: dict[str, Any]
    title: str | None
    first_seen: datetime
    last_seen: datetime
    count: int
    regressed: int = Field(description="how many times it came back after being resolved")
    escalated: bool = Field(description="the entity failed to sync three times or more in a row")
    diagnosis: dict[str, Any]


class IssueList(BaseModel):
    items: list[IssueOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last")


class ProblemCount(BaseModel):
    problem: str
    issues: int


class ClientCount(BaseModel):
    client: str
    issues: int


class IssueCounts(BaseModel):
    total: int = Field(description="how many issues match the filters")
    by_problem: list[ProblemCount] = Field(description="most frequent first, ties by name")
    by_client: list[ClientCount] = Field(description="most frequent first, ties by name")


class ActionOut(BaseModel):
    at: datetime
    actor: str
    action: str
    note: str | None
    from_status: Status
    to_status: Status


class OccurrenceOut(BaseModel):
    at: datetime
    received_at: datetime
    request_id: str | None
    report: dict[str, Any] = Field(description="the vendor's report, credentials redacted, capped in size")
    truncated: bool


class IssueDetail(IssueOut):
    occurrences: list[OccurrenceOut] = Field(description="the latest occurrences, newest first")
    actions: list[ActionOut] = Field(description="the audit trail, oldest first")
    plan: dict[str, Any] = Field(description="the remediation plan: steps and alternatives")
    steps_done: list[str] = Field(description="actions of the plan recorded as done")


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(description=f"one of {', '.join(LIFECYCLE_ACTIONS)}, or a plan step done "
                        f"({', '.join(STEP_ACTIONS)})", max_length=50)
    note: str | None = Field(None, max_length=10_000)

    @field_validator("action", "note")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        if value is not None and (what := unstorable(value)):
            raise ValueError(f"cannot hold {what}")
        return value


Reader = Annotated[Principal, Depends(principal("read"))]
Writer = Annotated[Principal, Depends(principal("write"))]
LedgerDep = Annotated[Any, Depends(get_ledger)]
Since = Annotated[datetime | None, Query(description="last seen at or after this time (with its zone)")]
Escalated = Annotated[bool | None, Query(description="only escalated issues (true) or only the others (false)")]
Text = Annotated[str | None, Query(max_length=2000, description="issues holding every word (any case) in their "
                                   "title, problem, client, entity, vendor, category or a param's value")]
IssueId = Annotated[str, Path(max_length=64)]
Lang = Annotated[Literal["en", "fr"] | None, Query(description="language of titles, causes and steps (default: "
                                                   "the service's), whichever language recorded the issue")]


def _speaker(request: Request, lang: str | None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Puts an issue's title, causes and plan in ``lang``, rendered from its pack with the
    issue's params (the console's issue page does the same); an issue whose problem is no
    longer installed keeps the texts recorded with it."""
    host, lang = request.app.state.host, lang or request.app.state.settings.lang
    problems = host.catalog.problems

    def speak(issue: dict[str, Any]) -> dict[str, Any]:
        problem = issue["problem"]
        cp = problems.get("core.unknown_error" if problem == "unknown" else problem)
        if cp is None:
            return issue
        try:
            diagnosis = host.engine.diagnosis(cp, dict(issue.get("params") or {}), None, lang)
        except Exception:  # a text that cannot be rendered must not take the read down
            log.exception("issue %s: its texts could not be rendered in %s", issue.get("id"), lang)
            return issue
        texts = diagnosis.model_dump(mode="json", include={"title", "causes", "remediation"}, exclude_none=True)
        issue["title"] = texts.get("title", issue.get("title"))
        issue["diagnosis"] = {**(issue.get("diagnosis") or {}), **texts}
        if "plan" in issue:
            issue["plan"] = texts["remediation"]
        return issue

    return speak


def _json(data: Any, status: int = 200) -> Response:
    return Response(dumps(data), status_code=status, media_type="application/json")


def issue_filters(
    status: Annotated[list[Status] | None, Query(description="repeat for several")] = None,
    vendor: Annotated[str | None, Query(max_length=100)] = None,
    client: Annotated[str | None, Query(max_length=200)] = None,
    problem: Annotated[str | None, Query(max_length=200)] = None,
    since: Since = None,
    escalated: Escalated = None,
    text: Text = None,
) -> dict[str, Any]:
    """The filters the issue list and its counts share, as the ledger takes them."""
    if since is not None and since.utcoffset() is None:
        raise HTTPProblem(422, "since needs its zone, e.g. 2026-12-01T00:00:00Z", field="query.since")
    if since is not None and not in_utc(since):  # the ledger checks it too; here it names the field
        raise HTTPProblem(422, "since is out of range: no such time in UTC", field="query.since")
    for name, value in (("vendor", vendor), ("client", client), ("problem", problem), ("text", text)):
        if value and (what := unstorable(value)):
            raise HTTPProblem(422, f"{name} cannot hold {what}", field=f"query.{name}")
    return {"status": status, "vendor": vendor, "client": client, "problem": problem, "since": since,
            "escalated": escalated, "text": text}


Filters = Annotated[dict[str, Any], Depends(issue_filters)]


@router.get("/v1/issues", summary="The tenant's issues, most recently seen first", response_model=IssueList,
            responses=error_responses(401, 403, 422))
async def list_issues(
    request: Request,
    who: Reader,
    ledger: LedgerDep,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page")] = None,
    lang: Lang = None,
) -> Response:
    try:
        page = await run_in_threadpool(ledger.issues, who.tenant, **filters, limit=limit, cursor=cursor)
    except ValueError as exc:
        raise HTTPProblem(422, str(exc), field="query.text" if "text" in str(exc) else "query.cursor") from None
    speak = _speaker(request, lang)
    page["items"] = [speak(issue) for issue in page["items"]]
    return _json(page)


@router.get("/v1/issues/counts", summary="How many issues match, by problem and by client",
            response_model=IssueCounts, responses=error_responses(401, 403, 422))
async def count_issues(
    who: Reader,
    ledger: LedgerDep,
    filters: Filters,
    top: Annotated[int, Query(ge=1, le=1000, description="how many problems and clients to list")] = 15,
) -> Response:
    try:
        counts = await run_in_threadpool(ledger.counts, who.tenant, **filters, top=top)
    except ValueError as exc:
        raise HTTPProblem(422, str(exc), field="query.text") from None
    return _json(counts)


@router.get("/v1/issues/{issue_id}", summary="One issue with its occurrences, actions and plan",
            response_model=IssueDetail, responses=error_responses(401, 403, 404, 422))
async def show_issue(request: Request, issue_id: IssueId, who: Reader, ledger: LedgerDep, lang: Lang = None) -> Response:
    try:
        return _json(_speaker(request, lang)(await run_in_threadpool(ledger.issue, who.tenant, issue_id)))
    except IssueNotFound:
        raise HTTPProblem(404, f"no issue {issue_id!r} in this tenant's ledger") from None


@router.post("/v1/issues/{issue_id}/actions", summary="Act on an issue (resolve, mute, skip, a plan step...)",
             response_model=IssueOut, responses=error_responses(401, 403, 404, 409, 413, 415, 422),
             openapi_extra=request_body({"application/json": component(ActionIn)}))
async def act_on_issue(request: Request, issue_id: IssueId, who: Writer, ledger: LedgerDep, lang: Lang = None) -> Response:
    body = await read_model(request, ActionIn)
    actor = f"key:{who.key_id}" if who.key_id else who.tenant
    try:
        issue = await run_in_threadpool(ledger.act, who.tenant, issue_id, body.action, actor=actor, note=body.note)
    except IssueNotFound:
        raise HTTPProblem(404, f"no issue {issue_id!r} in this tenant's ledger") from None
    except ActionNotAllowed as exc:
        raise HTTPProblem(409, exc.reason, status_now=exc.status, action=exc.action) from None
    except ValueError as exc:
        field = "body.note" if "note" in str(exc) else "body.action"
        raise HTTPProblem(422, str(exc), field=field) from None
    return _json(_speaker(request, lang)(issue))



