from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from syncdoctor import Host, InputError, JournalEntry, PosOrder, loads
from syncdoctor.model.money import dumps


def test_money_is_exact_from_json_number_and_string() -> None:
    raw = loads('{"kind": "pos_order", "total": 24.10, "tip": "0.1", "lines": [{"amount": 24}]}')
    order = PosOrder.model_validate(raw)
    assert order.total == Decimal("24.10") and isinstance(order.total, Decimal)
    assert order.tip == Decimal("0.1")
    assert order.lines[0].amount == Decimal(24)


def test_money_refuses_binary_floats_and_nan() -> None:
    with pytest.raises(ValidationError, match="binary float"):
        PosOrder.model_validate({"kind": "pos_order", "total": 0.1})
    with pytest.raises(ValidationError, match="finite"):
        PosOrder.model_validate({"kind": "pos_order", "total": "NaN"})
    with pytest.raises(ValidationError, match="not a decimal"):
        PosOrder.model_validate({"kind": "pos_order", "total": "12,5x"})


def test_money_serialises_as_string_never_float() -> None:
    entry = JournalEntry.model_validate({"kind": "journal_entry", "lines": [{"account": "401", "credit": "189.99"}]})
    text = dumps(entry.model_dump(mode="json"))
    assert '"credit": "189.99"' in text


def test_unknown_fields_are_kept_for_paths_and_round_trips() -> None:
    entry = JournalEntry.model_validate({"kind": "journal_entry", "x_source_id": 7})
    assert entry.model_dump()["x_source_id"] == 7


def test_parse_entity_names_record_and_field(native_host: Host) -> None:
    with pytest.raises(InputError) as err:
        native_host.parse_entity({"kind": "invoice", "total": "abc"}, 4)
    assert err.value.record == 4 and err.value.field == "total"
    with pytest.raises(InputError, match="unknown kind 'nope'"):
        native_host.parse_entity({"kind": "nope"}, 0)
    with pytest.raises(InputError, match="kind"):
        native_host.parse_entity({"id": "x"}, 0)
    with pytest.raises(InputError, match="JSON object"):
        native_host.parse_entity([1, 2], 0)


def test_every_design_entity_parses(native_host: Host) -> None:
    samples = [
        {"kind": "journal_entry", "id": "e1", "journal": "AC", "date": "2026-03-26", "reference": "FS9289482",
         "label": "AARO", "party": {"type": "supplier", "name": "AARO"},
         "lines": [{"account": "40100000", "auxiliary": "XAARO", "debit": "0", "credit": "189.99"},
                   {"account": "60610000", "debit": "158.33", "credit": "0", "analytics": []},
                   {"account": "44566000", "debit": "31.66", "credit": "0"}],
         "attachments": [{"filename": "f.pdf", "content_type": "application/pdf", "size": 120334}]},
        {"kind": "service", "id": "s1", "name": "Bookkeeping", "income_account": {"name": "Sales", "type": "Income"}},
        {"kind": "invoice", "id": "i1", "doc_number": "1781", "customer": {"name": "Acme"}, "total": "120.00"},
        {"kind": "payment", "id": "p1", "invoice_id": "i1", "amount": "100.00", "credits_applied": "30.00",
         "open_balance": "120.00"},
        {"kind": "pos_order", "id": "o1", "business_day": "2026-09-01", "total": "24.00", "tip": "2.00",
         "discount": "0", "lines": [{"name": "Menu", "quantity": "2", "amount": "22.00"}]},
        {"kind": "client_invoice", "id": "ci1", "number": "F-2026-012", "status": "unpaid", "total": "28200.00"},
        {"kind": "bank_transaction", "id": "t1", "amount": "0.30", "side": "credit", "label": "AARO",
         "settled_at": "2026-03-26T10:00:00+01:00", "note": None, "reference": None, "tags": ["#Comptabilise"]},
        {"kind": "refund", "amount": "5"},
        {"kind": "expense", "amount": "5", "account": {"name": "Bank fees", "type": "Expense"}},
        {"kind": "customer", "name": "Acme"},
    ]
    for i, raw in enumerate(samples):
        entity = native_host.parse_entity(raw, i)
        assert entity.kind == raw["kind"]
    tx = native_host.parse_entity(samples[6])
    assert tx.settled_at.utcoffset().total_seconds() == 3600  # type: ignore[attr-defined]


def test_absurd_amounts_are_refused_not_overflowed() -> None:
    with pytest.raises(ValidationError, match="between"):
        PosOrder.model_validate({"kind": "pos_order", "total": "1e999999"})
    assert PosOrder.model_validate({"kind": "pos_order", "total": "999999999999999.99"}).total


def test_absurd_numbers_in_rules_are_unknown(native_host: Host) -> None:
    findings = native_host.validate({"kind": "journal_entry", "lines": [{"account": "4", "debit": "1"}]},
                                    {"sample": {"tolerance": "1e999999"}})
    assert [f.problem for f in findings] == []
