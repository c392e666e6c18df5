"""The issue list's pages, text filter and counts over a real ledger (SQLite, in-process)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")

from syncdoctor import Host  # noqa: E402
from syncdoctor.console.listing import PAGE_SIZE, Filters, list_issues  # noqa: E402
from syncdoctor.ledger import Database, Ledger  # noqa: E402

MESSAGE = "status must be one of: pending, approved, declined"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = Database(f"sqlite:///{Path(tmp_path_factory.mktemp('listing')) / 'l.db'}")
    db.upgrade()
    ledger = Ledger(db, Host.from_entry_points())
    events = [{"client": f"firm-{n % 3}", "vendor": "qonto", "entity_id": f"tx-{n:03d}", "outcome": "rejected",
               "report": {"message": MESSAGE, "http_status": 422}} for n in range(70)]
    events.append({"client": "other", "vendor": "qonto", "entity_id": "tx-ours", "outcome": "rejected",
                   "report": {"message": MESSAGE, "http_status": 422}})
    for answer in ledger.record_many("acme", events):
        assert not isinstance(answer, Exception), answer
    ledger.record("globex", {"client": "firm-0", "vendor": "qonto", "entity_id": "tx-theirs", "outcome": "rejected",
                             "report": {"message": MESSAGE, "http_status": 422}})
    yield ledger
    db.dispose()


def _newest_first(ledger: Any, **filters: Any) -> list[str]:
    """The entities of the ledger's own list, most recently seen first (the export walks by id)."""
    page = ledger.issues("acme", limit=1000, **filters)
    assert page["next_cursor"] is None
    return [i["entity"] for i in page["items"]]


def _all_pages(ledger: Any, filters: Filters) -> list[list[str]]:
    pages, after, skip = [], None, 0
    for _ in range(20):
        listing = list_issues(ledger, "acme", filters, after, skip)
        pages.append([i["entity"] for i in listing.items])
        if listing.next_after is None:
            return pages
        after, skip = listing.next_after, 0
    raise AssertionError("the pages never end")


def test_pages_cover_every_issue_once_newest_first(ledger: Any) -> None:
    pages = _all_pages(ledger, Filters())
    seen = [entity for page in pages for entity in page]
    assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 21]
    assert len(seen) == len(set(seen)) == 71
    expected = _newest_first(ledger, status="open")
    assert seen == expected  # the ledger's order: most recently seen first
    assert "tx-theirs" not in seen


def test_the_text_filter_pages_through_matches_only(ledger: Any) -> None:
    pages = _all_pages(ledger, Filters(text="TX-0"))  # case-insensitive, any field
    seen = [entity for page in pages for entity in page]
    assert len(seen) == len(set(seen)) == 70 and "tx-ours" not in seen
    assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 20]
    (both,) = _all_pages(ledger, Filters(text="tx-06 firm-0"))  # every word must match
    assert sorted(both) == ["tx-060", "tx-063", "tx-066", "tx-069"]
    assert both == [e for e in _newest_first(ledger, status="open") if e in both]
    assert _all_pages(ledger, Filters(text="nothing-like-this")) == [[]]


def test_counts_by_problem_and_client(ledger: Any) -> None:
    listing = list_issues(ledger, "acme", Filters())
    assert listing.total == 71
    assert dict(listing.by_client) == {"firm-0": 24, "firm-1": 23, "firm-2": 23, "other": 1}
    assert sum(n for _, n in listing.by_problem) == 71
    only = list_issues(ledger, "acme", Filters(client="firm-1"))
    assert dict(only.by_client) == {"firm-1": 23} and only.total == 23


def test_a_cursor_the_ledger_did_not_give_is_refused(ledger: Any) -> None:
    with pytest.raises(ValueError):
        list_issues(ledger, "acme", Filters(), "not-a-cursor", 0)


def test_filters_from_a_query_are_bounded() -> None:
    filters = Filters.from_query({"status": "weird", "client": " c " * 200, "text": "x"})
    assert filters.status == "open" and len(filters.client) <= 200
    assert Filters.from_query({"status": "any"}).ledger_args()["status"] is None


def test_counts_are_the_ledger_s_and_follow_the_text_filter(ledger: Any) -> None:
    listing = list_issues(ledger, "acme", Filters(text="firm-1"))
    assert listing.total == 23 and dict(listing.by_client) == {"firm-1": 23} and listing.next_after is None
    firms = list_issues(ledger, "acme", Filters(text="Firm"))
    assert firms.total == 70 and len(firms.items) == PAGE_SIZE and firms.next_after is not None
    assert list_issues(ledger, "acme", Filters(text="FIRM-1 tx-001")).total == 1  # any case, every word


def test_a_link_with_skip_from_before_still_lands_after_the_skipped_issues(ledger: Any) -> None:
    """``skip`` counted the issues after the cursor before the text filter, as the old scan did."""
    whole = _newest_first(ledger, status="open")
    listing = list_issues(ledger, "acme", Filters(), None, 3)
    assert [i["entity"] for i in listing.items] == whole[3:3 + PAGE_SIZE]
    matching = [e for e in whole if e.startswith("tx-0")]
    after_52 = [e for e in whole[52:] if e.startswith("tx-0")]
    assert [i["entity"] for i in list_issues(ledger, "acme", Filters(text="tx-0"), None, 52).items] == after_52
    assert len(after_52) < len(matching)
    assert list_issues(ledger, "acme", Filters(), None, 500).items == []  # past the end


def test_escalated_issues_on_top(ledger: Any) -> None:
    """The escalated box: live issues only, the same with and without a text filter."""
    report = {"message": MESSAGE, "http_status": 422}
    for n in range(3):
        ledger.record("initech", {"client": "firm-9", "vendor": "qonto", "entity_id": "tx-stuck",
                                  "outcome": "rejected", "report": report, "at": f"2026-12-01T0{n}:00:00Z"})
    ledger.record("initech", {"client": "firm-9", "vendor": "qonto", "entity_id": "tx-once",
                              "outcome": "rejected", "report": report})
    by_ledger = list_issues(ledger, "initech", Filters())
    by_text = list_issues(ledger, "initech", Filters(text="firm-9"))
    assert [i["entity"] for i in by_ledger.escalated] == [i["entity"] for i in by_text.escalated] == ["tx-stuck"]
    assert list_issues(ledger, "initech", Filters(status="any")).escalated == by_ledger.escalated
    assert list_issues(ledger, "initech", Filters(status="resolved")).escalated == []
    assert list_issues(ledger, "initech", Filters(), by_ledger.next_after, 1).escalated == []  # first page only
    assert list_issues(ledger, "acme", Filters()).escalated == []  # another tenant's stay theirs


def test_the_text_filter_ignores_accents_and_a_vendor_takes_its_plugin_s_names(tmp_path: Path) -> None:
    """French support staff type "piece" for "pièce"; the vendor list names plugins (pos_pennylane)
    while the issues keep the name the host sent (pennylane)."""
    db = Database(f"sqlite:///{tmp_path / 'l.db'}")
    db.upgrade()
    host = Host.from_entry_points()
    ledger = Ledger(db, host)
    ledger.record("acme", {"client": "c", "vendor": "quickbooks", "entity_id": "inv-1", "outcome": "rejected",
                           "report": {"message": "Duplicate Document Number Error"}}, lang="fr")
    ledger.record("acme", {"client": "c", "vendor": "pennylane", "entity_id": "day-1", "outcome": "rejected",
                           "report": {"message": "x", "http_status": 429}})
    for text in ("piece", "PIÈCE", "pièce", "numero"):
        assert [i["entity"] for i in list_issues(ledger, "acme", Filters(text=text)).items] == ["inv-1"], text
    aliases = [v for v, plugin in host.catalog.plugin_of_vendor.items() if plugin == "pos_pennylane"]
    assert "pennylane" in aliases
    assert [i["entity"] for i in list_issues(ledger, "acme", Filters(vendor="pos_pennylane"), vendors=aliases).items] \
        == ["connection"]
    assert list_issues(ledger, "acme", Filters(vendor="pos_pennylane")).items == []  # the name alone: as before
    db.dispose()
