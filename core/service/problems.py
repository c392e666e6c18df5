"""Every error answer of the service is an RFC 9457 problem document, written here and only here.

``{"type", "title", "status", "detail", "instance"}`` plus ``record`` (the index of the record
at fault in a batch, or its line) and ``field`` (the field at fault) when one is known. Routes
raise :class:`HTTPProblem`; the handlers installed by :func:`install_handlers` turn it, FastAPI's
request validation errors, HTTP errors and the core's :class:`InputError` into that document.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from syncdoctor import InputError, dumps

__all__ = [
    "PROBLEM_JSON",
    "HTTPProblem",
    "ProblemDetail",
    "error_responses",
    "install_handlers",
    "problem_body",
    "problem_response",
]

log = logging.getLogger("syncdoctor.service")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://syncdoctor.dev/problems/"

# One title per status: the detail says what happened, the title what kind of thing it is.
TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Not allowed for this key's role",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict with the current state",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}
SLUGS = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
    406: "not-acceptable", 409: "conflict", 413: "body-too-large", 415: "unsupported-media-type",
    422: "invalid-input", 429: "too-many-requests", 500: "internal-error", 503: "unavailable",
}


class ProblemDetail(BaseModel):
    """RFC 9457 problem details, with the record and field at fault."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="a URI naming the kind of problem")
    title: str
    status: int
    detail: str
    instance: str | None = Field(default=None, description="the request path and its request id")
    record: int | str | None = Field(default=None, description="index (0-based) or id of the record at fault")
    line: int | None = Field(default=None, description="line (1-based) of the record in an NDJSON body")
    field: str | None = Field(default=None, description="the field at fault, dotted (lines.0.account)")


class HTTPProblem(Exception):
    """Raised by routes and dependencies; answered as a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        record: int | str | None = None,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
        slug: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.record = record
        self.field = field
        self.headers = dict(headers or {})
        self.slug = slug
        self.extra = extra


def problem_body(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    record: int | str | None = None,
    field: str | None = None,
    slug: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + (slug or SLUGS.get(status, "error")),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    if record is not None:
        body["record"] = record
    if field is not None:
        body["field"] = field
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def _instance(request: Request | None) -> str | None:
    if request is None:
        return None
    rid = request.scope.get("state", {}).get("request_id")
    return request.url.path + (f"#request-{rid}" if rid else "")


def problem_response(
    status: int, detail: str, *, request: Request | None = None, headers: Mapping[str, str] | None = None, **kw: Any
) -> Response:
    body = problem_body(status, detail, instance=_instance(request), **kw)
    return Response(dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))


def _loc_field(loc: tuple[Any, ...]) -> str | None:
    # FastAPI prefixes the place ("body", "query", "path", "header"): keep it, it says where.
    parts = [str(p) for p in loc]
    return ".".join(parts) or None


def install_handlers(app: FastAPI) -> None:
    """Answer every error with a problem document (never an HTML page or a traceback)."""

    @app.exception_handler(HTTPProblem)
    async def _problem(request: Request, exc: HTTPProblem) -> Response:
        return problem_response(exc.status, exc.detail, request=request, headers=exc.headers,
                                record=exc.record, field=exc.field, slug=exc.slug, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        field = _loc_field(tuple(first.get("loc", ())))
        more = len(errors) - 1
        detail = f"{field or 'request'}: {first.get('msg')}" + (f" (and {more} more)" if more > 0 else "")
        return problem_response(422, detail, request=request, field=field)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> Response:
        return problem_response(422, str(exc), request=request, record=exc.record, field=exc.field)

    from ..errors import ActionNotAllowed, DatabaseNotCurrent, IssueNotFound, SubscriptionNotFound

    # the ledger's refusals, one status each (another tenant's object is "not found" too)
    ledger_statuses = {IssueNotFound: 404, SubscriptionNotFound: 404, ActionNotAllowed: 409, DatabaseNotCurrent: 503}
    for error_class, status in ledger_statuses.items():

        async def _ledger(request: Request, exc: Exception, status: int = status) -> Response:
            headers = {"Retry-After": "30"} if status == 503 else None
            return problem_response(status, str(exc), request=request, headers=headers)

        app.add_exception_handler(error_class, _ledger)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "error")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no route {request.method} {request.url.path}; see /docs"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return problem_response(exc.status_code, detail, request=request, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        # the traceback goes to the log (with the request id), never to the client
        log.exception(
            "unhandled error", extra={"request_id": request.scope.get("state", {}).get("request_id")})
        return problem_response(500, "the service failed to answer; the log has the details under this "
                                "request id", request=request)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem documents a route may answer."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        out[status] = {
            "description": TITLES.get(status, "Error"),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}},
        }
    return out
