"""POST /v1/validate: entities -> findings per entity, streamed as NDJSON, in input order."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from syncdoctor import EntityResult
from syncdoctor.model.jsonio import entity_result_line

from ..deps import HostDep, principal
from ..problems import HTTPProblem, error_responses
from ..schemas import CONTEXT_SCHEMA, ENTITY_SCHEMA, ValidateLine, component, request_body
from ..streaming import NDJSON, BatchLimits, Line, answer_batch, read_json_body, read_lines, request_deadline
from .media import is_ndjson, prime

router = APIRouter(tags=["validate"])

JSON_BODY = {
    "oneOf": [
        {"type": "array", "items": ENTITY_SCHEMA, "description": "entities, no context"},
        {
            "type": "object",
            "required": ["entities"],
            "properties": {"entities": {"type": "array", "items": ENTITY_SCHEMA}, "context": CONTEXT_SCHEMA},
            "additionalProperties": False,
        },
    ]
}
NDJSON_LINE = {
    "oneOf": [
        ENTITY_SCHEMA,
        {"type": "object", "required": ["context"], "properties": {"context": CONTEXT_SCHEMA},
         "additionalProperties": False, "description": "the first line only: the context"},
    ]
}


@router.post(
    "/v1/validate",
    summary="Check entities before sending them",
    description=(
        "The body is a JSON array of entities, a JSON object `{\"entities\": [...], \"context\": {...}}`, "
        "or NDJSON (`application/x-ndjson`), one entity per line, whose first line may be "
        "`{\"context\": {...}}`. The answer is NDJSON, one line per entity in input order: "
        "`{\"entity\": <id, else index>, \"findings\": [...]}`. A bad record answers a "
        "`core.invalid_input` finding naming the record, its line and the field; the rest goes on."
    ),
    response_class=Response,
    responses={
        200: {"description": "one line per entity", "content": {NDJSON: {"schema": component(ValidateLine)}}},
        **error_responses(401, 403, 413, 415, 422, 503),
    },
    openapi_extra=request_body({"application/json": JSON_BODY, NDJSON: NDJSON_LINE}),
    dependencies=[Depends(principal("read"))],
)
async def validate(
    host: HostDep,
    request: Request,
    vendor: str | None = Query(None, max_length=100, description="only this plugin's (or vendor's) rules"),
    lang: Literal["en", "fr"] | None = Query(None, description="language of messages"),
) -> Response:
    settings = request.app.state.settings
    metrics = request.app.state.metrics
    lang = lang or settings.lang
    plugins = None
    if vendor is not None:
        plugin = host.catalog.plugin_for(vendor)
        if plugin is None:
            raise HTTPProblem(422, f"unknown vendor {vendor!r}; known: " + ", ".join(sorted(host.plugins)),
                              field="query.vendor")
        plugins = [plugin]

    raw_context: Any = None
    lines: AsyncIterator[Line]
    if is_ndjson(request):
        lines = read_lines(request, settings.max_batch, header_key="context")
        first = await anext(lines, None)
        if first is not None and first.number == -1:
            raw_context = first.value
        elif first is not None:
            lines = _chain(first, lines)
    else:
        body = await read_json_body(request)
        entities: Any = body
        if isinstance(body, dict):
            unknown = sorted(set(body) - {"entities", "context"})
            if unknown:
                raise HTTPProblem(422, f"unknown field {unknown[0]!r}: expected entities and context",
                                  field=unknown[0])
            entities, raw_context = body.get("entities"), body.get("context")
        if not isinstance(entities, list):
            raise HTTPProblem(422, "expected a JSON array of entities, or {\"entities\": [...], \"context\": "
                              "{...}}", field="entities")
        if len(entities) > settings.max_batch:
            raise HTTPProblem(422, f"the batch holds {len(entities)} records, more than {settings.max_batch} "
                              "(max_batch); split it", record=settings.max_batch)
        lines = _from_list(entities)
    if raw_context is not None and not isinstance(raw_context, dict):
        raise HTTPProblem(422, "the context must be a JSON object keyed by plugin name", field="context")
    context = host.parse_context(raw_context)  # a bad context is a 422 before any entity is read

    def answers(records: Iterator[Any]) -> Iterator[EntityResult]:
        return host.validate_many(records, context, lang=lang, plugins=plugins)

    def render(line: Line, result: EntityResult) -> bytes:
        findings = result.findings
        if line.line and any(f.problem == "core.invalid_input" for f in findings):
            findings = [f.model_copy(update={"params": {**f.params, "line": line.line}})
                        if f.problem == "core.invalid_input" else f for f in findings]
        metrics.count_findings(f.problem for f in findings)
        return entity_result_line(result.entity, findings)  # the command line's encoder, 3x faster

    limits = BatchLimits(settings.chunk_records, request_deadline(request))
    return await prime(answer_batch(request, lines, answers, render, limits))


async def _chain(first: Line, rest: AsyncIterator[Line]) -> AsyncIterator[Line]:
    yield first
    async for line in rest:
        yield line


async def _from_list(entities: list[Any]) -> AsyncIterator[Line]:
    for index, entity in enumerate(entities):
        yield Line(index, 0, entity)
