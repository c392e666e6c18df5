"""The issue list's filters, pages and counts, over the ledger's public API.

The ledger does every part: it filters by status, vendor, client, problem and text (each word
in any field, :meth:`Ledger.issues`), pages with an opaque cursor, newest first, counts by
problem and by client (:meth:`Ledger.counts`, GROUP BY) and finds the escalated issues. The
console adds nothing that reads more than a page: its counts are exact whatever the ledger's size.

A console page position is the ledger's cursor (``after`` in the URL). Links made before the
ledger took the text filter may carry ``skip``: the number of issues after the cursor that the
page already went past, counted before the text filter (as the console's scan counted them);
it is still honoured.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PAGE_SIZE", "Filters", "Listing", "list_issues"]

PAGE_SIZE = 25
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
                   text=" ".join(query.get("text", "").split()[:20])[:200])

    def ledger_args(self) -> dict[str, Any]:
        return {"status": None if self.status == "any" else self.status, "vendor": self.vendor or None,
                "client": self.client or None, "problem": self.problem or None, "text": self.text or None}

    def query(self, **changes: str) -> dict[str, str]:
        """The filters as URL parameters (with ``changes``), for links that keep them."""
        values = {"status": self.status, "vendor": self.vendor, "client": self.client,
                  "problem": self.problem, "text": self.text, **changes}
        return {k: v for k, v in values.items() if v}


@dataclass
class Listing:
    items: list[dict[str, Any]]
    next_after: str | None
    escalated: list[dict[str, Any]] = field(default_factory=list)
    by_problem: list[tuple[str, int]] = field(default_factory=list)
    by_client: list[tuple[str, int]] = field(default_factory=list)
    total: int = 0


def list_issues(ledger: Any, tenant: str, filters: Filters, after: str | None = None, skip: int = 0,
                vendors: Sequence[str] = ()) -> Listing:
    """One page of the tenant's issues with the counts and the escalated ones (first page only).
    ``vendors``: the names the chosen vendor's plugin answers to (issues keep the one recorded).

    Raises ValueError for a cursor the ledger did not give."""
    args = filters.ledger_args()
    if filters.vendor and vendors:
        args["vendor"] = sorted({filters.vendor, *vendors})
    cursor = after or None
    if skip > 0:  # an old link: pass that many issues after the cursor, whatever the text
        cursor = ledger.issues(tenant, limit=min(skip, 1000), cursor=cursor, **{**args, "text": None})["next_cursor"]
    if skip > 0 and cursor is None:  # the skipped issues ended the list
        listing = Listing([], None)
    else:
        page = ledger.issues(tenant, limit=PAGE_SIZE, cursor=cursor, **args)
        listing = Listing(page["items"], page["next_cursor"])
    counts = ledger.counts(tenant, **args, top=15)
    listing.total = counts["total"]
    listing.by_problem = [(c["problem"], c["issues"]) for c in counts["by_problem"]]
    listing.by_client = [(c["client"], c["issues"]) for c in counts["by_client"]]
    live = LIVE if filters.status == "any" else [s for s in LIVE if s == filters.status]
    if not after and not skip and live:
        listing.escalated = ledger.issues(tenant, **{**args, "status": live}, escalated=True, limit=10)["items"]
    return listing
