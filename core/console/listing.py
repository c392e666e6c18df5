"""The issue list's filters, pages and counts, over the ledger's public API.

The ledger filters by status, vendor, client and problem, pages with an opaque cursor, newest
first, and counts by problem and by client in the database (:meth:`Ledger.counts`). The console
adds the escalated issues on top (a ledger filter) and a text filter, which looks into each
issue's title and params: with text, the counts are made over the matching issues among the
:data:`SCAN_LIMIT` most recent ones (the page says so when it stops there); without, they are
the ledger's, exact whatever its size.

A console page position is the ledger's cursor of a page plus how many of its issues the page
already showed (``after`` and ``skip`` in the URL): a text filter may stop half-way in a ledger page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PAGE_SIZE", "SCAN_LIMIT", "Filters", "Listing", "list_issues"]

PAGE_SIZE = 25
SCAN_LIMIT = 2_000
_LEDGER_PAGE = 200
STATUSES = ("open", "resolved", "muted", "skipped")
LIVE = ("open", "muted", "skipped")


@dataclass(frozen=True)
class Filters:
    status: str = "open"
    vendor: str = ""
    client: str = ""
    problem: str = ""
    text: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Filters:
        status = query.get("status", "open")
        if status not in (*STATUSES, "any"):
            status = "open"
        return cls(status=status, vendor=query.get("vendor", "").strip()[:100],
                   client=query.get("client", "").strip()[:200], problem=query.get("problem", "").strip()[:200],
                   text=query.get("text", "").strip()[:200])

    def ledger_args(self) -> dict[str, Any]:
        return {"status": None if self.status == "any" else self.status, "vendor": self.vendor or None,
                "client": self.client or None, "problem": self.problem or None}

    def query(self, **changes: str) -> dict[str, str]:
        """The filters as URL parameters (with ``changes``), for links that keep them."""
        values = {"status": self.status, "vendor": self.vendor, "client": self.client,
                  "problem": self.problem, "text": self.text, **changes}
        return {k: v for k, v in values.items() if v}

    def matches(self, issue: Mapping[str, Any]) -> bool:
        if not self.text:
            return True
        words = self.text.lower().split()
        params = issue.get("params") or {}
        haystack = " ".join(str(v) for v in (
            issue.get("title"), issue.get("problem"), issue.get("client"), issue.get("entity"),
            issue.get("vendor"), issue.get("category"), *params.values(),
        ) if v is not None).lower()
        return all(w in haystack for w in words)


@dataclass
class Listing:
    items: list[dict[str, Any]]
    next_after: str | None
    next_skip: int
    escalated: list[dict[str, Any]] = field(default_factory=list)
    by_problem: list[tuple[str, int]] = field(default_factory=list)
    by_client: list[tuple[str, int]] = field(default_factory=list)
    total: int = 0
    scanned: int = 0
    capped: bool = False


def _page(ledger: Any, tenant: str, filters: Filters, after: str | None, skip: int) -> tuple[list[dict[str, Any]], str | None, int]:
    """Up to PAGE_SIZE matching issues from position (after, skip), and the next position."""
    found: list[dict[str, Any]] = []
    cursor, start, scanned = after or None, skip, 0
    # without a text filter a console page is a ledger page: positions are the ledger's cursors
    size = _LEDGER_PAGE if filters.text else PAGE_SIZE
    while scanned < SCAN_LIMIT:
        page = ledger.issues(tenant, limit=size, cursor=cursor, **filters.ledger_args())
        items = page["items"]
        for n in range(start, len(items)):
            scanned += 1
            if filters.matches(items[n]):
                found.append(items[n])
                if len(found) == PAGE_SIZE:
                    more = n + 1 < len(items) or page["next_cursor"] is not None
                    if not more:
                        return found, None, 0
                    return (found, cursor or "", n + 1) if n + 1 < len(items) else (found, page["next_cursor"], 0)
        if page["next_cursor"] is None:
            return found, None, 0
        cursor, start = page["next_cursor"], 0
    return found, cursor, 0  # scanned enough for one request: the next page goes on from here


def _scan(ledger: Any, tenant: str, filters: Filters) -> Iterator[dict[str, Any]]:
    for n, issue in enumerate(ledger.export(tenant, **filters.ledger_args())):
        if n >= SCAN_LIMIT:
            return
        yield issue


def list_issues(ledger: Any, tenant: str, filters: Filters, after: str | None = None, skip: int = 0) -> Listing:
    """One page of the tenant's issues with the counts and the escalated ones (first page only).

    Raises ValueError for a cursor the ledger did not give."""
    items, next_after, next_skip = _page(ledger, tenant, filters, after, skip)
    listing = Listing(items, next_after, next_skip)
    if filters.text:
        _count_scanned(listing, ledger, tenant, filters, first_page=not after and not skip)
        return listing
    counts = ledger.counts(tenant, **filters.ledger_args(), top=15)
    listing.total = listing.scanned = counts["total"]
    listing.by_problem = [(c["problem"], c["issues"]) for c in counts["by_problem"]]
    listing.by_client = [(c["client"], c["issues"]) for c in counts["by_client"]]
    live = LIVE if filters.status == "any" else [s for s in LIVE if s == filters.status]
    if not after and not skip and live:
        args = {**filters.ledger_args(), "status": live}
        listing.escalated = ledger.issues(tenant, **args, escalated=True, limit=10)["items"]
    return listing


def _count_scanned(listing: Listing, ledger: Any, tenant: str, filters: Filters, first_page: bool) -> None:
    """Counts and escalated issues of a text filter, over the most recent SCAN_LIMIT issues."""
    problems: Counter[str] = Counter()
    clients: Counter[str] = Counter()
    scanned = 0
    for issue in _scan(ledger, tenant, filters):
        scanned += 1
        if not filters.matches(issue):
            continue
        listing.total += 1
        problems[issue["problem"]] += 1
        clients[issue["client"]] += 1
        if first_page and issue.get("escalated") and issue["status"] in LIVE and len(listing.escalated) < 10:
            listing.escalated.append(issue)
    listing.scanned = scanned
    listing.capped = scanned >= SCAN_LIMIT
    listing.by_problem = problems.most_common(15)
    listing.by_client = clients.most_common(15)
