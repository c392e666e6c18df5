"""``syncdoctor sandbox quickbooks``: a fake QuickBooks Online API over loopback.

Serves one company (realm ``9130357766900456``, see :mod:`.sandbox_company`):

* ``GET /v3/company/{realm}/query?query=select * from Invoice [where ...] STARTPOSITION n
  MAXRESULTS m`` (Invoice, Payment, Customer, Item, Account, Vendor, Employee,
  PaymentMethod, Purchase; ``count(*)``; at most 1000 rows; inactive rows only when the
  where clause names ``Active``);
* ``GET /v3/company/{realm}/{resource}/{id}``;
* ``POST /v3/company/{realm}/{invoice|payment|item|customer|purchase|paymentmethod}``
  (create, or update with ``Id`` + ``SyncToken``) and ``POST .../batch`` (30 items at most),
  answered with QuickBooks' Fault documents (:mod:`.sandbox_writes`); a repeated
  ``requestid`` gets the first answer again, as QuickBooks does.

Any bearer token is accepted, except tokens starting with ``expired`` or ``revoked``,
which get QuickBooks' 401 (lowercase SDK form). Another realm gets 403 (code 3100).
With the ``duplicate-page`` fault, every page after the first starts one page back
(the previous page's rows are served again), as when rows are inserted while paging.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

from syncdoctor import Faults, SandboxRequest, SandboxResponse, SandboxServer

from .sandbox_company import Company, seed_company
from .sandbox_writes import WRITERS, Rejection, error, write

__all__ = ["SANDBOX_TOKEN", "QuickBooksSandbox", "make_sandbox"]

SANDBOX_TOKEN = "sandbox-token"
_MAX_RESULTS = 1000
_MAX_BATCH = 30
_RESOURCES = ("Invoice", "Payment", "Customer", "Item", "Account", "Vendor", "Employee", "PaymentMethod", "Purchase")
_NAME_LISTS = {"Customer", "Item", "Account", "Vendor", "Employee", "PaymentMethod"}
_QUERY = re.compile(
    r"^\s*select\s+(?P<what>\*|count\(\*\))\s+from\s+(?P<resource>\w+)"
    r"(?:\s+where\s+(?P<where>.+?))?(?:\s+orderby\s+(?P<order>[\w.]+(?:\s+(?:asc|desc))?))?"
    r"(?:\s+startposition\s+(?P<start>\d+))?(?:\s+maxresults\s+(?P<max>\d+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_CONDITION = re.compile(
    r"\s*(?P<field>[\w.]+)\s*(?:(?P<op>>=|<=|!=|=|>|<|\blike\b)\s*(?P<value>'(?:[^'\\]|\\.)*'|[\w.:+-]+)"
    r"|\s+in\s*\((?P<values>[^)]*)\))\s*",
    re.IGNORECASE,
)


_NUMBER = re.compile(r'"\\u0000(-?[0-9.E+-]+)"')  # the escaped NUL json.dumps writes


def _json(body: Any) -> str:
    """QuickBooks sends amounts as JSON numbers: Decimals are written as exact numbers
    (the encoder only knows floats, so they go through a marked string first)."""
    def default(obj: Any) -> Any:
        if isinstance(obj, Decimal):
            return "\u0000" + str(obj)
        raise TypeError(type(obj).__name__)
    return _NUMBER.sub(r"\1", json.dumps(body, default=default))


def _answer(status: int, body: Any) -> SandboxResponse:
    return SandboxResponse(status, _json(body), {"Content-Type": "application/json"})


def _now() -> str:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=-8))).isoformat(timespec="milliseconds")


def _fault(errors: list[dict[str, str]], fault_type: str, status: int) -> SandboxResponse:
    return _answer(status, {"Fault": {"Error": errors, "type": fault_type}, "time": _now()})


def _literal(text: str) -> Any:
    text = text.strip()
    if text.startswith("'"):
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _field(row: dict[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, dict) and "value" in value:  # CustomerRef = '58' compares the id
        value = value["value"]
    return value


def _compare(left: Any, op: str, right: Any) -> bool:
    if isinstance(right, bool) or isinstance(left, bool):
        return op == "=" and left == right or op == "!=" and left != right
    a, b = str(left if left is not None else ""), str(right)
    try:
        x, y = Decimal(a), Decimal(b)
    except ArithmeticError:
        x, y = a, b  # type: ignore[assignment]
    if op.lower() == "like":
        return re.fullmatch(re.escape(b).replace("%", ".*"), a, re.IGNORECASE) is not None
    return {"=": x == y, "!=": x != y, ">": x > y, "<": x < y, ">=": x >= y, "<=": x <= y}[op]


def parse_where(text: str) -> list[tuple[str, str, Any]]:
    """``a = 'x' AND b IN (1, 2)`` -> [(field, op, value)]; ValueError when it is not that."""
    out = []
    for part in re.split(r"\s+and\s+", text, flags=re.IGNORECASE):
        m = _CONDITION.fullmatch(part)
        if m is None:
            raise ValueError(part)
        if m.group("values") is not None:
            values = [_literal(v) for v in re.findall(r"'(?:[^'\\]|\\.)*'|[^,\s]+", m.group("values"))]
            out.append((m.group("field"), "in", values))
        else:
            out.append((m.group("field"), m.group("op"), _literal(m.group("value"))))
    return out


class QuickBooksSandbox:
    """The app: routes requests to the company's state."""

    def __init__(self, faults: Faults, company: Company | None = None) -> None:
        self.faults = faults
        self.company = company or seed_company()

    def __call__(self, request: SandboxRequest) -> SandboxResponse:
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if not token or token.startswith(("expired", "revoked")):
            detail = "Token revoked" if token.startswith("revoked") else ("Token expired" if token else "Token missing")
            return _answer(401, {"warnings": None, "intuitObject": None, "fault": {"error": [{
                "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                "detail": f"{detail}: {token[:8]}...", "code": "3200", "element": None}], "type": "AUTHENTICATION"},
                "report": None, "queryResponse": None, "batchItemResponse": [], "time": _now()})
        m = re.fullmatch(r"/v3/company/([^/]+)/(\w+)(?:/([^/]+))?", request.path)
        if m is None:
            return _fault([error("500", "Unsupported Operation", f"Operation {request.path} is not supported.")],
                          "ValidationFault", 400)
        realm, segment, entity_id = m.groups()
        if realm != self.company.realm_id:
            return _fault([error("3100", "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403", "")],
                          "AuthorizationFault", 403)
        segment = segment.lower()
        if request.method == "GET" and segment == "query":
            return self.query(request.arg("query") or "")
        if request.method == "GET" and entity_id:
            return self.read(segment, entity_id)
        if request.method == "POST" and (segment in WRITERS or segment == "batch"):
            key = request.arg("requestid")
            if key and key in self.company.request_ids:
                return _answer(*self.company.request_ids[key])
            status, body = self.batch(request) if segment == "batch" else self.write(segment, request)
            if key:
                self.company.request_ids[key] = (status, body)
            return _answer(status, body)
        return _fault([error("500", "Unsupported Operation", f"{request.method} {segment} is not supported.")],
                      "ValidationFault", 400)

    # -- reading

    def query(self, text: str) -> SandboxResponse:
        m = _QUERY.match(text)
        resource = next((r for r in _RESOURCES if m and r.lower() == m.group("resource").lower()), None)
        if m is None or resource is None:
            return _fault([error("4000", "Error parsing query", f"QueryParserError: Encountered an error parsing: {text[:80]}")],
                          "ValidationFault", 400)
        try:
            where = parse_where(m.group("where")) if m.group("where") else []
        except ValueError as exc:
            return _fault([error("4000", "Error parsing query", f"QueryParserError: Invalid condition: {exc}")],
                          "ValidationFault", 400)
        maximum = int(m.group("max") or _MAX_RESULTS)
        if maximum > _MAX_RESULTS:
            return _fault([error("4001", "Invalid query", f"QueryValidationError: value {maximum} for MAXRESULTS "
                                 f"exceeds the maximum allowed value of {_MAX_RESULTS}")], "ValidationFault", 400)
        rows = self.company.rows(resource)
        if resource in _NAME_LISTS and not any(f.lower() == "active" for f, _, _ in where):
            rows = [r for r in rows if r.get("Active", True)]
        for path, op, value in where:
            if op == "in":
                rows = [r for r in rows if any(_compare(_field(r, path), "=", v) for v in value)]
            else:
                rows = [r for r in rows if _compare(_field(r, path), op, value)]
        if m.group("what").lower() != "*":
            return _answer(200, {"QueryResponse": {"totalCount": len(rows)}, "time": _now()})
        start = max(1, int(m.group("start") or 1))
        offset = start - 1
        if self.faults.duplicate_page and start > 1:
            offset = max(0, offset - maximum)  # the previous page's rows again
        page = rows[offset: offset + maximum]
        answer: dict[str, Any] = {"startPosition": start, "maxResults": len(page)}
        if page:
            answer[resource] = page
        return _answer(200, {"QueryResponse": answer, "time": _now()})

    def read(self, segment: str, entity_id: str) -> SandboxResponse:
        resource = next((r for r in _RESOURCES if r.lower() == segment), None)
        row = self.company.find(resource, entity_id) if resource else None
        if resource is None or row is None:
            return _fault([error("610", "Object Not Found", "Object Not Found : Something you're trying to use has "
                                 "been made inactive. Check the fields with accounts.")], "ValidationFault", 400)
        return _answer(200, {resource: row, "time": _now()})

    # -- writing

    def write(self, segment: str, request: SandboxRequest) -> tuple[int, Any]:
        try:
            body = request.json()
            resource, stored = write(self.company, segment, body, _now())
        except Rejection as exc:
            return exc.status, {"Fault": {"Error": exc.errors, "type": exc.fault_type}, "time": _now()}
        except ValueError:
            return 400, {"Fault": {"Error": [error("2010", "Request has invalid or unsupported property",
                                                   "The request body is not JSON")], "type": "ValidationFault"}}
        return 200, {resource: stored, "time": _now()}

    def batch(self, request: SandboxRequest) -> tuple[int, Any]:
        try:
            items = (request.json() or {}).get("BatchItemRequest") or []
        except (ValueError, AttributeError):
            items = None
        if not isinstance(items, list) or not items:
            return 400, {"Fault": {"Error": [_missing_batch()], "type": "ValidationFault"}, "time": _now()}
        if len(items) > _MAX_BATCH:
            return 400, {"Fault": {"Error": [error("1040", "Batch size exceeds allowed limit",
                                                   f"Batch size {len(items)} exceeds the maximum of {_MAX_BATCH}")],
                                   "type": "ValidationFault"}, "time": _now()}
        answers = []
        for item in items:
            bid = str(item.get("bId"))
            found = next(((seg, res) for seg, (res, _) in WRITERS.items() if res in item), None)
            if found is None:
                answers.append({"bId": bid, "Fault": {"Error": [_missing_batch()], "type": "ValidationFault"}})
                continue
            segment, resource = found
            try:
                _, stored = write(self.company, segment, item[resource], _now())
            except Rejection as exc:
                answers.append({"bId": bid, "Fault": {"Error": exc.errors, "type": exc.fault_type}})
                continue
            answers.append({"bId": bid, resource: stored})
        return 200, {"BatchItemResponse": answers, "time": _now()}


def _missing_batch() -> dict[str, str]:
    return error("2020", "Required param missing, need to supply the required value for the API",
                 "Required parameter BatchItemRequest is missing in the request", "BatchItemRequest")


def make_sandbox(port: int = 0, faults: str | Faults | None = None) -> SandboxServer:
    """The QuickBooks sandbox server (not started). ``faults``: e.g. ``"429,duplicate-page"``."""
    injected = faults if isinstance(faults, Faults) else Faults(faults)
    return SandboxServer(QuickBooksSandbox(injected), port=port, faults=injected, name="quickbooks")
