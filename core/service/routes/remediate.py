"""POST /v1/remediate: a diagnosis, a finding, or an entity + problem id -> the plan;
``?apply=true`` -> the entity after its automatic fixes."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from syncdoctor import Host, PatchError, dumps

from ...ledger.events import MAX_DEPTH, nested_too_deep
from ..deps import HostDep, principal
from ..problems import HTTPProblem, error_responses
from ..schemas import CONTEXT_SCHEMA, ENTITY_SCHEMA, FixAnswer, PlanAnswer, component, request_body
from ..streaming import read_json_body
from .media import is_ndjson

router = APIRouter(tags=["remediate"])

BODY = {
    "type": "object",
    "description": "a diagnosis or a finding as answered by classify/validate, or {entity, problem, params}",
    "properties": {
        "problem": {"type": "string", "description": "a problem id (`unknown` is core.unknown_error)"},
        "params": {"type": "object"},
        "entity": {"oneOf": [ENTITY_SCHEMA, {"type": ["string", "integer", "null"]}],
                   "description": "the entity (an object) to place the plan in, or to fix with apply=true"},
        "context": CONTEXT_SCHEMA,
    },
    "additionalProperties": True,
}


@router.post(
    "/v1/remediate",
    summary="The remediation plan for a problem; apply=true fixes an entity",
    description=(
        "Without `apply`: `{\"plans\": [...]}`, one plan per place the problem holds in the entity (one "
        "plan without an entity). With `apply=true` (needs `entity`): the entity after every automatic, "
        "unconfirmed patch (of `problem` only, when given), what was applied, and the error findings "
        "that remain. Applying twice changes nothing."
    ),
    response_model=PlanAnswer,
    responses={
        200: {"content": {"application/json": {"schema": {"oneOf": [component(PlanAnswer),
                                                                      component(FixAnswer)]}}}},
        **error_responses(401, 403, 413, 415, 422, 503),
    },
    openapi_extra=request_body({"application/json": BODY}),
    dependencies=[Depends(principal("read"))],
)
async def remediate(
    host: HostDep,
    request: Request,
    apply: bool = Query(False, description="apply the automatic patches and answer the fixed entity"),
    lang: Literal["en", "fr"] | None = Query(None),
) -> Response:
    if is_ndjson(request):
        raise HTTPProblem(415, "send one JSON object (a diagnosis, a finding, or {entity, problem})",
                          field="content-type")
    lang = lang or request.app.state.settings.lang
    doc = await read_json_body(request)
    if not isinstance(doc, dict):
        raise HTTPProblem(422, "expected a JSON object: a diagnosis, a finding, or {entity, problem}", field="body")
    problem = doc.get("problem")
    if problem is not None and not isinstance(problem, str):
        raise HTTPProblem(422, "expected a problem id (text)", field="problem")
    params = doc.get("params") or {}
    if not isinstance(params, dict):
        raise HTTPProblem(422, "expected a JSON object", field="params")
    entity = doc.get("entity") if isinstance(doc.get("entity"), dict) else None
    context = doc.get("context")
    if context is not None and not isinstance(context, dict):
        raise HTTPProblem(422, "the context must be a JSON object keyed by plugin name", field="context")
    for field, value in (("entity", entity), ("context", context), ("params", params)):
        if nested_too_deep(value):  # pydantic and orjson stop near 255 levels: refused here, not a 500
            raise HTTPProblem(422, f"{field}: nested too deep: at most {MAX_DEPTH} levels of arrays and objects",
                              field=field)
    if apply:
        if entity is None:
            raise HTTPProblem(422, "apply=true needs the entity to fix, as an object", field="entity")
        try:
            answer = await run_in_threadpool(_fix, host, entity, context, problem, lang)
        except PatchError as exc:
            raise HTTPProblem(422, f"an automatic patch cannot be applied: {exc}", field="entity") from None
        return Response(dumps(answer), media_type="application/json")
    if not problem:
        raise HTTPProblem(422, "give a problem id, or a diagnosis/finding with its 'problem'", field="problem")
    if problem == "unknown":
        problem = "core.unknown_error"
    plans = await run_in_threadpool(host.remediate, problem, params, entity, context, lang=lang)
    body = b'{"plans":[' + b",".join(p.__pydantic_serializer__.to_json(p, exclude_none=True) for p in plans) + b"]}"
    return Response(body, media_type="application/json")


def _fix(host: Host, entity: dict[str, Any], context: Any, problem: str | None, lang: str) -> dict[str, Any]:
    fixed, applied = host.apply_fixes(entity, context, problem=problem)
    remaining = [f for f in host.validate(fixed, context, lang=lang) if f.severity == "error"]
    return {"entity": fixed.model_dump(mode="json", exclude_none=True), "applied": applied,
            "remaining": [f.model_dump(mode="json") for f in remaining]}
