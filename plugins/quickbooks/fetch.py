"""``syncdoctor fetch quickbooks``: the company's invoices, payments and customers.

Reads ``GET /v3/company/{realmId}/query?query=select * from Invoice STARTPOSITION n
MAXRESULTS m`` page by page (1000 rows at most per page, QuickBooks' maximum) with an OAuth
bearer token, through the core's VendorClient (429 backoff honouring Retry-After, 5xx and
dropped connections retried). Customers and items are read with their inactive ("deleted")
ones, which the customer checks need. A page that repeats rows of the previous one (rows
inserted while paging) is de-duplicated by Id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from syncdoctor import (
    EntityBase,
    ErrorReport,
    FetchResult,
    InputError,
    VendorAuthError,
    VendorError,
)
from syncdoctor.vendors.limits import Limits

from .client import MINOR_VERSION, answer, make_client, quote, secret
from .faults import split_faults
from .mapping import from_qbo

if TYPE_CHECKING:
    from syncdoctor import VendorClient

__all__ = ["ENTITIES", "MAX_RESULTS", "fetch", "query_pages"]

MAX_RESULTS = 1000

# option value -> (QuickBooks resource, extra condition)
ENTITIES: dict[str, tuple[str, str | None]] = {
    "invoice": ("Invoice", None),
    "payment": ("Payment", None),
    "customer": ("Customer", "Active IN (true, false)"),
    "item": ("Item", "Active IN (true, false)"),
}


def _entities(value: Any) -> list[str]:
    names = value if isinstance(value, (list, tuple)) else str(value or "invoice,payment,customer").split(",")
    out = [n.strip().lower() for n in names if n and n.strip()]
    unknown = [n for n in out if n not in ENTITIES]
    if unknown:
        raise InputError(None, "entities", f"unknown {', '.join(unknown)}; choose from {', '.join(ENTITIES)}")
    return out


def _rows(body: dict[str, Any], resource: str) -> list[dict[str, Any]]:
    """The rows of a query answer. QuickBooks leaves the resource out when nothing matched;
    anything but a list of objects there is an error, never "no rows" (which would move the
    saved state past rows never read)."""
    response = body.get("QueryResponse")
    if response is None:
        response = {}
    if not isinstance(response, dict):
        raise VendorError("quickbooks", f"QueryResponse is a {type(response).__name__}, not an object")
    rows = response.get(resource, [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise VendorError("quickbooks", f"QueryResponse.{resource} is not a list of objects; the state was not moved")
    return rows


def query_pages(
    client: VendorClient, realm_id: str, resource: str, where: list[str], page_size: int, start: int = 1,
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(start position, rows) of each page of one query until a short page; rows already on
    the previous page are dropped."""
    previous: set[str] = set()
    clause = f" where {' and '.join(where)}" if where else ""
    while True:
        query = f"select * from {resource}{clause} STARTPOSITION {start} MAXRESULTS {page_size}"
        status, body = answer(client, "GET", f"/v3/company/{realm_id}/query",
                              params={"query": query, "minorversion": MINOR_VERSION})
        if not isinstance(body, dict):
            error = VendorAuthError if status in (401, 403) else VendorError
            raise error("quickbooks", f"the query endpoint did not answer JSON: {str(body)[:120]}", status)
        report = ErrorReport(vendor="quickbooks", payload=body, http_status=status)
        faults = split_faults(report)
        if faults != [report] or status >= 400:  # a Fault, even inside an HTTP 200
            message = faults[0].message or f"query refused: {str(body)[:160]}"
            error = VendorAuthError if status in (401, 403) else VendorError
            raise error("quickbooks", message, status, faults[0].code)
        rows = _rows(body, resource)
        ids = {str(r.get("Id")) for r in rows}
        yield start, [r for r in rows if str(r.get("Id")) not in previous]
        if len(rows) < page_size:
            return
        previous = ids
        start += page_size


def fetch(options: Mapping[str, Any]) -> FetchResult:
    """Options: ``realm_id``, ``token`` (SecretStr), ``base_url``, ``entities``, ``since`` /
    ``until`` (ISO times, on MetaData.LastUpdatedTime), ``state`` (a previous fetch's),
    ``page_size``, and for tests ``transport``/``retry``."""
    realm_id = str(options.get("realm_id") or options.get("realm-id") or "").strip()
    if not realm_id:
        raise InputError(None, "realm_id", "is required (--realm-id or QBO_REALM_ID)")
    kinds = _entities(options.get("entities"))
    page_size = int(options.get("page_size") or MAX_RESULTS)
    if not 1 <= page_size <= MAX_RESULTS:
        raise InputError(None, "page_size", f"must be between 1 and {MAX_RESULTS} (QuickBooks' maximum)")
    state = dict(options.get("state") or {})
    # Resuming keeps the boundary (>=): a row updated in the same second as the last one
    # seen is read again rather than lost; entities carry qbo_id and sync_token to dedupe.
    # A fetch that was interrupted left "resume": the same window, continued from the kind,
    # the page and the rows of that page already delivered.
    resume = state.get("resume") if isinstance(state.get("resume"), dict) else None
    if options.get("since") or options.get("until") or (resume and resume.get("kinds") != kinds):
        resume = None  # an explicit window starts afresh
    since = (resume or {}).get("since") or options.get("since") or state.get("since")
    until = (resume or {}).get("until") or options.get("until")
    token = secret(options.get("token"), "token")  # refused now, not at the first page
    limits = Limits.from_options(options)

    def items() -> Iterator[EntityBase]:
        # a refusal's Fault is read from VendorError.body (client.answer): the error says what QuickBooks said
        client = make_client(options.get("base_url"), token, transport=options.get("transport"),
                             retry=options.get("retry"), limits=limits)
        newest = str((resume or {}).get("newest") or since or "")
        counts = {kind: 0 for kind in kinds}
        first = kinds.index(resume["kind"]) if resume and resume.get("kind") in kinds else 0
        try:
            for position, kind in enumerate(kinds[first:], first):
                resource, condition = ENTITIES[kind]
                where = [c for c in (
                    condition,
                    f"MetaData.LastUpdatedTime >= {quote(str(since))}" if since else None,
                    f"MetaData.LastUpdatedTime <= {quote(str(until))}" if until else None,
                ) if c]
                resumed = resume is not None and position == first
                start = int(resume.get("start") or 1) if resumed and resume else 1
                done = {str(i) for i in (resume or {}).get("ids") or []} if resumed else set()
                for page_start, page in query_pages(client, realm_id, resource, where, page_size, start):
                    delivered = sorted(done) if page_start == start else []
                    for row in page:
                        if str(row.get("Id")) in done and page_start == start:
                            continue
                        try:
                            entity = from_qbo(resource, row)
                        except (ValueError, TypeError, AttributeError, KeyError, ArithmeticError) as exc:
                            detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
                            raise VendorError("quickbooks", f"{resource} {str(row.get('Id'))[:40]!r} cannot be read: "
                                              f"{detail}") from None
                        updated = (row.get("MetaData") or {}).get("LastUpdatedTime") if isinstance(
                            row.get("MetaData"), dict) else None
                        newest = max(newest, str(updated or ""))
                        counts[kind] += 1
                        delivered.append(str(row.get("Id")))
                        # set before the yield: a host that saves it after writing this entity resumes after it
                        result.state = {**{k: v for k, v in state.items() if k != "resume"}, "resume": {
                            "kinds": kinds, "kind": kind, "since": since, "until": until, "start": page_start,
                            "ids": delivered, "newest": newest}}
                        yield entity
            final = {k: v for k, v in state.items() if k != "resume"}
            if newest:
                final["since"] = newest
            result.state = final
        finally:
            client.close()
            result.stats = {**counts, **{k: v for k, v in client.stats.items() if v}}

    result = FetchResult(items(), state=state)  # items() runs only when iterated, after this line
    return result
