"""The context model: every field optional, documented, exact money; missing data never fires."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from syncdoctor import ContextError, Host
from syncdoctor_pos_pennylane.context import AccountMapping, PosPennylaneContext, rate_key


def test_every_field_is_optional_and_documented() -> None:
    empty = PosPennylaneContext()
    assert all(getattr(empty, name) is None for name in PosPennylaneContext.model_fields)
    for name, field in PosPennylaneContext.model_fields.items():
        assert field.description, name
    for name, field in AccountMapping.model_fields.items():
        assert field.description, name


def test_a_full_context_parses_with_exact_types() -> None:
    ctx = PosPennylaneContext.model_validate({
        "consumer_id": "c-1",
        "accounting_connection": {"tool": "pennylane", "status": "Active"},
        "pos_connection": {"tool": "lightspeed", "status": " PENDING "},
        "mappings_complete": True,
        "sync_status": "Enabled",
        "start_date": "2026-09-01",
        "tolerance": "50",
        "tolerance_changed_on": "2026-08-15",
        "last_execution": "2026-09-03T06:00:00+02:00",
        "executions": [{"id": "ex-1", "status": "ERROR", "days": [
            {"date": "2026-09-02", "result": "Error", "errors": [{"message": "Unauthorized", "http_status": 401}]}]}],
        "open_days": ["2026-09-03"],
        "account_mapping": {"payment_methods": {"CASH": "530000"}, "vat_rates": {"5.50": "445711", "20.0": "445710"}},
    })
    assert ctx.tolerance == Decimal("50") and isinstance(ctx.tolerance, Decimal)
    assert ctx.accounting_connection is not None and ctx.accounting_connection.status == "active"
    assert ctx.pos_connection is not None and ctx.pos_connection.status == "pending"
    assert ctx.sync_status == "enabled"
    assert ctx.start_date == dt.date(2026, 9, 1)
    assert ctx.executions is not None and ctx.executions[0].days[0].result == "error"
    assert ctx.executions[0].days[0].errors[0].http_status == 401
    assert ctx.open_days == [dt.date(2026, 9, 3)]
    assert ctx.account_mapping is not None and ctx.account_mapping.vat_rates == {"5.5": "445711", "20": "445710"}


def test_a_binary_float_tolerance_is_refused() -> None:
    with pytest.raises(ValidationError):
        PosPennylaneContext.model_validate({"tolerance": 0.05})


def test_an_unknown_top_level_field_is_refused_with_its_name(host: Host) -> None:
    with pytest.raises(ContextError) as info:
        host.parse_context({"pos_pennylane": {"tolerence": "0.05"}})
    assert "pos_pennylane.tolerence" in str(info.value)


@pytest.mark.parametrize(("raw", "key"), [("20", "20"), ("20.000000", "20"), (Decimal("5.50"), "5.5"),
                                          ("5.5 %", "5.5"), (10, "10"), ("0.0", "0"), ("x", None), (None, None)])
def test_rate_keys(raw: object, key: str | None) -> None:
    assert rate_key(raw) == key


def test_an_empty_executions_list_means_never_run_and_a_missing_one_means_unknown(host: Host) -> None:
    never = host.validate({"kind": "pos_sync"}, {"pos_pennylane": {"executions": []}})
    unknown = host.validate({"kind": "pos_sync"}, {"pos_pennylane": {}})
    assert [f.problem for f in never] == ["pos_pennylane.sync_never_executed"]
    assert unknown == []


@pytest.mark.parametrize("entity", [
    {"kind": "pos_sync"},
    {"kind": "pos_day", "date": "2026-09-01", "imported": True, "pos_amount": "10.00"},
    {"kind": "pos_order", "total": "25.00", "payment_method": "TR", "lines": [{"amount": "25.00"}]},
    {"kind": "journal_entry", "source": "pos_pennylane", "lines": [{"account": "530000", "debit": "1.00"},
                                                                   {"account": "706000", "credit": "1.00"}]},
])
def test_without_context_no_context_check_fires(host: Host, entity: dict[str, object]) -> None:
    assert host.validate(entity) == []
