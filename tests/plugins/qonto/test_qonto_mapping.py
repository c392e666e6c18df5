"""qonto.payment_entry and qonto.to_entries, field by field against seed 002."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from qonto_support import host as make_host

from syncdoctor import BankTransaction, ClientInvoice, JournalEntry
from syncdoctor_qonto.mapping import auxiliary_code

# The seed's "Transaction de paiement" window.
SEED_PAYMENT = {
    "amount": "189.99",  # "189,99 €"
    "reference": "FS9289482",
    "note": "",
    "execution_date": "09/06/2026",
    "supplier": "AARO",
    "debtor_account": "FR7616958000016886912594701",
    "creditor_iban": "FR7610011000201234567890188",
}
SETTINGS = {"target": "acd", "bank_journal": "BQ2", "treasury_account": "51210000", "sales_journal": "VT"}


@pytest.fixture(scope="module")
def host():
    return make_host()


@pytest.fixture(scope="module")
def payment_entry(host):
    tool = host.tool("qonto.payment_entry")
    assert tool is not None
    return tool


@pytest.fixture(scope="module")
def to_entries(host):
    tool = host.tool("qonto.to_entries")
    assert tool is not None
    return tool


def balanced(entry: JournalEntry) -> bool:
    return sum(ln.debit for ln in entry.lines) == sum(ln.credit for ln in entry.lines)


def test_seed_payment_becomes_the_settlement_entry_field_by_field(payment_entry):
    entry = payment_entry(SEED_PAYMENT, SETTINGS)
    assert isinstance(entry, JournalEntry)
    # the amount for the debit and for the credit
    debit, credit = entry.lines
    assert debit.debit == credit.credit == Decimal("189.99")
    assert debit.credit == credit.debit == Decimal("0")
    # the reference is the piece number
    assert entry.reference == "FS9289482"
    # the note goes into the label (empty in the seed), the supplier feeds the label
    assert entry.label == "AARO"
    # the execution date is the entry date
    assert entry.date == dt.date(2026, 6, 9)
    # the supplier selects the third-party account: 401 with auxiliary F + name
    assert (debit.account, debit.auxiliary) == ("40100000", "FAARO")
    assert entry.party is not None and (entry.party.type, entry.party.name) == ("supplier", "AARO")
    # the treasury account comes from the bank journal's settings
    assert (entry.journal, credit.account, credit.auxiliary) == ("BQ2", "51210000", None)
    assert entry.source == "qonto" and entry.target == "acd" and entry.kind == "journal_entry"
    assert balanced(entry)


def test_a_note_is_added_to_the_label(payment_entry):
    entry = payment_entry({**SEED_PAYMENT, "note": "Facture avril"}, SETTINGS)
    assert entry.label == "AARO - Facture avril"
    assert {ln.label for ln in entry.lines} == {"AARO - Facture avril"}


def test_the_treasury_account_is_the_one_of_the_debtor_qonto_account(payment_entry):
    settings = {**SETTINGS, "bank_accounts": {"FR7616958000016886912594701": {"bank_journal": "BQ3",
                                                                             "treasury_account": "51230000"}}}
    entry = payment_entry(SEED_PAYMENT, settings)
    assert (entry.journal, entry.lines[1].account) == ("BQ3", "51230000")
    other = payment_entry({**SEED_PAYMENT, "debtor_account": "FR7600000000000000000000000"}, settings)
    assert (other.journal, other.lines[1].account) == ("BQ2", "51210000")


def test_payment_accepts_an_entity_iso_dates_and_a_supplier_object(host, payment_entry):
    entity = host.parse_entity({"kind": "supplier_payment", "id": "pay-1", **SEED_PAYMENT})
    assert payment_entry(entity, SETTINGS).id == "pay-1"
    entry = payment_entry({**SEED_PAYMENT, "execution_date": "2026-06-09", "supplier": {"name": "Société Générale"}},
                          SETTINGS)
    assert entry.date == dt.date(2026, 6, 9) and entry.lines[0].auxiliary == "FSOCIETEGENERALE"


def test_a_payment_without_amount_date_or_supplier_is_refused(payment_entry):
    with pytest.raises(ValueError, match="qonto.missing_information"):
        payment_entry({"reference": "FS1"}, SETTINGS)


def test_unknown_setting_keys_are_ignored_and_defaults_apply(payment_entry):
    entry = payment_entry(SEED_PAYMENT, {"folder": "AARO"})
    assert (entry.journal, entry.lines[1].account, entry.target) == ("BQ", "51200000", "acd")


def test_the_payment_entry_passes_the_qonto_checks(host, payment_entry):
    assert host.validate(payment_entry(SEED_PAYMENT, SETTINGS)) == []


def tx(**kw):
    base = {"kind": "bank_transaction", "id": "t1", "amount": "0.30", "side": "credit", "label": "AARO",
            "settled_at": "2026-03-26T23:30:00+00:00", "status": "completed"}
    return {**base, **kw}


def test_bank_transactions_become_bank_journal_entries(to_entries):
    money_in, money_out = to_entries([tx(), tx(id="t2", side="debit", amount="84.20", label="Boulangerie Martin",
                                           reference="VIR-1")], SETTINGS)
    assert money_in.journal == "BQ2" and money_in.date == dt.date(2026, 3, 27)  # 00:30 in Paris
    assert [(ln.account, ln.debit, ln.credit) for ln in money_in.lines] == [
        ("51210000", Decimal("0.30"), Decimal("0")), ("47100000", Decimal("0"), Decimal("0.30"))]
    assert [(ln.account, ln.debit, ln.credit) for ln in money_out.lines] == [
        ("47100000", Decimal("84.20"), Decimal("0")), ("51210000", Decimal("0"), Decimal("84.20"))]
    assert money_out.reference == "VIR-1" and money_out.label == "Boulangerie Martin"
    assert all(balanced(e) and e.target == "acd" and e.source == "qonto" for e in (money_in, money_out))


def test_third_party_counterparts_use_401_f_and_411_c(to_entries):
    settings = {**SETTINGS, "counterpart": "third_party"}
    money_in, money_out = to_entries([tx(), tx(id="t2", side="debit", label="OVH")], settings)
    assert (money_in.lines[1].account, money_in.lines[1].auxiliary) == ("41100000", "CAARO")
    assert (money_out.lines[0].account, money_out.lines[0].auxiliary) == ("40100000", "FOVH")


def test_booked_pending_and_declined_transactions_are_not_mapped(to_entries):
    items = [tx(id="booked", note="#Comptabilise"), tx(id="tagged", tags=["#Comptabilise"]),
             tx(id="pending", status="pending"), tx(id="declined", status="declined"), tx(id="ok")]
    assert [e.id for e in to_entries(items, SETTINGS)] == ["ok"]
    assert [e.id for e in to_entries(items, {**SETTINGS, "include_booked": True})] == ["booked", "tagged", "ok"]


def test_attachments_travel_with_the_entry(host, to_entries):
    entity = BankTransaction.model_validate(tx(attachments=[{"filename": "f.heic", "content_type": "image/heic"}]))
    entry = to_entries([entity], SETTINGS)[0]
    assert entry.attachments[0].filename == "f.heic"
    assert [f.problem for f in host.validate(entry)] == ["qonto.attachment_unsupported_type"]


def invoice(**kw):
    base = {"kind": "client_invoice", "id": "ci1", "number": "F-2026-012", "status": "unpaid", "total": "28200.00",
            "vat_amount": "4700.00", "issue_date": "2026-05-22", "client": {"type": "customer", "name": "ACD GROUPE"}}
    return {**base, **kw}


def test_client_invoices_become_sales_entries(to_entries):
    entry = to_entries([invoice()], SETTINGS)[0]
    assert (entry.journal, entry.date, entry.reference, entry.invoice_number) == (
        "VT", dt.date(2026, 5, 22), "F-2026-012", "F-2026-012")
    assert [(ln.account, ln.auxiliary, ln.debit, ln.credit) for ln in entry.lines] == [
        ("41100000", "CACDGROUPE", Decimal("28200.00"), Decimal("0")),
        ("70600000", None, Decimal("0"), Decimal("23500.00")),
        ("44571000", None, Decimal("0"), Decimal("4700.00")),
    ]
    assert balanced(entry) and entry.party.type == "customer"


def test_drafts_are_not_mapped_and_canceled_ones_only_when_asked(to_entries):
    items = [invoice(id="d", status="draft", number=None), invoice(id="c", status="canceled"),
             invoice(id="p", status="paid")]
    assert [e.id for e in to_entries(items, SETTINGS)] == ["p"]
    reversed_ = to_entries(items, {**SETTINGS, "canceled_invoices": "reverse"})
    assert [e.id for e in reversed_] == ["c-canceled", "p"]
    assert reversed_[0].lines[0].credit == Decimal("28200.00") and reversed_[0].lines[1].debit == Decimal("23500.00")


def test_models_and_dicts_and_other_kinds(to_entries):
    model = ClientInvoice.model_validate(invoice(vat_amount=None, total="100.00"))
    entry = to_entries([model, {"kind": "customer", "name": "x"}, "junk"], {"sales_account": "70700000"})[0]
    assert [(ln.account, ln.debit, ln.credit) for ln in entry.lines] == [
        ("41100000", Decimal("100.00"), Decimal("0")), ("70700000", Decimal("0"), Decimal("100.00"))]


def test_payments_in_a_batch_are_mapped_too(to_entries):
    assert to_entries([{"kind": "supplier_payment", **SEED_PAYMENT}], SETTINGS)[0].reference == "FS9289482"


@pytest.mark.parametrize("prefix,name,code", [
    ("F", "AARO", "FAARO"), ("C", "Dupont SARL", "CDUPONTSARL"), ("F", "Électricité de France", "FELECTRICITEDEFRANCE"),
    ("C", "l'Atelier & Co.", "CLATELIERCO"),
])
def test_auxiliary_codes(prefix, name, code):
    assert auxiliary_code(prefix, name) == code
    assert auxiliary_code(prefix, name, 6) == code[:6]
