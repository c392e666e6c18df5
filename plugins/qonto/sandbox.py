"""A fake Qonto Business API v2 over loopback: ``syncdoctor sandbox qonto``.

It accepts the API key ``sandbox:sandbox`` (login ``sandbox``, secret key ``sandbox``) or the
OAuth token ``Bearer sandbox``; anything else gets Qonto's JSON:API 401. Transport faults
(429 with Retry-After, 500, dropped connections, slow answers) are injected by the core
server; ``duplicate-page`` is honoured here: every listing of more than one page serves its
first page twice (as page 1 and again as page 2) and shifts the rest by one, as offset
pagination does when rows move under it. Nothing is lost: a client that de-duplicates by id
gets exactly the same set.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from syncdoctor import Faults, SandboxRequest, SandboxResponse, SandboxServer

from .sandbox_data import SandboxData, build_data
from .window import parse_instant

__all__ = ["API_KEY", "QontoSandbox", "factory"]

API_KEY = "sandbox:sandbox"
BEARER = "Bearer sandbox"
MAX_PER_PAGE = 100


def _error(status: int, code: str, detail: str, **source: str) -> SandboxResponse:
    trace = hashlib.sha1(f"{status}{code}{detail}".encode()).hexdigest()[:16]
    error: dict[str, Any] = {"code": code, "detail": detail}
    if source:
        error["source"] = source
    return SandboxResponse(status, {"errors": [error], "trace_id": trace})


def _int(request: SandboxRequest, name: str, default: int) -> int | SandboxResponse:
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return _error(422, "invalid", f"{name} must be an integer", parameter=name)
    return value


class QontoSandbox:
    """The API's behaviour; :class:`~syncdoctor.SandboxServer` serves it."""

    def __init__(self, data: SandboxData, faults: Faults | None = None) -> None:
        self.data = data
        self.faults = faults or Faults()
        self.routes: dict[str, Callable[[SandboxRequest], SandboxResponse]] = {
            "/v2/organization": self.organization,
            "/v2/transactions": self.transactions,
            "/v2/client_invoices": self.client_invoices,
        }

    def __call__(self, request: SandboxRequest) -> SandboxResponse:
        if request.headers.get("authorization") not in (API_KEY, BEARER):
            return _error(401, "unauthorized", "Invalid authentication credentials")
        if request.method != "GET":
            return _error(405, "method_not_allowed", f"{request.method} is not supported by this sandbox")
        route = self.routes.get(request.path)
        if route is not None:
            return route(request)
        parts = request.path.strip("/").split("/")
        if len(parts) == 4 and parts[:2] == ["v2", "transactions"] and parts[3] == "attachments":
            return self.attachments(request, parts[2])
        return _error(404, "not_found", f"no route {request.path}")

    # -- endpoints

    def organization(self, request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(200, {"organization": self.data.organization})

    def transactions(self, request: SandboxRequest) -> SandboxResponse:
        account = request.arg("bank_account_id") or request.arg("iban")
        if not account:
            return _error(422, "missing_parameter", "bank_account_id or iban is required", parameter="iban")
        known = {a["id"] for a in self.data.organization["bank_accounts"]} | {
            a["iban"] for a in self.data.organization["bank_accounts"]}
        if account not in known:
            return _error(404, "not_found", "bank account not found", parameter="iban")
        rows = list(self.data.transactions)
        statuses = request.query.get("status[]")
        if statuses:
            rows = [t for t in rows if t["status"] in statuses]
        if request.arg("side"):
            rows = [t for t in rows if t["side"] == request.arg("side")]
        kinds = request.query.get("operation_type[]")
        if kinds:
            rows = [t for t in rows if t["operation_type"] in kinds]
        rows = self._between(request, rows, "settled_at", "settled_at_from", "settled_at_to")
        if isinstance(rows, SandboxResponse):
            return rows
        descending = (request.arg("sort_by") or "settled_at:desc") == "settled_at:desc"
        rows.sort(key=lambda t: (t["settled_at"] or t["emitted_at"], t["id"]), reverse=descending)
        return self._page(request, rows, "transactions", "current_page")

    def attachments(self, request: SandboxRequest, transaction_id: str) -> SandboxResponse:
        if not any(t["id"] == transaction_id for t in self.data.transactions):
            return _error(404, "not_found", "transaction not found")
        return self._page(request, self.data.attachments.get(transaction_id, []), "attachments", "page")

    def client_invoices(self, request: SandboxRequest) -> SandboxResponse:
        rows = list(self.data.client_invoices)
        status = request.arg("filter[status]")
        if status:
            rows = [i for i in rows if i["status"] == status]  # 'cancelled' or 'pending' quietly match nothing
        for name in ("created_at", "updated_at"):
            found = self._between(request, rows, name, f"filter[{name}_from]", f"filter[{name}_to]")
            if isinstance(found, SandboxResponse):
                return found
            rows = found
        descending = (request.arg("sort_by") or "created_at:desc") == "created_at:desc"
        rows.sort(key=lambda i: (i["created_at"], i["id"]), reverse=descending)
        return self._page(request, rows, "client_invoices", "current_page")

    # -- helpers

    def _between(self, request: SandboxRequest, rows: list[dict[str, Any]], field: str, low: str,
                 high: str) -> list[dict[str, Any]] | SandboxResponse:
        bounds: list[dt.datetime | None] = []
        for name in (low, high):
            raw = request.arg(name)
            try:
                bounds.append(parse_instant(raw) if raw else None)
            except ValueError:
                return _error(422, "invalid", f"{name} must be an ISO 8601 datetime", parameter=name)
        start, end = bounds
        if start is None and end is None:
            return rows
        out = []
        for row in rows:
            if not row.get(field):
                continue
            when = parse_instant(row[field])
            if (start is None or when >= start) and (end is None or when <= end):  # both bounds inclusive
                out.append(row)
        return out

    def _page(self, request: SandboxRequest, rows: list[dict[str, Any]], key: str, page_param: str) -> SandboxResponse:
        page = _int(request, page_param, 1)
        per_page = _int(request, "per_page", MAX_PER_PAGE)
        if isinstance(page, SandboxResponse):
            return page
        if isinstance(per_page, SandboxResponse):
            return per_page
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            return _error(422, "invalid", f"{page_param} must be >= 1 and per_page between 1 and {MAX_PER_PAGE}")
        pages = [rows[i:i + per_page] for i in range(0, len(rows), per_page)] or [[]]
        if self.faults.duplicate_page and len(pages) > 1:
            pages = [pages[0], *pages]  # page 2 repeats page 1; the rest shift by one
        items = pages[page - 1] if page <= len(pages) else []
        meta = {
            "current_page": page,
            "next_page": page + 1 if page < len(pages) else None,
            "prev_page": page - 1 if page > 1 else None,
            "total_pages": len(pages),
            "total_count": len(rows),
            "per_page": per_page,
        }
        return SandboxResponse(200, {key: items, "meta": meta})


def factory(port: int = 0, faults: str | Faults | None = None, *, anchor: dt.date | None = None) -> SandboxServer:
    """The Qonto sandbox server (not started): ``with factory() as server: server.url``.

    ``faults`` is a comma-separated list (``429,500,drop,duplicate-page,slow``) or a
    :class:`~syncdoctor.Faults` (tests pass ``Faults(..., retry_after=0)``). ``anchor`` is the
    sandbox's "today" (default: today in Paris).
    """
    chosen = faults if isinstance(faults, Faults) else Faults(faults)
    app = QontoSandbox(build_data(anchor), chosen)
    return SandboxServer(app, port=port, faults=chosen, name="qonto")
