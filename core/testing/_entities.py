"""Hypothesis strategies for the core entity kinds, valid ones, and their building blocks.

An entity is generated as the JSON document a host receives (a ``dict`` with ``kind``), with
money as :class:`~decimal.Decimal` (never a float) and dates as ISO strings. The subtly
invalid variants are in ``_defects``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "ACCOUNT_KEYS",
    "CENT",
    "KINDS",
    "LIMITS",
    "auxiliary_codes",
    "money",
    "strings_past_limit",
    "strings_within_limit",
    "wrong_prefix_codes",
]

CENT = Decimal("0.01")

LIMITS: Mapping[str, int] = {
    # QuickBooks DocNumber (error 2050 "Max:21"); used for every document number.
    "doc_number": 21,
    # QuickBooks Customer.DisplayName.
    "display_name": 500,
    # QuickBooks item Name (the reference marks it unconfirmed; a plugin may know better).
    "service_name": 100,
    # QuickBooks line Description / PrivateNote.
    "description": 4000,
    # Qonto attachment upload limit, in bytes.
    "attachment_size": 15 * 1024 * 1024,
}
"""Field limits the generators respect (valid) or pass by one (invalid), from the vendor
fact sheet. Plugins with their own limits use :func:`strings_past_limit` directly."""

KINDS = (
    "journal_entry",
    "customer",
    "service",
    "invoice",
    "payment",
    "refund",
    "expense",
    "pos_order",
    "client_invoice",
    "bank_transaction",
)

_NAME_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NAMES = ("AARO", "Acme", "Boulangerie Martin", "Café du Port", "Dupont & Fils", "Élise Roux", "Zeta SAS")
ACCOUNT_KEYS = ("40100000", "41100000", "60610000", "62260000", "70600000", "44566000", "44571000", "51200000")
"""Account numbers used by the generators, so that generated contexts can refer to them."""


# ---------------------------------------------------------------- building blocks


def money(min_value: Decimal | str = "0.01", max_value: Decimal | str = "99999.99") -> st.SearchStrategy[Decimal]:
    """Amounts with exactly two decimals, as Decimal."""
    return st.decimals(min_value=Decimal(min_value), max_value=Decimal(max_value), places=2,
                       allow_nan=False, allow_infinity=False)


def words(min_size: int = 1, max_size: int = 30) -> st.SearchStrategy[str]:
    """Printable text without control characters (what a real name or label looks like)."""
    alphabet = st.characters(codec="utf-8", categories=("L", "N", "Zs", "Pd", "Po"), exclude_characters="\u2028\u2029:")
    return st.text(alphabet, min_size=min_size, max_size=max_size).map(str.strip).filter(bool)


def strings_within_limit(limit: int, min_size: int = 1) -> st.SearchStrategy[str]:
    """Strings a target accepts: at most ``limit`` characters, often exactly ``limit``."""
    exact = st.text(_NAME_ALPHABET + "0123456789", min_size=limit, max_size=limit)
    return st.one_of(st.text(_NAME_ALPHABET + "0123456789-", min_size=min_size, max_size=min(limit, 30)), exact)


def strings_past_limit(limit: int, by: int = 1) -> st.SearchStrategy[str]:
    """Strings exactly ``by`` characters past ``limit`` (the boundary a target rejects)."""
    return st.text(_NAME_ALPHABET + "0123456789", min_size=limit + by, max_size=limit + by)


def auxiliary_codes(prefix: str = "F") -> st.SearchStrategy[str]:
    """ACD-style auxiliary account codes: ``F`` for suppliers, ``C`` for customers."""
    return st.text(_NAME_ALPHABET + "0123456789", min_size=2, max_size=12).map(lambda s: prefix + s)


def wrong_prefix_codes(good: str = "FC") -> st.SearchStrategy[str]:
    """Auxiliary codes whose first letter is none of ``good`` (e.g. ``XAARO``)."""
    bad = "".join(c for c in _NAME_ALPHABET if c not in good)
    return st.tuples(st.sampled_from(bad), st.text(_NAME_ALPHABET, min_size=2, max_size=12)).map("".join)


def _dates() -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


def _iso_dates() -> st.SearchStrategy[str]:
    return _dates().map(dt.date.isoformat)


def _aware_datetimes() -> st.SearchStrategy[str]:
    zones = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=1)), dt.timezone(dt.timedelta(hours=2))])
    naive = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31))
    return st.builds(lambda d, z: d.replace(microsecond=0, tzinfo=z).isoformat(), naive, zones)


def _ids(prefix: str) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.integers(1, 99999).map(lambda n: f"{prefix}{n}"))


def _attachments() -> st.SearchStrategy[list[dict[str, Any]]]:
    one = st.fixed_dictionaries({
        "filename": st.sampled_from(["facture.pdf", "ticket.jpg", "receipt.png", "Z-2026-03-26.pdf"]),
        "content_type": st.sampled_from(["application/pdf", "image/jpeg", "image/png"]),
        "size": st.integers(1, LIMITS["attachment_size"]),
    })
    return st.lists(one, max_size=2)


def _common(prefix: str) -> dict[str, st.SearchStrategy[Any]]:
    return {"id": _ids(prefix), "attachments": _attachments()}


def _vat(net: Decimal, rate: Decimal) -> Decimal:
    return (net * rate).quantize(CENT)


# ---------------------------------------------------------------- valid kinds


@st.composite
def _journal_entry(draw: st.DrawFn) -> dict[str, Any]:
    supplier = draw(st.booleans())
    net = draw(money("0.01", "50000"))
    rate = draw(st.sampled_from([Decimal("0"), Decimal("0.055"), Decimal("0.10"), Decimal("0.20")]))
    vat = _vat(net, rate)
    total = net + vat
    name = draw(st.sampled_from(_NAMES))
    code = draw(auxiliary_codes("F" if supplier else "C"))
    zero = Decimal("0.00")
    if supplier:
        lines = [
            {"account": "40100000", "auxiliary": code, "debit": zero, "credit": total},
            {"account": draw(st.sampled_from(["60610000", "62260000", "60400000"])), "debit": net, "credit": zero,
             "analytics": []},
        ]
        if vat:
            lines.append({"account": "44566000", "debit": vat, "credit": zero})
    else:
        lines = [
            {"account": "41100000", "auxiliary": code, "debit": total, "credit": zero},
            {"account": "70600000", "debit": zero, "credit": net},
        ]
        if vat:
            lines.append({"account": "44571000", "debit": zero, "credit": vat})
    entry = {
        "kind": "journal_entry",
        "journal": "AC" if supplier else "VT",
        "date": draw(_iso_dates()),
        "reference": draw(strings_within_limit(LIMITS["doc_number"])),
        "label": name,
        "currency": "EUR",
        "party": {"type": "supplier" if supplier else "customer", "name": name},
        "lines": lines,
    }
    return {**entry, **draw(st.fixed_dictionaries(_common("e")))}


def _customer() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "kind": st.just("customer"),
        "name": words(1, 60),
        "display_name": words(1, 60),
        "email": st.sampled_from(["compta@example.com", "jean.dupont@example.fr", "a.b+c@example.org"]),
        "type": st.sampled_from(["company", "individual"]),
        **_common("c"),
    })


def _service() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "kind": st.just("service"),
        "name": words(1, LIMITS["service_name"]).map(lambda s: s[: LIMITS["service_name"]]),
        "description": words(1, 80),
        "price": money("0", "10000"),
        "income_account": st.fixed_dictionaries({"name": st.sampled_from(["Sales", "Services"]), "type": st.just("Income")}),
        **_common("s"),
    })


@st.composite
def _invoice(draw: st.DrawFn) -> dict[str, Any]:
    lines: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 4))):
        quantity = Decimal(draw(st.integers(1, 20)))
        unit = draw(money("0.01", "5000"))
        lines.append({"description": draw(words(1, 40)), "quantity": quantity, "unit_price": unit, "amount": quantity * unit})
    total = sum((line["amount"] for line in lines), Decimal("0"))
    invoice = {
        "kind": "invoice",
        "doc_number": draw(strings_within_limit(LIMITS["doc_number"])),
        "date": draw(_iso_dates()),
        "customer": {"type": "customer", "name": draw(st.sampled_from(_NAMES))},
        "total": total,
        "open_balance": total,
        "lines": lines,
    }
    return {**invoice, **draw(st.fixed_dictionaries(_common("i")))}


@st.composite
def _payment(draw: st.DrawFn) -> dict[str, Any]:
    open_balance = draw(money("0.02", "50000"))
    credits = draw(money("0", str(open_balance - CENT)))
    amount = draw(money("0.01", str(open_balance - credits)))
    payment = {"kind": "payment", "invoice_id": draw(st.integers(1, 9999).map(lambda n: f"i{n}")), "date": draw(_iso_dates()),
               "customer": {"type": "customer", "name": draw(st.sampled_from(_NAMES))},
               "amount": amount, "credits_applied": credits, "open_balance": open_balance,
               "method": draw(st.sampled_from(["card", "transfer", "cash"]))}
    return {**payment, **draw(st.fixed_dictionaries(_common("p")))}


def _refund() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "kind": st.just("refund"),
        "payment_id": st.integers(1, 9999).map(lambda n: f"p{n}"),
        "invoice_id": st.integers(1, 9999).map(lambda n: f"i{n}"),
        "date": _iso_dates(),
        "amount": money("0.01", "50000"),
        **_common("r"),
    })


def _expense() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "kind": st.just("expense"),
        "date": _iso_dates(),
        "amount": money("0.01", "5000"),
        "account": st.fixed_dictionaries({"name": st.sampled_from(["Bank fees", "Stripe fees"]), "type": st.just("Expense")}),
        "vendor": st.sampled_from(["Stripe", "GoCardless", "Qonto"]),
        "description": words(1, 60),
        **_common("x"),
    })


@st.composite
def _pos_order(draw: st.DrawFn) -> dict[str, Any]:
    lines: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 5))):
        quantity = Decimal(draw(st.integers(1, 6)))
        unit = draw(money("0.50", "80"))
        lines.append({"name": draw(st.sampled_from(["Menu", "Café", "Croissant", "Vin"])), "quantity": quantity,
                      "amount": quantity * unit, "vat_rate": draw(st.sampled_from([Decimal("0.10"), Decimal("0.20")]))})
    subtotal: Decimal = sum((line["amount"] for line in lines), Decimal("0"))
    tip = draw(st.sampled_from([Decimal("0"), Decimal("1.00"), Decimal("2.50")]))
    discount = draw(money("0", str(subtotal))) if draw(st.booleans()) else Decimal("0")
    order = {"kind": "pos_order", "business_day": draw(_iso_dates()), "total": subtotal + tip - discount, "tip": tip,
             "discount": discount, "payment_method": draw(st.sampled_from(["CASH", "CARD", "TICKET"])), "lines": lines}
    return {**order, **draw(st.fixed_dictionaries(_common("o")))}


@st.composite
def _client_invoice(draw: st.DrawFn) -> dict[str, Any]:
    issue = draw(_dates())
    due = issue + dt.timedelta(days=draw(st.integers(0, 60)))
    total = draw(money("0.01", "90000"))
    vat = (total - total / Decimal("1.2")).quantize(CENT)
    invoice = {"kind": "client_invoice", "number": f"F-{issue.year}-{draw(st.integers(1, 999)):03d}",
               "status": draw(st.sampled_from(["draft", "unpaid", "paid", "canceled"])),
               "issue_date": issue.isoformat(), "due_date": due.isoformat(),
               "client": {"type": "customer", "name": draw(st.sampled_from(_NAMES))},
               "total": total, "vat_amount": vat, "currency": "EUR"}
    return {**invoice, **draw(st.fixed_dictionaries(_common("ci")))}


def _bank_transaction() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "kind": st.just("bank_transaction"),
        "amount": money("0.01", "90000"),
        "side": st.sampled_from(["credit", "debit"]),
        "label": st.sampled_from(_NAMES),
        "settled_at": _aware_datetimes(),
        "status": st.just("completed"),
        "operation_type": st.sampled_from(["transfer", "card", "direct_debit"]),
        "currency": st.just("EUR"),
        "note": st.one_of(st.none(), words(1, 40)),
        "reference": st.one_of(st.none(), strings_within_limit(LIMITS["doc_number"])),
        "tags": st.lists(st.sampled_from(["#Frais", "#Client", "#Fournisseur"]), max_size=2, unique=True),
        **_common("t"),
    })


# kind -> strategy of valid documents (the defects of ``_defects`` start from these)
VALID_KINDS: dict[str, Callable[[], st.SearchStrategy[dict[str, Any]]]] = {
    "journal_entry": _journal_entry,
    "customer": _customer,
    "service": _service,
    "invoice": _invoice,
    "payment": _payment,
    "refund": _refund,
    "expense": _expense,
    "pos_order": _pos_order,
    "client_invoice": _client_invoice,
    "bank_transaction": _bank_transaction,
}
