"""End to end over loopback: fetch the company -> validate a TaxDome batch -> push to the
sandbox -> classify QuickBooks' Faults -> remediate; and the demo section in both languages."""

from __future__ import annotations

import time

import pytest
from pydantic import SecretStr

from syncdoctor import Faults, Host, RetryPolicy
from syncdoctor_quickbooks.context import QuickBooksContext
from syncdoctor_quickbooks.sandbox_company import REALM_ID

LONG_NAME = "Monthly bookkeeping, payroll processing, sales-tax filings and quarterly advisory meetings for small businesses"


@pytest.fixture(scope="module")
def host() -> Host:
    return Host.from_entry_points(names=["quickbooks"], strict=True)


def test_fetch_validate_push_classify_remediate(host: Host) -> None:
    make_sandbox = host.sandboxes()["quickbooks"]
    push = host.tool("quickbooks.push")
    push_batch = host.tool("quickbooks.push_batch")
    assert push is not None and push_batch is not None
    with make_sandbox(faults=Faults("429,500,duplicate-page", retry_after=0)) as sandbox:
        token = SecretStr("e2e-token")
        # 1. fetch what the company holds, and build the context from it
        fetched = host.fetch("quickbooks", {"base_url": sandbox.url, "realm_id": REALM_ID, "token": token,
                                            "entities": "invoice,payment,customer,item", "page_size": 7,
                                            "retry": RetryPolicy(sleep=lambda s: None)})
        context = {"quickbooks": QuickBooksContext.from_entities(list(fetched))}
        assert fetched.stats["invoice"] == 25 and fetched.stats["throttled"] >= 1

        # 2. validate a TaxDome batch before sending
        batch = [
            {"kind": "invoice", "id": "inv-dup", "doc_number": "1781", "date": "2026-04-02",
             "customer": {"name": "Acme Corp"}, "total": "450", "lines": [{"item": "Bookkeeping", "amount": "450"}]},
            {"kind": "invoice", "id": "inv-ok", "doc_number": "1795", "date": "2026-04-02",
             "customer": {"name": "Hooli"}, "total": "800", "lines": [{"item": "Tax preparation", "amount": "800"}]},
            {"kind": "payment", "id": "pay-credit", "date": "2026-04-03", "customer": {"name": "Acme Corp"},
             "invoice_id": "3167", "amount": "0", "credits_applied": "150"},
            {"kind": "service", "id": "svc-long", "name": LONG_NAME, "income_account": {"name": "Sales"}},
            {"kind": "service", "id": "svc-noacct", "name": "Nonprofit bookkeeping"},
            {"kind": "service", "id": "svc-ar", "name": "Advisory retainer",
             "income_account": {"name": "Accounts Receivable (A/R)"}},
        ]
        results = {r.entity: r for r in host.validate_many(batch, context, plugins=["quickbooks"])}
        found = {ref: [f.problem for f in r.findings] for ref, r in results.items()}
        assert found == {
            "inv-dup": ["quickbooks.duplicate_document_number"],
            "inv-ok": [],
            "pay-credit": ["quickbooks.payment_exceeds_balance"],
            "svc-long": ["quickbooks.string_too_long"],
            "svc-noacct": ["quickbooks.income_account_missing"],
            "svc-ar": [],  # the account's type is unknown before sending: QuickBooks will tell
        }
        dup = results["inv-dup"].findings[0]
        assert dup.params["txn_id"] == "3188" and dup.params["txn_type"] == "Invoice"

        # automatic fixes where nothing can collide; the rest waits for a person
        fixed, applied = host.apply_fixes(results["svc-long"].parsed, context)
        assert applied and len(fixed.name) == 100  # type: ignore[attr-defined]
        assert host.validate(fixed, context, plugins=["quickbooks"]) == []

        # 3. push what the pre-flight could not fault, and the unfixed ones to see QuickBooks' answer
        answers = push_batch(sandbox.url, REALM_ID, token,
                             [results["inv-ok"].parsed, fixed, results["svc-ar"].parsed, results["svc-noacct"].parsed],
                             retry=RetryPolicy(sleep=lambda s: None))
        assert answers["inv-ok"] == [] and answers["svc-long"] == []
        single = push(sandbox.url, REALM_ID, token, results["inv-dup"].parsed, retry=RetryPolicy(sleep=lambda s: None))
        credit = push(sandbox.url, REALM_ID, token, results["pay-credit"].parsed, retry=RetryPolicy(sleep=lambda s: None))

        # 4. classify: QuickBooks' answers name the same problems the pre-flight found
        def problems(reports: list) -> list[str]:
            return [d.problem for r in reports for d in host.classify(r)]

        assert problems(answers["svc-ar"]) == ["quickbooks.service_account_type_invalid"]
        assert problems(answers["svc-noacct"]) == ["quickbooks.income_account_missing"]
        assert problems(single) == ["quickbooks.duplicate_document_number"]
        assert credit[0].http_status == 200  # a Fault inside an HTTP 200
        assert problems(credit) == ["quickbooks.payment_exceeds_balance"]

        # 5. remediate: plans say what to do, where, and who
        (diagnosis,) = host.classify(single[0], lang="fr")
        assert diagnosis.params == {"doc_number": "1781", "txn_type": "Invoice", "txn_id": "3188",
                                    "fault_type": "ValidationFault"}
        (plan,) = host.remediate(diagnosis.problem, diagnosis.params, results["inv-dup"].parsed, context, lang="fr")
        fix, resync = plan.steps
        assert fix.action == "fix_entity" and fix.system == "taxdome" and fix.confirm and not fix.automatic
        assert fix.patch == [{"op": "replace", "path": "/doc_number", "value": "1785"}]
        assert resync.action == "resync" and resync.role == "firm_owner" and "Resynchronisez" in resync.instructions
        (diagnosis,) = host.classify(answers["svc-ar"][0])
        (plan,) = host.remediate(diagnosis.problem, diagnosis.params, results["svc-ar"].parsed, context)
        assert [s.action for s in plan.alternatives[0].steps] == ["delete", "change_setting", "create", "resync"]
        assert sandbox.faults.injected  # the run went through injected faults


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_demo_section(host: Host, lang: str) -> None:
    demo = host.plugins["quickbooks"].spec.demo
    assert demo is not None
    started = time.monotonic()
    section = demo(host, lang)
    assert time.monotonic() - started < 5
    assert section.name == "taxdome_quickbooks" and section.title == "TaxDome → QuickBooks"
    assert {"quickbooks.duplicate_document_number", "quickbooks.string_too_long",
            "quickbooks.income_account_missing", "quickbooks.service_account_type_invalid"} <= set(section.problems)
    counts = section.counts
    assert counts["fixed"] >= 1 and counts["accepted"] >= 1 and counts["rejected"] >= 1 and counts["needs_person"] >= 3
    people = {e.system for e in section.events if e.outcome == "needs_person"}
    assert people == {"taxdome", "quickbooks"}
    stages = {e.stage for e in section.events}
    assert {"fetch", "validate", "fix", "push", "classify"} <= stages
    fixed = next(e for e in section.events if e.outcome == "fixed")
    assert fixed.automatic and fixed.problem == "quickbooks.string_too_long"
    if lang == "fr":
        assert any("QuickBooks l'a acceptée" in e.detail for e in section.events)
    assert section.to_json()["counts"] == counts
