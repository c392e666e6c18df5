"""End to end over loopback: push to the ACD sandbox, classify the rejection, fix, resend, accepted.

Also checks that what the pre-flight checks predict is what ACD then answers.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from syncdoctor import Host, RetryPolicy, SandboxServer

FAST = RetryPolicy(attempts=6, backoff=0.001, sleep=lambda s: None)

CLEAN: dict[str, Any] = {
    "kind": "journal_entry", "id": "aaro", "target": "acd", "journal": "AC", "date": "2026-03-26",
    "reference": "FS9289482", "label": "AARO", "party": {"type": "supplier", "name": "AARO"},
    "lines": [{"account": "40100000", "auxiliary": "FAARO", "credit": "189.99"},
              {"account": "60640000", "debit": "158.33"},
              {"account": "44566000", "debit": "31.66"}],
}


def _entry(**changes: Any) -> dict[str, Any]:
    entry = copy.deepcopy(CLEAN)
    for key, value in changes.items():
        if key.startswith("line"):
            index, field = key[4], key[6:]
            entry["lines"][int(index)][field] = value
        else:
            entry[key] = value
    return entry


@pytest.fixture(params=["native", "durable"])
def host(request: pytest.FixtureRequest) -> Host:
    if request.param == "durable":
        from syncdoctor.engines.durable import durable_available

        if not durable_available()[0]:
            pytest.skip("durable_rules unavailable")
    return Host.from_entry_points(names=["acd"], engine=request.param, strict=True)


@pytest.fixture(scope="module")
def acd() -> Iterator[SandboxServer]:
    factory = Host.from_entry_points(names=["acd"]).sandboxes()["acd"]
    with factory() as server:
        yield server


@pytest.fixture
def context(acd: SandboxServer) -> dict[str, Any]:
    # the folder's own settings, as a host would read them from ACD, and the Hub's journal codes
    return {"acd": {**acd.app.folder.context(), "journal_code_mapping": {"BQ": "BQ2"}}}  # type: ignore[attr-defined]


def test_push_rejected_classify_patch_resend_accepted(host: Host, acd: SandboxServer,
                                                      context: dict[str, Any]) -> None:
    push = host.tool("acd.push")
    assert push is not None
    entry = _entry(line0_auxiliary="XAARO")

    report = push(acd.url, entry, retry=FAST)
    assert report is not None and report.message == "The account XAARO does not exist"

    [diagnosis] = host.classify(report, vendor="acd")
    assert diagnosis.problem == "acd.auxiliary_code_invalid"
    assert diagnosis.params["account"] == "XAARO" and diagnosis.record == "aaro"

    [plan] = host.remediate(diagnosis.problem, diagnosis.params, entry, context)
    fix = plan.steps[0]
    assert fix.automatic and fix.system == "qonto"
    assert fix.patch == [{"op": "replace", "path": "/lines/0/auxiliary", "value": "FAARO"}]
    assert [s.action for s in plan.steps[1:]] == ["mark_verified", "resync"]

    fixed, applied = host.apply_fixes(entry, context)
    assert [a["patch"] for a in applied] == [fix.patch]
    assert host.validate(fixed, context) == []

    assert push(acd.url, fixed, retry=FAST) is None
    accepted = acd.app.entries[-1]  # type: ignore[attr-defined]
    assert accepted["LignesEcriture"][0]["Compte"] == "FAARO"


CASES = [
    ("acd.auxiliary_code_invalid", _entry(line0_auxiliary="XAARO")),
    ("acd.invoice_number_disabled", _entry(invoice_number="F-2026-044")),
    ("acd.analytics_allocation_missing", _entry(line1_account="60610000")),
    ("acd.dms_permission_denied", _entry(journal="BQ", attachments=[{"filename": "f.pdf"}])),
    ("acd.unbalanced_entry", _entry(line1_debit="150.00")),
    ("acd.general_account_invalid", _entry(line1_account="6064")),
    ("acd.journal_missing", _entry(journal=None)),
    ("acd.date_missing", _entry(date=None)),
    ("acd.date_outside_open_period", _entry(date="2025-12-31")),
]


@pytest.mark.parametrize(("problem", "entry"), CASES, ids=[c[0] for c in CASES])
def test_caught_before_sending_and_explained_after(host: Host, acd: SandboxServer, context: dict[str, Any],
                                                   problem: str, entry: dict[str, Any]) -> None:
    before = {f.problem for f in host.validate(entry, context)}
    assert problem in before

    report = host.tool("acd.push")(acd.url, entry, retry=FAST)  # type: ignore[misc]
    assert report is not None
    after = {d.problem for d in host.classify(report, vendor="acd")}
    assert problem in after, report.message
    assert "unknown" not in after


def test_patches_that_need_no_person_get_entries_accepted(host: Host, acd: SandboxServer,
                                                          context: dict[str, Any]) -> None:
    push = host.tool("acd.push")
    assert push is not None
    batch = [_entry(id="a", line0_auxiliary="XAARO"), _entry(id="b", line1_account="6064"),
             _entry(id="c", line0_auxiliary="AARO", line1_account="6064")]
    for entry in batch:
        assert push(acd.url, entry, retry=FAST) is not None
        fixed, applied = host.apply_fixes(entry, context)
        assert applied
        assert push(acd.url, fixed, retry=FAST) is None, fixed


@pytest.mark.parametrize(("problem", "entry"), [
    # an auxiliary on an expense line: ACD would book the expense on the supplier's account
    ("acd.auxiliary_on_general_account", _entry(line1_auxiliary="FAARO")),
    # a customer code on a supplier entry: a valid code in ACD's eyes, the wrong third party
    ("acd.auxiliary_code_invalid", _entry(line0_auxiliary="CAARO")),
])
def test_what_acd_cannot_see_is_caught_only_before_sending(host: Host, acd: SandboxServer, context: dict[str, Any],
                                                           problem: str, entry: dict[str, Any]) -> None:
    assert {f.problem for f in host.validate(entry, context)} == {problem}
    assert host.tool("acd.push")(acd.url, entry, retry=FAST) is None  # type: ignore[misc]


def test_the_loop_survives_transport_faults() -> None:
    host = Host.from_entry_points(names=["acd"])
    factory = host.sandboxes()["acd"]
    push = host.tool("acd.push")
    assert push is not None
    with factory(faults="429,500,drop,slow") as server:
        server.faults.retry_after = 0
        server.faults.slow_seconds = 0.01
        reports = [push(server.url, _entry(id=f"f{i}", reference=f"F{i}", line0_auxiliary="XAARO"), retry=FAST)
                   for i in range(4)]
        assert all(r is not None and r.code == "compteInexistant" for r in reports)
        for i in range(4):
            fixed, _ = host.apply_fixes(_entry(id=f"f{i}", reference=f"F{i}", line0_auxiliary="XAARO"))
            assert push(server.url, fixed, retry=FAST) is None
        assert [e["LignesEcriture"][0]["NumeroPiece"] for e in server.app.entries] == [  # type: ignore[attr-defined]
            "F0", "F1", "F2", "F3"]
        assert sum(server.faults.injected.values()) > 0
