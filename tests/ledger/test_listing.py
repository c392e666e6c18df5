"""Listing issues: filters, most recent first, an opaque cursor that never repeats an issue; the
export, a complete walk."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from syncdoctor.ledger.ledger import Ledger

from .helpers import DUPLICATE, EXPIRED, STALE, rejected

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def filled(ledger: Ledger) -> Ledger:
    """25 issues: 3 clients, two problems, one connection issue; some share a last_seen."""
    for n in range(24):
        at = START + timedelta(minutes=n // 2)  # pairs share a time: the id breaks the tie
        message = DUPLICATE if n % 2 else STALE
        ledger.record("t1", {**rejected(entity=f"e{n}", message=message, client=f"c{n % 3}"), "at": at.isoformat()})
    ledger.record("t1", {**rejected(entity="e0", message=EXPIRED, client="c0"), "at": START.isoformat()})
    return ledger


def _all_pages(ledger: Ledger, limit: int, **filters: object) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        page = ledger.issues("t1", limit=limit, cursor=cursor, **filters)  # type: ignore[arg-type]
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        assert pages < 100


def test_pages_cover_every_issue_once_most_recent_first(filled: Ledger) -> None:
    items = _all_pages(filled, limit=4)
    assert len(items) == len({i["id"] for i in items}) == 25
    keys = [(i["last_seen"], i["id"]) for i in items]
    assert keys == sorted(keys, reverse=True)
    assert _all_pages(filled, limit=1000) == items


def test_a_page_that_ends_the_list_has_no_cursor(filled: Ledger) -> None:
    assert filled.issues("t1", limit=25)["next_cursor"] is None
    assert filled.issues("t1", limit=24)["next_cursor"] is not None


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"client": "c1"}, 8),
        ({"problem": "quickbooks.duplicate_document_number"}, 12),
        ({"vendor": "quickbooks"}, 25),
        ({"vendor": "acd"}, 0),
        ({"status": "open"}, 24),
        ({"status": "resolved"}, 1),
        ({"status": ["open", "resolved"]}, 25),
        ({"since": START + timedelta(minutes=10)}, 4),
        ({"client": "c0", "problem": "quickbooks.duplicate_document_number"}, 4),
    ],
)
def test_filters(filled: Ledger, filters: dict, expected: int) -> None:
    first = filled.issues("t1", limit=1)["items"][0]
    filled.act("t1", first["id"], "resolve", actor="k")
    items = _all_pages(filled, limit=3, **filters)
    assert len(items) == expected
    assert filled.counts("t1", **filters)["total"] == expected  # type: ignore[arg-type]  # the same filters, counted
    for key, value in filters.items():
        if key == "since":
            assert all(i["last_seen"] >= value.isoformat().replace("+00:00", "Z") for i in items)
        elif isinstance(value, str):
            assert all(i[key] == value for i in items)


@pytest.mark.parametrize("cursor", ["garbage", "Zm9v", "MjAyNi0xMi0wMVQwODowMDowMA"])
def test_a_cursor_not_given_by_the_service_is_refused(filled: Ledger, cursor: str) -> None:
    with pytest.raises(ValueError, match="cursor"):
        filled.issues("t1", cursor=cursor)


def test_limits_and_naive_times_are_refused(filled: Ledger) -> None:
    with pytest.raises(ValueError, match="limit"):
        filled.issues("t1", limit=0)
    with pytest.raises(ValueError, match="zone"):
        filled.issues("t1", since=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="zone"):
        filled.counts("t1", since=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="top"):
        filled.counts("t1", top=0)


def test_counts_are_the_database_s_group_by(filled: Ledger) -> None:
    """By problem and by client, most frequent first, ties by name; the tenant's issues only."""
    filled.record("t2", rejected(entity="elsewhere", client="c0"))
    counts = filled.counts("t1")
    assert counts["total"] == 25
    assert counts["by_client"] == [{"client": "c0", "issues": 9}, {"client": "c1", "issues": 8},
                                   {"client": "c2", "issues": 8}]
    exported = list(filled.export("t1"))
    by_problem = sorted(Counter(i["problem"] for i in exported).items(), key=lambda x: (-x[1], x[0]))
    assert counts["by_problem"] == [{"problem": p, "issues": n} for p, n in by_problem]
    assert filled.counts("t1", top=1)["by_client"] == [{"client": "c0", "issues": 9}]
    assert filled.counts("t1", client="nobody") == {"total": 0, "by_problem": [], "by_client": []}
    assert filled.counts("t2")["total"] == 1


def test_escalated_issues_are_a_filter(ledger: Ledger) -> None:
    for n in range(3):  # the third consecutive failure of one entity escalates
        ledger.record("t1", {**rejected(entity="stuck"), "at": (START + timedelta(minutes=n)).isoformat()})
    ledger.record("t1", rejected(entity="fine"))
    (stuck,) = ledger.issues("t1", escalated=True)["items"]
    assert stuck["entity"] == "stuck" and stuck["escalated"]
    assert [i["entity"] for i in ledger.issues("t1", escalated=False)["items"]] == ["fine"]
    assert ledger.counts("t1", escalated=True)["total"] == 1 and ledger.counts("t1", escalated=False)["total"] == 1


def test_ties_are_ordered_by_name_byte_by_byte(ledger: Ledger) -> None:
    """Whatever the database's collation: uppercase before lowercase, as SQLite compares."""
    for client in ("beta", "Zulu", "alpha", "Alpha"):
        ledger.record("t1", rejected(entity=f"e-{client}", client=client))
    assert [c["client"] for c in ledger.counts("t1")["by_client"]] == ["Alpha", "Zulu", "alpha", "beta"]


def test_export_yields_every_issue(filled: Ledger) -> None:
    assert len(list(filled.export("t1"))) == 25
    assert len(list(filled.export("t1", client="c2"))) == 8


def test_the_text_filter_looks_in_every_field_in_any_case(ledger: Ledger) -> None:
    ledger.record("t1", rejected(entity="inv-ÉTÉ", client="Société Générale"))
    ledger.record("t1", rejected(entity="e2", message=STALE, client="c_1%"))

    def entities(text: str) -> list[str]:
        return sorted(i["entity"] for i in ledger.export("t1", text=text))

    duplicate = next(i for i in ledger.export("t1") if i["client"] == "Société Générale")
    assert entities("SOCIÉTÉ") == entities("inv-été") == [duplicate["entity"]]  # non-ASCII, any case
    assert entities(duplicate["params"]["doc_number"]) == [duplicate["entity"]]  # a param's value
    assert entities((duplicate["title"] or "").split()[0].upper()) == [duplicate["entity"]]  # the title
    assert entities("c_1%") == ["e2"] and entities("c%1") == [] and entities("c_") == ["e2"]  # % and _ are letters
    assert entities("société stale") == []  # every word
    assert ledger.counts("t1", text="générale")["total"] == 1
    with pytest.raises(ValueError, match="text"):
        ledger.issues("t1", text="word " * 21)


def test_the_text_filter_finds_an_issue_by_words_of_either_language(ledger: Ledger) -> None:
    """Recorded in English, found by French support staff with French words, and the other way."""
    ledger.record("t1", rejected(entity="en-1"), lang="en")
    ledger.record("t1", rejected(entity="fr-1", message=STALE), lang="fr")
    (en,) = [i for i in ledger.export("t1") if i["entity"] == "en-1"]
    (fr,) = [i for i in ledger.export("t1") if i["entity"] == "fr-1"]
    host = ledger.host
    assert host is not None
    en_in_fr = host.catalog.problems[en["problem"]].problem.title.render("fr", en["params"])
    fr_in_en = host.catalog.problems[fr["problem"]].problem.title.render("en", fr["params"])
    assert en_in_fr != en["title"] and fr_in_en != fr["title"]  # stored in one language only
    for title, issue in ((en_in_fr, en), (fr_in_en, fr)):
        # the longest word of the other language's title that no stored field holds
        stored = " ".join(str(v) for v in (issue["title"], issue["client"], issue["category"], issue["vendor"],
                                           *issue["params"].values())).lower()
        word = max((w for w in title.split() if w.lower() not in stored), key=len)
        assert issue["entity"] in [i["entity"] for i in ledger.export("t1", text=word.upper())], word


def test_the_search_text_follows_the_latest_diagnosis(ledger: Ledger) -> None:
    """The upsert of one fingerprint keeps the latest words (a retry's params, a new title)."""
    from syncdoctor.ledger.keys import ensure_tenant
    from syncdoctor.ledger.recording import upsert_issue
    from syncdoctor.ledger.scope import TenantScope

    now = START
    for title, request in (("First words", "req-first"), ("Second words", "req-second")):
        diagnosis = {"problem": "quickbooks.stale_object", "title": title, "params": {"request_id": request}}
        with ledger.db.connect() as conn:
            ensure_tenant(conn, "t1")
            upsert_issue(TenantScope(conn, "t1"), fingerprint="f" * 64, diagnosis=diagnosis, client="c",
                         vendor="quickbooks", entity="e1", at=now, now=now)
    (issue,) = ledger.export("t1", text="second req-second")
    assert issue["title"] == "Second words" and issue["count"] == 2
    assert list(ledger.export("t1", text="first")) == list(ledger.export("t1", text="req-first")) == []


def test_a_walk_never_repeats_and_an_issue_seen_again_moves_to_the_head(ledger: Ledger) -> None:
    """The list is most recently seen first, a moving order: the cursor never repeats an issue,
    lists every issue that was not seen again while paging, and one seen again meanwhile is at
    the head, found by starting over or with ``since`` (docs/ledger.md, Listing)."""
    for n in range(32):
        ledger.record("t1", {**rejected(entity=f"e{n:02}"), "at": (START + timedelta(minutes=n)).isoformat()})
    walk_started = datetime.now(UTC)
    page = ledger.issues("t1", limit=10)
    seen = [i["id"] for i in page["items"]]
    oldest = ledger.record("t1", rejected(entity="e00"))["issues"][0]["id"]  # on the last page
    ledger.record("t1", rejected(entity=page["items"][3]["entity"]))  # listed already
    cursor = page["next_cursor"]
    while cursor:
        page = ledger.issues("t1", limit=10, cursor=cursor)
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 31 and oldest not in seen
    caught_up = [i["id"] for i in ledger.issues("t1", since=walk_started)["items"]]
    assert len(caught_up) == 2 and oldest in caught_up  # the two seen again, at the head
    assert [i["id"] for i in ledger.issues("t1", limit=2)["items"]] == caught_up
    assert set(seen) | set(caught_up) == {i["id"] for i in ledger.export("t1")}


def test_export_is_a_complete_walk_while_issues_are_written(ledger: Ledger) -> None:
    """Every issue there when the export starts, exactly once, however the others change meanwhile
    (the export walks by id, which nothing changes; its pages hold 500 issues)."""
    events = [{**rejected(entity=f"e{n:03}"), "at": (START + timedelta(seconds=n)).isoformat()} for n in range(520)]
    assert all(isinstance(a, dict) for a in ledger.record_many("t1", events))
    before = {i["id"] for i in ledger.export("t1")}
    walk = ledger.export("t1")
    got = [next(walk)["id"] for _ in range(500)]
    for entity in ("e000", "e519", "e250", "new-one"):  # the oldest, the newest, one between, a new issue
        ledger.record("t1", rejected(entity=entity))
    got += [i["id"] for i in walk]
    assert len(got) == len(set(got)) and before <= set(got) and len(before) == 520


def test_a_since_with_no_utc_time_is_refused_by_the_ledger_itself(ledger: Ledger) -> None:
    """Checked where every caller passes (the API, the command line), not by each of them."""
    from datetime import datetime, timedelta, timezone

    no_utc = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=14)))
    with pytest.raises(ValueError, match="no such time in UTC"):
        ledger.issues("t1", since=no_utc)
    with pytest.raises(ValueError, match="no such time in UTC"):
        ledger.counts("t1", since=no_utc)
