"""Pre-flight checks, the context model, and the plans (automatic or confirmed fixes)."""

from __future__ import annotations

from typing import Any

import pytest

from syncdoctor import ContextError, Customer, Host, Invoice, Payment, Service
from syncdoctor_quickbooks.context import QuickBooksContext
from syncdoctor_quickbooks.fields import FIELD_LIMITS, clean_name, shorten

LONG_NAME = "Monthly bookkeeping, payroll processing, sales-tax filings and quarterly advisory meetings for small businesses"


def _problems(host: Host, records: list[Any], context: dict[str, Any] | None = None) -> list[list[str]]:
    ctx = {"quickbooks": context} if context is not None else None
    return [[f.problem for f in r.findings] for r in host.validate_many(records, ctx, plugins=["quickbooks"])]


# ------------------------------------------------------------------ context model


def test_every_context_field_is_optional_and_documented() -> None:
    assert QuickBooksContext().model_dump(exclude_none=True) == {}
    for name, field in QuickBooksContext.model_fields.items():
        assert not field.is_required(), name
        assert field.description, name


def test_context_refuses_unknown_keys(qbo_host: Host) -> None:
    with pytest.raises(ContextError, match="quickbooks.custmers"):
        qbo_host.parse_context({"quickbooks": {"custmers": ["Acme Corp"]}})


def test_context_from_fetched_entities() -> None:
    entities = [
        Customer(name="Acme Corp", active=True),
        Customer(name="Initech", active=False),
        Invoice(id="qbo-invoice-3188", qbo_id="3188", sync_token="2", doc_number="1781", total="50",
                open_balance="20", customer={"name": "Acme Corp"}),
        Service(name="Bookkeeping", income_account={"name": "Sales", "type": "Income"}),
        Service(name="Old retainer", active=False),
    ]
    ctx = QuickBooksContext.from_entities(entities, expense_account="Bank Charges & Fees")
    assert ctx.customers == ["Acme Corp"] and ctx.deleted_customers == ["Initech"]
    assert ctx.doc_numbers is not None and ctx.doc_numbers["1781"].txn_id == "3188"
    assert ctx.transactions is not None and ctx.transactions["3188"].sync_token == "2"
    assert ctx.open_balances == {"3188": 20}
    assert ctx.payment_amounts is None  # no payment fetched: unknown, not empty
    paid = QuickBooksContext.from_entities([Payment(id="qbo-payment-901", qbo_id="901", amount="50.00")])
    assert paid.payment_amounts == {"901": 50}
    assert ctx.items == ["Bookkeeping"] and ctx.accounts == {"Sales": "Income"}
    assert ctx.expense_account == "Bank Charges & Fees"


def test_context_leaves_unfetched_lists_unknown() -> None:
    ctx = QuickBooksContext.from_entities([Invoice(qbo_id="1", doc_number="7", total="1")])
    assert ctx.customers is None and ctx.items is None and ctx.doc_numbers is not None


# ------------------------------------------------------------------ checks


def test_duplicate_doc_number_in_the_company_and_in_the_batch(qbo_host: Host) -> None:
    context = {"doc_numbers": {"1781": {"txn_type": "Invoice", "txn_id": "3188"}}}
    records = [
        {"kind": "invoice", "id": "a", "doc_number": "1781", "total": "1", "customer": {"name": "Acme Corp"}},
        {"kind": "invoice", "id": "b", "doc_number": "1790", "total": "1", "customer": {"name": "Acme Corp"}},
        {"kind": "invoice", "id": "c", "doc_number": "1790", "total": "1", "customer": {"name": "Acme Corp"}},
        {"kind": "invoice", "id": "d", "doc_number": "1781", "qbo_id": "3188", "total": "1", "customer": {"name": "Acme Corp"}},
    ]
    got = _problems(qbo_host, records, context)
    assert got[0] == ["quickbooks.duplicate_document_number"]
    assert got[1] == []
    assert got[2] == ["quickbooks.duplicate_document_number"]
    results = list(qbo_host.validate_many(records, {"quickbooks": context}, plugins=["quickbooks"]))
    assert results[2].findings[0].params["first"] == "b"
    assert "quickbooks.duplicate_document_number" in got[3]  # "1781" is also a repeat within this batch


@pytest.mark.parametrize(
    ("entity", "element", "limit"),
    [
        ({"kind": "invoice", "doc_number": "X" * 22, "total": "1"}, "DocNumber", 21),
        ({"kind": "service", "name": "N" * 101}, "Name", 100),
        ({"kind": "service", "name": "ok", "description": "d" * 4001}, "Description", 4000),
        ({"kind": "customer", "name": "C" * 501}, "DisplayName", 500),
        ({"kind": "invoice", "total": "1", "lines": [{"amount": "1", "description": "l" * 4001}]}, "Line.Description", 4000),
        ({"kind": "payment", "amount": "1", "reference": "R" * 22}, "PaymentRefNum", 21),
    ],
)
def test_field_length_limits(qbo_host: Host, entity: dict, element: str, limit: int) -> None:
    (finding,) = [f for f in qbo_host.validate(entity, plugins=["quickbooks"]) if f.problem == "quickbooks.string_too_long"]
    assert finding.params["element"] == element and finding.params["max"] == limit
    assert finding.params["min"] == 0 and finding.params["supplied"] == limit + 1


def test_limits_table_matches_the_issue() -> None:
    limits = {(kind, element): limit for kind, rows in FIELD_LIMITS.items() for _, element, limit in rows}
    assert limits[("invoice", "DocNumber")] == 21
    assert limits[("service", "Name")] == 100
    assert limits[("customer", "DisplayName")] == 500
    assert limits[("service", "Description")] == 4000


def test_shorten_and_clean_name_are_idempotent() -> None:
    assert shorten("abc  def", 4) == "abc" and shorten("abc", 4) == "abc"
    assert shorten(shorten(LONG_NAME, 100), 100) == shorten(LONG_NAME, 100)
    assert clean_name("Tax prep: individual") == "Tax prep - individual"
    assert clean_name("a\tb\nc") == "a b c" and clean_name(clean_name("x:y")) == clean_name("x:y")


def test_service_name_is_shortened_automatically_when_nothing_can_collide(qbo_host: Host) -> None:
    service = {"kind": "service", "id": "s", "name": LONG_NAME, "income_account": {"name": "Sales"}}
    context = {"quickbooks": {"items": ["Bookkeeping"]}}
    fixed, applied = qbo_host.apply_fixes(service, context)
    assert fixed.name == LONG_NAME[:100].rstrip()  # type: ignore[attr-defined]
    assert [a["problem"] for a in applied] == ["quickbooks.string_too_long"]
    again, applied_again = qbo_host.apply_fixes(fixed, context)
    assert again == fixed and applied_again == []
    (plan,) = qbo_host.remediate("quickbooks.string_too_long", {}, service, context)
    fixes = [s for s in plan.steps if s.action == "fix_entity"]
    assert len(fixes) == 1 and fixes[0].automatic and not fixes[0].confirm
    assert fixes[0].patch == [{"op": "replace", "path": "/name", "value": LONG_NAME[:100].rstrip()}]


def test_shortening_needs_a_person_when_it_could_collide(qbo_host: Host) -> None:
    cut = LONG_NAME[:100].rstrip()
    service = {"kind": "service", "id": "s", "name": LONG_NAME, "income_account": {"name": "Sales"}}
    for context in ({"quickbooks": {"items": [cut]}}, None):  # a clash, or names unknown
        fixed, applied = qbo_host.apply_fixes(service, context)
        assert applied == [] and fixed.name == LONG_NAME  # type: ignore[attr-defined]
        (plan,) = qbo_host.remediate("quickbooks.string_too_long", {}, service, context)
        fixes = [s for s in plan.steps if s.action == "fix_entity"]
        assert len(fixes) == 1 and fixes[0].confirm and not fixes[0].automatic
        assert fixes[0].patch == [{"op": "replace", "path": "/name", "value": cut}]
    invoice = {"kind": "invoice", "id": "i", "doc_number": "TD-2026-000000001781-A", "total": "1", "customer": {"name": "A"}}
    (plan,) = qbo_host.remediate("quickbooks.string_too_long", {}, invoice, {"quickbooks": {"items": []}})
    (fix,) = [s for s in plan.steps if s.action == "fix_entity"]
    assert fix.confirm and fix.patch == [{"op": "replace", "path": "/doc_number", "value": "TD-2026-000000001781-"}]


def test_service_description_is_shortened_automatically(qbo_host: Host) -> None:
    service = {"kind": "service", "id": "s", "name": "Bookkeeping", "description": "d" * 4100,
               "income_account": {"name": "Sales"}}
    fixed, applied = qbo_host.apply_fixes(service)
    assert len(fixed.description or "") == 4000 and applied  # type: ignore[attr-defined]


def test_colon_in_a_name(qbo_host: Host) -> None:
    service = {"kind": "service", "id": "s", "name": "Tax prep: individual", "income_account": {"name": "Sales"}}
    fixed, _ = qbo_host.apply_fixes(service, {"quickbooks": {"items": ["Bookkeeping"]}})
    assert fixed.name == "Tax prep - individual"  # type: ignore[attr-defined]
    customer = {"kind": "customer", "id": "c", "name": "Doe: John"}
    (finding,) = qbo_host.validate(customer, plugins=["quickbooks"])
    assert finding.problem == "quickbooks.invalid_characters" and finding.params["element"] == "DisplayName"
    _, applied = qbo_host.apply_fixes(customer)
    assert applied == []  # renaming a customer is never automatic


def test_income_account_checks(qbo_host: Host) -> None:
    records = [
        {"kind": "service", "id": "none", "name": "Payroll"},
        {"kind": "service", "id": "ar", "name": "Advisory", "income_account": {"name": "A/R", "type": "Accounts Receivable"}},
        {"kind": "service", "id": "ap", "name": "Advisory 2", "income_account": {"name": "Accounts Payable (A/P)"}},
        {"kind": "service", "id": "ok", "name": "Bookkeeping", "income_account": {"name": "Sales", "type": "Income"}},
    ]
    got = _problems(qbo_host, records, {"accounts": {"Accounts Payable (A/P)": "Accounts Payable"}})
    assert got == [["quickbooks.income_account_missing"], ["quickbooks.service_account_type_invalid"],
                   ["quickbooks.service_account_type_invalid"], []]
    assert _problems(qbo_host, records[:1], {"service_income_account": "Sales"}) == [[]]


def test_credits_above_the_open_balance(qbo_host: Host) -> None:
    records = [
        {"kind": "payment", "id": "p1", "amount": "10", "credits_applied": "130", "open_balance": "120"},
        {"kind": "payment", "id": "p2", "amount": "10", "credits_applied": "30", "invoice_id": "3188"},
        {"kind": "payment", "id": "p3", "amount": "10", "credits_applied": "10", "invoice_id": "3188"},
    ]
    got = _problems(qbo_host, records, {"open_balances": {"3188": "20.00"}})
    assert got == [["quickbooks.payment_exceeds_balance"], ["quickbooks.payment_exceeds_balance"], []]


def test_refund_above_the_payment_it_refunds(qbo_host: Host) -> None:
    records = [
        {"kind": "refund", "id": "r1", "payment_id": "p9", "amount": "120", "payment_amount": "100"},
        {"kind": "refund", "id": "r2", "payment_id": "901", "amount": "50.01"},
        {"kind": "refund", "id": "r3", "payment_id": "901", "amount": "50"},
        {"kind": "refund", "id": "r4", "payment_id": "902", "amount": "500"},  # payment unknown: no finding
    ]
    got = _problems(qbo_host, records, {"payment_amounts": {"901": "50.00"}})
    assert got == [["quickbooks.refund_mismatch"], ["quickbooks.refund_mismatch"], [], []]
    (finding,) = qbo_host.validate(records[1], {"quickbooks": {"payment_amounts": {"901": "50.00"}}}, lang="fr",
                                   plugins=["quickbooks"])
    # French texts write amounts with a decimal comma (issue 14, part 4); params keep the Decimal
    assert finding.message == "Le remboursement de 50,01 dépasse le paiement qu'il rembourse (50,00)"
    (plan,) = qbo_host.remediate("quickbooks.refund_mismatch", finding.params)
    assert [s.action for s in plan.steps] == ["verify", "fix_entity", "resync"]
    assert [alt.steps[-1].action for alt in plan.alternatives] == ["resync", "skip"]


def test_stripe_fee_that_differs_from_its_quickbooks_expense(qbo_host: Host) -> None:
    context = {"transactions": {"412": {"txn_type": "Purchase", "total": "2.90"},
                                "3188": {"txn_type": "Invoice", "doc_number": "1781", "total": "50"}}}
    records = [
        {"kind": "expense", "id": "e1", "qbo_id": "412", "amount": "3.20", "description": "Stripe processing fee"},
        {"kind": "expense", "id": "e2", "qbo_id": "412", "amount": "2.9"},
        {"kind": "expense", "id": "e3", "qbo_id": "3188", "amount": "3.20"},  # another type's Id
        {"kind": "expense", "id": "e4", "amount": "3.20"},  # never synced
    ]
    assert _problems(qbo_host, records, context) == [["quickbooks.data_mismatch"], [], [], []]
    (finding,) = qbo_host.validate(records[0], {"quickbooks": context}, plugins=["quickbooks"])
    assert finding.params.items() >= {"field": "amount", "taxdome": "3.20", "quickbooks": "2.90"}.items()


def test_customer_checks(qbo_host: Host) -> None:
    context = {"customers": ["Acme Corp"], "deleted_customers": ["Initech"]}
    records = [
        {"kind": "invoice", "id": "ok", "customer": {"name": "Acme Corp"}, "total": "1"},
        {"kind": "invoice", "id": "case", "customer": {"name": "ACME Corp"}, "total": "1"},
        {"kind": "payment", "id": "gone", "customer": {"name": "Initech"}, "amount": "1"},
        {"kind": "invoice", "id": "nobody", "total": "1"},
    ]
    got = _problems(qbo_host, records, context)
    assert got == [[], ["quickbooks.customer_not_found"], ["quickbooks.customer_deleted"],
                   ["quickbooks.required_param_missing"]]
    (plan,) = qbo_host.remediate("quickbooks.customer_not_found", {}, records[1], {"quickbooks": context})
    rename = plan.alternatives[0].steps[0]
    assert rename.confirm and rename.patch == [{"op": "replace", "path": "/customer/name", "value": "Acme Corp"}]


def test_sync_switched_off_and_closed_period(qbo_host: Host) -> None:
    invoice = {"kind": "invoice", "id": "i", "date": "2025-06-30", "customer": {"name": "Acme Corp"}, "total": "1"}
    got = _problems(qbo_host, [invoice], {"sync_enabled": False, "closing_date": "2025-12-31"})
    assert sorted(got[0]) == ["quickbooks.period_closed", "quickbooks.sync_disabled"]


def test_changes_on_the_quickbooks_side(qbo_host: Host) -> None:
    context = {"transactions": {"3188": {"doc_number": "1781", "customer": "Acme Corp", "sync_token": "4"}}}
    records = [
        {"kind": "payment", "id": "edited", "qbo_id": "3188", "sync_token": "3", "amount": "1"},
        {"kind": "payment", "id": "deleted", "qbo_id": "9999", "doc_number": "1700", "amount": "1"},
        {"kind": "payment", "id": "renumbered", "qbo_id": "3188", "sync_token": "4", "doc_number": "1781-B", "amount": "1"},
        {"kind": "payment", "id": "same", "qbo_id": "3188", "sync_token": "4", "doc_number": "1781", "amount": "1"},
    ]
    got = _problems(qbo_host, records, context)
    assert got == [["quickbooks.changed_in_quickbooks"], ["quickbooks.changed_in_quickbooks"],
                   ["quickbooks.data_mismatch"], []]


def test_payment_method_of_the_wrong_type(qbo_host: Host) -> None:
    payment = {"kind": "payment", "id": "p", "amount": "1", "method": "Credit Card"}
    got = _problems(qbo_host, [payment], {"payment_methods": {"Credit Card": "NON_CREDIT_CARD"}})
    assert got == [["quickbooks.duplicate_name"]]


def test_rules_only_look_at_entities_bound_for_quickbooks(qbo_host: Host) -> None:
    entity = {"kind": "invoice", "id": "x", "doc_number": "X" * 30, "total": "1", "target": "pennylane"}
    assert qbo_host.validate(entity, plugins=["quickbooks"]) == []
    entry = {"kind": "journal_entry", "id": "j", "lines": [{"account": "1", "debit": "2"}]}
    assert _problems(qbo_host, [entry]) == [[]]
    assert _problems(qbo_host, [{**entry, "target": "quickbooks"}]) == [["quickbooks.unbalanced_transaction"]]
