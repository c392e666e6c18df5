"""The hypothesis strategies generate what they promise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from syncdoctor import Host
from syncdoctor.testing import strategies as sds

from .kit_plugins import GoodContext, GoodPlugin

FAST = settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
HOST = Host([GoodPlugin()])


def floats_in(value: Any) -> list[Any]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in floats_in(v)]
    if isinstance(value, list):
        return [f for v in value for f in floats_in(v)]
    return []


@pytest.mark.parametrize("kind", sds.KINDS)
def test_valid_entities_parse_and_hold_money_as_decimal(kind: str) -> None:
    @FAST
    @given(sds.valid_entities(kind))
    def prop(doc: dict[str, Any]) -> None:
        assert doc["kind"] == kind
        assert floats_in(doc) == []
        entity = HOST.parse_entity(doc)
        for name in ("total", "amount", "open_balance", "price"):
            if doc.get(name) is not None:
                assert isinstance(doc[name], Decimal)
                assert getattr(entity, name) == doc[name]

    prop()


@pytest.mark.parametrize("kind", sds.KINDS)
def test_every_kind_has_subtle_defects(kind: str) -> None:
    assert len(sds.DEFECTS[kind]) >= 2

    @FAST
    @given(sds.invalid_entities(kind))
    def prop(doc: dict[str, Any]) -> None:
        assert doc["kind"] == kind and floats_in(doc) == []

    prop()


@FAST
@given(sds.valid_entities("journal_entry"), sds.invalid_entities("journal_entry", "unbalanced_by_a_cent"))
def test_journal_entries_balance_and_the_defect_is_one_cent(good: dict[str, Any], bad: dict[str, Any]) -> None:
    def gap(doc: dict[str, Any]) -> Decimal:
        return sum((line["debit"] - line["credit"] for line in doc["lines"]), Decimal("0"))

    assert gap(good) == 0
    assert abs(gap(bad)) == sds.CENT
    supplier = good["party"]["type"] == "supplier"
    assert [line["auxiliary"][0] for line in good["lines"] if "auxiliary" in line] == ["F" if supplier else "C"]


@FAST
@given(sds.invalid_entities("journal_entry", "auxiliary_wrong_prefix"))
def test_wrong_prefix_codes_start_with_neither_f_nor_c(doc: dict[str, Any]) -> None:
    codes = [line["auxiliary"] for line in doc["lines"] if "auxiliary" in line]
    assert codes and all(code[0] not in "FC" and code[0].isupper() for code in codes)


@FAST
@given(sds.valid_entities("invoice"), sds.invalid_entities("invoice", "doc_number_past_limit"),
       sds.invalid_entities("invoice", "total_off_by_a_cent"))
def test_invoice_limits_and_totals(good: dict[str, Any], long: dict[str, Any], off: dict[str, Any]) -> None:
    limit = sds.LIMITS["doc_number"]
    assert len(good["doc_number"]) <= limit
    assert len(long["doc_number"]) == limit + 1
    assert good["total"] == sum((line["amount"] for line in good["lines"]), Decimal("0"))
    assert abs(off["total"] - sum((line["amount"] for line in off["lines"]), Decimal("0"))) == sds.CENT


@FAST
@given(sds.valid_entities("pos_order"), sds.invalid_entities("client_invoice", "status_misspelt"))
def test_pos_total_and_qonto_statuses(order: dict[str, Any], invoice: dict[str, Any]) -> None:
    lines = sum((line["amount"] for line in order["lines"]), Decimal("0"))
    assert order["total"] == lines + order["tip"] - order["discount"]
    assert invoice["status"] not in ("draft", "unpaid", "paid", "canceled")


@FAST
@given(sds.valid_entities("bank_transaction"))
def test_bank_transactions_have_zoned_times(doc: dict[str, Any]) -> None:
    assert dt.datetime.fromisoformat(doc["settled_at"]).tzinfo is not None
    assert doc["amount"] == doc["amount"].quantize(sds.CENT)


@FAST
@given(st.integers(1, 30).flatmap(lambda n: st.tuples(st.just(n), sds.strings_past_limit(n), sds.strings_within_limit(n))))
def test_limit_strings(case: tuple[int, str, str]) -> None:
    limit, past, within = case
    assert len(past) == limit + 1 and 1 <= len(within) <= limit


@FAST
@given(sds.malformed_entities())
def test_malformed_input_becomes_a_finding_not_an_exception(doc: Any) -> None:
    [result] = list(HOST.validate_many([doc]))
    if not (isinstance(doc, dict) and doc.get("kind") in sds.KINDS):
        assert [f.problem for f in result.findings] == ["core.invalid_input"]


def test_vendor_messages_vary_the_values_of_the_examples() -> None:
    seen: set[str] = set()

    @FAST
    @given(sds.vendor_messages(HOST, "kitgood"))
    def prop(report: dict[str, Any]) -> None:
        assert report["vendor"] == "kitgood"
        seen.add(report["message"])

    prop()
    assert any("does not exist" in m and "XAARO" not in m for m in seen)  # a value was replaced
    assert len(seen) > 5


@FAST
@given(sds.fault_payloads())
def test_fault_payloads_look_like_quickbooks(payload: dict[str, Any]) -> None:
    fault = payload.get("Fault") or payload.get("fault") or payload["BatchItemResponse"][0]["Fault"]
    errors = fault.get("Error") or fault.get("error")
    assert 1 <= len(errors) <= 3
    for error in errors:
        code = error.get("code")
        assert isinstance(code, str) and code.lstrip("0").isdigit()


def test_adversarial_text_reaches_the_extremes() -> None:
    found = {"surrogate": False, "control": False, "huge": False}

    @settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(sds.adversarial_text())
    def prop(text: str) -> None:
        found["surrogate"] |= any(0xD800 <= ord(c) <= 0xDFFF for c in text)
        found["control"] |= any(ord(c) < 0x20 for c in text)
        found["huge"] |= len(text) >= 2000

    prop()
    assert all(found.values()), found


@FAST
@given(sds.error_reports(HOST, "kitgood", surrogates=False))
def test_error_reports_never_make_classify_raise(report: Any) -> None:
    diagnoses = HOST.classify(report)
    assert diagnoses and all(d.problem == "unknown" or d.problem in HOST.catalog.problems for d in diagnoses)


class NestedContext(BaseModel):
    class Account(BaseModel):
        analytics: bool | None = None
        vat_code: str | None = None

    tolerance: Decimal | None = None
    journals: list[str] | None = None
    accounts: dict[str, Account] | None = None
    mode: str = "auto"


@FAST
@given(sds.contexts(NestedContext))
def test_contexts_are_instances_of_the_model(context: NestedContext) -> None:
    assert isinstance(context, NestedContext)
    if context.accounts:
        assert all(isinstance(a, NestedContext.Account) for a in context.accounts.values())
    if context.tolerance is not None:
        assert isinstance(context.tolerance, Decimal)


@FAST
@given(sds.plugin_contexts(HOST, "kitgood"))
def test_plugin_contexts_are_keyed_by_plugin_and_accepted(context: dict[str, Any]) -> None:
    assert set(context) <= {"kitgood"}
    parsed = HOST.parse_context(context)
    assert all(isinstance(part, GoodContext) for part in parsed.values())


def test_mutated_examples_stay_close_to_the_written_ones() -> None:
    written = sds.example_entities(HOST, "kitgood")
    changed = []

    @FAST
    @given(sds.mutated_examples(HOST, "kitgood"))
    def prop(doc: dict[str, Any]) -> None:
        assert doc["kind"] == "journal_entry"
        list(HOST.validate_many([doc]))
        changed.append(doc not in written)

    prop()
    assert sum(changed) > len(changed) // 2


def test_plugin_kinds_come_from_the_detect_conditions() -> None:
    assert sds.plugin_kinds(HOST, "kitgood") == ["journal_entry"]
