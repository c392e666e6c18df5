"""End to end over loopback: fetch closed days from the POS sandbox, build and validate the
daily Pennylane entries, and diagnose a missing day for each of its three reasons."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from syncdoctor import Host, JournalEntry, PosOrder, RetryPolicy, SandboxServer, dumps, loads

START = "2026-09-01"
MAPPING = {
    "journal": "VT",
    "payment_methods": {"CASH": "530000", "CARD": "511200", "TR": "511300"},
    "vat_rates": {"5.5": "445711", "10": "445712", "20": "445710"},
    "sales": "706000",
    "tips": "428600",
}


@pytest.fixture(scope="module")
def host() -> Host:
    return Host.from_entry_points(names=["pos_pennylane"], strict=True)


@pytest.fixture(scope="module")
def server(host: Host) -> Iterator[SandboxServer]:
    factory = host.sandboxes()["pos"]
    with factory(port=0, faults="429,500,drop,duplicate-page") as started:
        yield started


@pytest.fixture(scope="module")
def fetched(host: Host, server: SandboxServer) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """What `syncdoctor fetch pos` writes: JSONL pos_order records, plus the fetch state."""
    from syncdoctor_pos_pennylane.sandbox import SANDBOX_LOCATION, SANDBOX_TOKEN

    result = host.fetch("pos", {
        "base_url": server.url, "token": SANDBOX_TOKEN, "business_location_id": SANDBOX_LOCATION,
        "since": "2026-08-30", "until": "2026-09-03", "start_date": START, "page_size": 4,
        "retry": RetryPolicy(backoff=0.001, max_wait=0.01),
    })
    jsonl = "\n".join(dumps(o.model_dump(mode="json", exclude_none=True)) for o in result)
    return [loads(line) for line in jsonl.splitlines()], result.state


def _context(state: dict[str, Any], tolerance: str = "0.05") -> dict[str, Any]:
    return {"pos_pennylane": {
        "consumer_id": "c-42", "start_date": START, "tolerance": tolerance,
        "accounting_connection": {"tool": "pennylane", "status": "active"},
        "pos_connection": {"tool": "lightspeed", "status": "active"},
        "mappings_complete": True, "sync_status": "enabled", "last_execution": "2026-09-03T06:00:00+02:00",
        "executions": [{"id": "ex-42", "status": "error", "started_at": "2026-09-03T06:00:00+02:00",
                        "days": [{"date": "2026-09-01", "result": "success"},
                                 {"date": "2026-09-02", "result": "error",
                                  "errors": [{"message": "The sum of all lines does not match for order A1301"}]}]}],
        "open_days": state["open_days"], "account_mapping": MAPPING,
    }}


def test_only_closed_days_since_the_start_date_are_fetched(fetched: tuple[list[dict[str, Any]], Any]) -> None:
    records, state = fetched
    assert all(r["kind"] == "pos_order" for r in records)
    assert sorted({r["business_day"] for r in records}) == ["2026-09-01", "2026-09-02"]
    assert len({r["id"] for r in records}) == len(records) == 13
    assert state["open_days"] == ["2026-09-03"] and state["next_since"] == "2026-09-03"


def test_daily_entries_are_built_and_validated(host: Host, fetched: tuple[list[dict[str, Any]], Any]) -> None:
    records, state = fetched
    context = _context(state)
    daily_entry = host.tool("pos_pennylane.daily_entry")
    assert daily_entry is not None
    by_day: dict[str, list[PosOrder]] = defaultdict(list)
    flagged: list[tuple[str | int, str]] = []
    for result in host.validate_many(records, context):
        flagged += [(result.entity, f.problem) for f in result.findings]
        assert isinstance(result.parsed, PosOrder)
        by_day[str(result.parsed.business_day)].append(result.parsed)
    assert flagged == [("A1301", "pos_pennylane.lines_total_mismatch")]

    entries: dict[str, JournalEntry] = {day: daily_entry(orders, dt.date.fromisoformat(day), context)
                                        for day, orders in by_day.items()}
    for day, entry in entries.items():
        debit = sum((ln.debit for ln in entry.lines), Decimal(0))
        assert debit == sum((ln.credit for ln in entry.lines), Decimal(0))
        paid = sum((o.total for o in by_day[day]), Decimal(0))
        assert debit == paid.quantize(Decimal("0.01"))
        assert all(ln.account for ln in entry.lines)
    assert host.validate(entries["2026-09-01"], context) == []
    # the unrecorded tip of A1301 surfaces in the entry of 2 September as a gap, not as a cent of rounding
    (gap,) = host.validate(entries["2026-09-02"], context)
    assert gap.problem == "pos_pennylane.daily_entry_gap" and gap.params["remainder"] == Decimal("2.30")

    # once the client confirms the tip, the order is patched and the day's entry is clean
    order = next(o for o in by_day["2026-09-02"] if o.id == "A1301")
    (plan,) = host.remediate("pos_pennylane.lines_total_mismatch", entity=order, context=context)
    assert plan.steps[0].confirm and plan.steps[0].patch == [{"op": "replace", "path": "/tip", "value": "2.30"}]
    from syncdoctor import apply_patch

    fixed = host.parse_entity(apply_patch(order.model_dump(mode="json"), plan.steps[0].patch))
    assert host.validate(fixed, context) == []
    day_orders = [fixed if o.id == "A1301" else o for o in by_day["2026-09-02"]]
    clean = daily_entry(day_orders, dt.date(2026, 9, 2), context)
    assert host.validate(clean, context) == []
    tips = next(ln for ln in clean.lines if (ln.model_extra or {}).get("mapping") == "tips")
    assert tips.credit == Decimal("5.30")  # 3.00 recorded + 2.30 confirmed

    # the entry from the JSONL records equals the entry from the models
    raw = [r for r in records if r["business_day"] == "2026-09-01"]
    assert daily_entry(raw, dt.date(2026, 9, 1), context).model_dump(mode="json") == \
        entries["2026-09-01"].model_dump(mode="json")
    json.dumps(entries["2026-09-01"].model_dump(mode="json"))  # serialisable as is


@pytest.mark.parametrize(("day", "reason", "alternative"), [
    ("2026-08-30", "before_start_date", "change_setting"),
    ("2026-09-03", "day_open", "wait"),
    ("2026-09-02", "execution_error", "verify"),
])
def test_a_missing_day_is_diagnosed_with_its_reason(host: Host, fetched: tuple[list[dict[str, Any]], Any],
                                                    day: str, reason: str, alternative: str) -> None:
    _, state = fetched
    context = _context(state)
    missing = {"kind": "pos_day", "date": day, "imported": False}
    (finding,) = host.validate(missing, context, lang="fr")
    assert finding.problem == "pos_pennylane.day_not_imported"
    assert finding.params["reason"] == reason and finding.params["reasons"] == reason
    (plan,) = host.remediate(finding.problem, finding.params, missing, context)
    chosen = plan.alternatives[["before_start_date", "day_open", "execution_error"].index(reason)]
    assert chosen.steps[0].action == alternative and chosen.steps[-1].action == "reimport"
    if reason == "execution_error":
        # the error is shown and classified, in the finding and by the classifier
        assert finding.params["error"] == "The sum of all lines does not match for order A1301"
        assert finding.params["error_problem"] == "pos_pennylane.lines_total_mismatch"
        diagnosis = host.classify(finding.params["error"], vendor="chift")[0]
        assert diagnosis.problem == "pos_pennylane.lines_total_mismatch" and diagnosis.params["order"] == "A1301"
    elif reason == "before_start_date":
        assert "2026-09-01" in finding.message


def test_a_tolerance_of_fifty_euros_explains_a_discrepancy(host: Host, fetched: tuple[list[dict[str, Any]], Any]) -> None:
    records, state = fetched
    context = _context(state, tolerance="50")
    context["pos_pennylane"]["tolerance_changed_on"] = "2026-08-15"
    day = {"kind": "pos_day", "date": "2026-09-01", "imported": True, "pos_amount": "119.85", "accounting_amount": "112.10"}
    (finding,) = host.validate(day, context)
    assert finding.problem == "pos_pennylane.amount_discrepancy"
    assert finding.params["tolerance_too_high"] is True and finding.params["difference"] == Decimal("7.75")
    request_tool = host.tool("pos_pennylane.support_request")
    assert request_tool is not None
    request = request_tool(dt.date(2026, 9, 1), [r for r in records if r["business_day"] == "2026-09-01"], context)
    assert request["consumer_id"] == "c-42" and str(request["tolerance_changed_on"]) == "2026-08-15"
    assert request["expected_amount"] == Decimal("119.85")
    assert {"order_number", "item", "quantity", "amount_incl_vat", "vat_amount"} <= set(request["sales_export"][0])
