"""The daily Pennylane entry: balanced to the cent after rounding, Decimal only, validated."""

from __future__ import annotations

import copy
import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncdoctor import Host, JournalEntry, JournalLine
from syncdoctor_pos_pennylane.context import rate_key
from syncdoctor_pos_pennylane.daily_entry import cents, daily_entry, day_totals, to_pennylane_payload

DAY = dt.date(2026, 9, 1)
RATES = ["0", "2.1", "5.5", "10", "20"]
METHODS = ["CASH", "CARD", "TR"]
HOST = Host.from_entry_points(names=["pos_pennylane"], strict=True)
MAPPING: dict[str, Any] = {
    "journal": "VT",
    "payment_methods": {"CASH": "530000", "CARD": "511200", "TR": "511300"},
    "vat_rates": {"2.1": "445713", "5.5": "445711", "10": "445712", "20": "445710"},
    "sales": "706000",
    "tips": "428600",
}
CONTEXT = {"pos_pennylane": {"account_mapping": MAPPING}}


def _order(n: int, lines: list[tuple[str, str, str]], payments: list[tuple[str, str]], tip: str = "0",
           discount: str | None = None) -> dict[str, Any]:
    line_discounts = sum((Decimal(d) for _, _, d in lines), Decimal(0))
    return {
        "kind": "pos_order", "id": f"o{n}", "source": "pos_pennylane", "business_day": DAY.isoformat(),
        "total": str(sum((Decimal(a) for _, a in payments), Decimal(0))), "tip": tip,
        "discount": discount if discount is not None else str(line_discounts),
        "lines": [{"amount": a, "vat_rate": r, "discount": d} for a, r, d in lines],
        "payments": [{"method": m, "amount": a} for m, a in payments],
    }


def _mapping(line: JournalLine) -> str:
    return str((line.model_extra or {}).get("mapping", ""))


def _lines(entry: JournalEntry) -> list[tuple[str, str, Decimal, Decimal]]:
    return [(ln.account, _mapping(ln), ln.debit, ln.credit) for ln in entry.lines]


def test_a_simple_day() -> None:
    orders = [
        _order(1, [("22.00", "10", "0"), ("2.20", "10", "0")], [("CARD", "26.20")], tip="2.00"),
        _order(2, [("29.00", "10", "1.45"), ("11.60", "20", "0")], [("CASH", "39.15")]),
        _order(3, [("15.80", "5.5", "0")], [("TR", "15.80")]),
    ]
    entry = daily_entry(orders, DAY, CONTEXT)
    assert _lines(entry) == [
        ("511200", "payment_method:CARD", Decimal("26.20"), Decimal("0.00")),
        ("530000", "payment_method:CASH", Decimal("39.15"), Decimal("0.00")),
        ("511300", "payment_method:TR", Decimal("15.80"), Decimal("0.00")),
        ("706000", "sales:5.5", Decimal("0.00"), Decimal("14.98")),
        ("445711", "vat_rate:5.5", Decimal("0.00"), Decimal("0.82")),
        ("706000", "sales:10", Decimal("0.00"), Decimal("47.05")),
        ("445712", "vat_rate:10", Decimal("0.00"), Decimal("4.70")),
        ("706000", "sales:20", Decimal("0.00"), Decimal("9.67")),
        ("445710", "vat_rate:20", Decimal("0.00"), Decimal("1.93")),
        ("428600", "tips", Decimal("0.00"), Decimal("2.00")),
    ]
    assert entry.source == "pos_pennylane" and entry.journal == "VT" and entry.date == DAY
    assert entry.remainder == 0 and entry.orders == 3
    assert HOST.validate(entry, CONTEXT) == []


def test_a_split_bill_leaves_no_remainder_beyond_rounding() -> None:
    thirds = [_order(n, [("8.333333", "10", "0")], [("CARD", p)]) for n, p in enumerate(["8.33", "8.33", "8.34"])]
    entry = daily_entry(thirds, DAY, CONTEXT)
    assert sum(ln.debit for ln in entry.lines) == sum(ln.credit for ln in entry.lines) == Decimal("25.00")
    # 24.999999 of sales round to 25.00: nothing left for the rounding account
    assert entry.remainder == 0 and not any((ln.model_extra or {}).get("rounding") for ln in entry.lines)


def test_a_remainder_goes_to_the_documented_rounding_accounts() -> None:
    gain = daily_entry([_order(1, [("22.70", "10", "0")], [("CARD", "25.00")])], DAY, CONTEXT)
    assert _lines(gain)[-1] == ("758000", "rounding_gain", Decimal("0.00"), Decimal("2.30"))
    assert gain.remainder == Decimal("2.30") and gain.max_rounding == Decimal("0.01")  # 2 sums rounded
    assert [f.problem for f in HOST.validate(gain, CONTEXT)] == ["pos_pennylane.daily_entry_gap"]
    loss = daily_entry([_order(1, [("30.00", "10", "0")], [("CARD", "27.00")])], DAY,
                       {"account_mapping": {**MAPPING, "rounding_loss": "658100"}})
    assert _lines(loss)[-1] == ("658100", "rounding_loss", Decimal("3.00"), Decimal("0.00"))


def test_a_refund_puts_amounts_on_the_other_side() -> None:
    entry = daily_entry([_order(1, [("-5.80", "20", "0")], [("CASH", "-5.80")])], DAY, CONTEXT)
    assert _lines(entry) == [
        ("530000", "payment_method:CASH", Decimal("0.00"), Decimal("5.80")),
        ("706000", "sales:20", Decimal("4.83"), Decimal("0.00")),
        ("445710", "vat_rate:20", Decimal("0.97"), Decimal("0.00")),
    ]


def test_an_order_level_discount_is_shared_across_rates_pro_rata() -> None:
    order = _order(1, [("30.00", "10", "0"), ("10.00", "20", "0")], [("CARD", "36.00")], discount="4.00")
    totals = day_totals([order], DAY)
    assert totals.sales == {"10": Decimal("27.00"), "20": Decimal("9.00")}


def test_unmapped_accounts_are_left_empty_and_flagged(host: Host) -> None:
    context = {"pos_pennylane": {"account_mapping": {**MAPPING, "payment_methods": {"CASH": "530000"}, "tips": None}}}
    orders = [_order(1, [("12.00", "10", "0")], [("TR", "14.00")], tip="2.00"),
              {"kind": "pos_order", "business_day": DAY.isoformat(), "total": "5.00", "payment_method": "CASH",
               "lines": [{"amount": "5.00"}]}]
    entry = daily_entry(orders, DAY, context)
    findings = host.validate(entry, context)
    assert sorted((f.problem, f.params["mapping"]) for f in findings) == [
        ("pos_pennylane.unmapped_account", "payment_method:TR"),
        ("pos_pennylane.unmapped_account", "tips"),
        ("pos_pennylane.unmapped_account", "vat_rate:unknown"),
    ]
    assert all(f.path and f.path.startswith("lines[") and f.path.endswith("].account") for f in findings)


def test_an_unbalanced_entry_is_flagged(host: Host) -> None:
    entry = daily_entry([_order(1, [("24.00", "10", "0")], [("CASH", "24.00")])], DAY, CONTEXT)
    assert host.validate(entry, CONTEXT) == []
    broken = entry.model_copy(deep=True)
    broken.lines[1].credit += Decimal("0.01")
    (finding,) = host.validate(broken, CONTEXT)
    assert finding.problem == "pos_pennylane.daily_entry_unbalanced"
    assert finding.params["difference"] == Decimal("-0.01")


def test_an_order_of_another_day_is_refused() -> None:
    other = _order(1, [("5.00", "10", "0")], [("CASH", "5.00")])
    other["business_day"] = "2026-09-02"
    with pytest.raises(ValueError, match="2026-09-02"):
        daily_entry([other], DAY, CONTEXT)


def test_the_pennylane_payload() -> None:
    entry = daily_entry([_order(1, [("24.00", "10", "0")], [("CASH", "24.00")])], DAY, CONTEXT)
    ids = {"530000": 1, "706000": 2, "445712": 3}
    payload = to_pennylane_payload(entry, 7, ids)
    assert payload["date"] == "2026-09-01" and payload["journal_id"] == 7
    assert payload["ledger_entry_lines"][0] == {"ledger_account_id": 1, "debit": "24.00", "credit": "0.00",
                                                 "label": "Encaissements CASH"}
    with pytest.raises(ValueError, match="445712"):
        to_pennylane_payload(entry, 7, {"530000": 1, "706000": 2})


def test_rounding_is_half_up() -> None:
    assert cents(Decimal("0.005")) == Decimal("0.01")
    assert cents(Decimal("-0.005")) == Decimal("-0.01")
    assert cents(Decimal("2.344999")) == Decimal("2.34")


def test_the_tool_is_shared_through_the_host(host: Host) -> None:
    assert host.tool("pos_pennylane.daily_entry") is daily_entry


# ------------------------------------------------------------------ properties

amounts = st.decimals(min_value=Decimal("-50"), max_value=Decimal("500"), places=6, allow_nan=False,
                      allow_infinity=False)
tips = st.decimals(min_value=Decimal("0"), max_value=Decimal("20"), places=2, allow_nan=False, allow_infinity=False)


@st.composite
def order_data(draw: st.DrawFn, exact: bool = True, order_discount: bool = True) -> dict[str, Any]:
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        amount = draw(amounts)
        discount = draw(st.sampled_from([Decimal(0), (abs(amount) / 10).quantize(Decimal("0.01"))]))
        lines.append({"amount": str(amount), "vat_rate": draw(st.sampled_from(RATES)), "discount": str(discount)})
    tip = draw(tips)
    line_discounts = sum((Decimal(ln["discount"]) for ln in lines), Decimal(0))
    extra = draw(st.sampled_from([Decimal(0), Decimal("1.00"), Decimal("0.333333")])) if order_discount else Decimal(0)
    due = sum((Decimal(ln["amount"]) for ln in lines), Decimal(0)) + tip - line_discounts - extra
    if not exact:
        due += draw(st.decimals(min_value=Decimal("-5"), max_value=Decimal("5"), places=2, allow_nan=False,
                                allow_infinity=False))
    methods = draw(st.lists(st.sampled_from(METHODS), min_size=1, max_size=3))
    shares = [(due / len(methods)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP) for _ in methods]
    shares[-1] = due - sum(shares[:-1], Decimal(0))
    return {
        "kind": "pos_order", "business_day": DAY.isoformat(), "total": str(due), "tip": str(tip),
        "discount": str(line_discounts + extra), "lines": lines,
        "payments": [{"method": m, "amount": str(s)} for m, s in zip(methods, shares, strict=True)],
    }


def _assert_decimal_only(entry: JournalEntry) -> None:
    for line in entry.lines:
        assert type(line.debit) is Decimal and type(line.credit) is Decimal
    assert type(entry.remainder) is Decimal and type(entry.max_rounding) is Decimal
    dumped = entry.model_dump()
    assert not any(isinstance(v, float) for ln in dumped["lines"] for v in ln.values())


def _balanced_in_cents(entry: JournalEntry) -> None:
    debit = sum((ln.debit for ln in entry.lines), Decimal(0))
    credit = sum((ln.credit for ln in entry.lines), Decimal(0))
    assert debit == credit
    for line in entry.lines:
        assert line.debit >= 0 and line.credit >= 0
        assert (line.debit == 0) != (line.credit == 0), line
        assert line.debit == line.debit.quantize(Decimal("0.01")) and line.credit == line.credit.quantize(Decimal("0.01"))
        assert line.debit.as_tuple().exponent == -2 and line.credit.as_tuple().exponent == -2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(order_data(exact=False), min_size=1, max_size=8))
def test_every_day_is_balanced_to_the_cent(orders: list[dict[str, Any]]) -> None:
    entry = daily_entry(orders, DAY, CONTEXT)
    _balanced_in_cents(entry)
    _assert_decimal_only(entry)
    assert [f.problem for f in HOST.validate(entry, CONTEXT) if f.severity == "error"] == []


@settings(max_examples=150, deadline=None)
@given(st.lists(order_data(exact=True), min_size=1, max_size=8))
def test_when_orders_add_up_only_rounding_is_left(orders: list[dict[str, Any]]) -> None:
    entry = daily_entry(orders, DAY, CONTEXT)
    assert abs(entry.remainder) <= entry.max_rounding
    assert [f.problem for f in HOST.validate(entry, CONTEXT)] == []


@settings(max_examples=100, deadline=None)
@given(st.lists(order_data(exact=False, order_discount=False), min_size=1, max_size=8))
def test_each_rate_splits_its_rounded_total_into_sales_and_vat(orders: list[dict[str, Any]]) -> None:
    entry = daily_entry(orders, DAY, CONTEXT)
    expected: dict[str, Decimal] = {}
    for order in orders:
        for line in order["lines"]:
            rate = rate_key(line["vat_rate"]) or ""
            expected[rate] = expected.get(rate, Decimal(0)) + Decimal(line["amount"]) - Decimal(line["discount"])
    signed = {_mapping(ln): ln.credit - ln.debit for ln in entry.lines}
    for rate, ttc in expected.items():
        ttc = cents(ttc)
        vat = cents(ttc * Decimal(rate) / (100 + Decimal(rate)))
        assert signed.get(f"sales:{rate}", Decimal(0)) == ttc - vat
        assert signed.get(f"vat_rate:{rate}", Decimal(0)) == vat


@settings(max_examples=100, deadline=None)
@given(st.lists(order_data(exact=False), min_size=1, max_size=8))
def test_payments_are_rounded_once_per_method(orders: list[dict[str, Any]]) -> None:
    entry = daily_entry(orders, DAY, CONTEXT)
    received: dict[str, Decimal] = {}
    for order in orders:
        for payment in order["payments"]:
            received[payment["method"]] = received.get(payment["method"], Decimal(0)) + Decimal(payment["amount"])
    signed = {_mapping(ln): ln.debit - ln.credit for ln in entry.lines}
    for method, amount in received.items():
        assert signed.get(f"payment_method:{method}", Decimal(0)) == cents(amount)


@settings(max_examples=60, deadline=None)
@given(st.lists(order_data(exact=False), min_size=2, max_size=8), st.randoms(use_true_random=False))
def test_the_order_of_orders_does_not_matter(orders: list[dict[str, Any]], rnd: random.Random) -> None:
    shuffled = copy.deepcopy(orders)
    rnd.shuffle(shuffled)
    assert _lines(daily_entry(orders, DAY, CONTEXT)) == _lines(daily_entry(shuffled, DAY, CONTEXT))
