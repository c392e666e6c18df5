"""The daily Pennylane entry (a "Ticket Z") built from one business day's orders.

Debits: the money received, one line per payment method. Credits: sales excluding VAT and
VAT collected, one pair of lines per VAT rate, and the tips paid back to staff.

Rounding, in this order (Decimal only, ``ROUND_HALF_UP`` to the cent):

1. every amount of the day is added up **exactly** (a POS sends up to 6 decimals), per
   payment method, per VAT rate (line amount incl. VAT minus its discount, plus its share
   of any order-level discount) and for tips;
2. each of those sums is rounded to the cent once, never each order or line, so that
   rounding errors do not pile up;
3. per VAT rate, VAT = round(TTC x rate / (100 + rate)) and sales = TTC - VAT, so that the
   two lines of a rate add up to its rounded TTC exactly;
4. what is left (debits - credits) goes to a rounding line: credit ``rounding_gain``
   (default 758000) when debits exceed credits, debit ``rounding_loss`` (default 658000)
   otherwise. The entry is therefore always balanced to the cent. ``max_rounding`` on the
   entry is the most rounding alone can leave (half a cent per rounded sum, in whole
   cents); a larger remainder means orders that do not add up (see
   ``pos_pennylane.daily_entry_gap``).

An account the mapping does not give is left empty (``account: ""``) with the mapping key
that is missing in ``mapping``, so that validation (``pos_pennylane.unmapped_account``)
names it; such an entry must not be sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from syncdoctor import JournalEntry, JournalLine, PosOrder

from .context import AccountMapping, PosPennylaneContext, rate_key

__all__ = [
    "CENT",
    "DEFAULT_ROUNDING_GAIN",
    "DEFAULT_ROUNDING_LOSS",
    "DayTotals",
    "cents",
    "daily_entry",
    "day_totals",
    "to_pennylane_payload",
]

CENT = Decimal("0.01")
ZERO = Decimal("0")
DEFAULT_ROUNDING_GAIN = "758000"
DEFAULT_ROUNDING_LOSS = "658000"
PLUGIN = "pos_pennylane"


def cents(amount: Decimal) -> Decimal:
    """Round to the cent, half away from zero (``ROUND_HALF_UP``)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class DayTotals:
    """The exact (unrounded) sums of one business day."""

    payments: dict[str, Decimal] = field(default_factory=dict)
    sales: dict[str | None, Decimal] = field(default_factory=dict)
    tips: Decimal = ZERO
    orders: int = 0

    def add(self, bucket: dict[Any, Decimal], key: Any, amount: Decimal) -> None:
        bucket[key] = bucket.get(key, ZERO) + amount


def _order(raw: PosOrder | Mapping[str, Any]) -> PosOrder:
    return raw if isinstance(raw, PosOrder) else PosOrder.model_validate(raw)


def _decimal(value: Any) -> Decimal:
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"an amount must be a Decimal, an int or a decimal string, not {type(value).__name__}")


def _extra(obj: Any, name: str) -> Any:
    extra = getattr(obj, "__pydantic_extra__", None) or {}
    return extra.get(name)


def _payments(order: PosOrder) -> list[tuple[str, Decimal]]:
    """(method, amount received incl. tip) of an order; one payment of the total by default."""
    listed = _extra(order, "payments")
    if isinstance(listed, list) and listed:
        return [(str(p.get("method") or "unknown"), _decimal(p.get("amount"))) for p in listed]
    return [(order.payment_method or "unknown", order.total)]


def _sales_by_rate(order: PosOrder) -> dict[str | None, Decimal]:
    """TTC per VAT rate after discounts; an order-level discount is shared pro rata."""
    by_rate: dict[str | None, Decimal] = {}
    line_discounts = ZERO
    for line in order.lines:
        discount = _decimal(_extra(line, "discount"))
        line_discounts += discount
        key = rate_key(line.vat_rate)
        by_rate[key] = by_rate.get(key, ZERO) + line.amount - discount
    rest = order.discount - line_discounts
    if rest:
        base = sum(by_rate.values(), ZERO)
        if not base:
            first = next(iter(by_rate), None)
            by_rate[first] = by_rate.get(first, ZERO) - rest
        else:
            for key, amount in list(by_rate.items()):
                by_rate[key] = amount - rest * amount / base
    return by_rate


def day_totals(orders: Iterable[PosOrder | Mapping[str, Any]], day: dt.date) -> DayTotals:
    """Add one day's orders up exactly. An order of another day is an error, not skipped."""
    totals = DayTotals()
    for raw in orders:
        order = _order(raw)
        if order.business_day is not None and order.business_day != day:
            raise ValueError(f"order {order.id or '?'} belongs to {order.business_day}, not to {day}")
        totals.orders += 1
        for method, amount in _payments(order):
            totals.add(totals.payments, method, amount)
        for key, amount in _sales_by_rate(order).items():
            totals.add(totals.sales, key, amount)
        totals.tips += order.tip
    return totals


def _mapping(context: PosPennylaneContext | Mapping[str, Any] | None) -> AccountMapping:
    if context is None:
        return AccountMapping()
    if isinstance(context, Mapping):
        part = context.get(PLUGIN, context)
        context = part if isinstance(part, PosPennylaneContext) else PosPennylaneContext.model_validate(part)
    return context.account_mapping or AccountMapping()


def _line(account: str | None, label: str, amount: Decimal, debit: bool, mapping: str, **extra: Any) -> JournalLine:
    """A line on its natural side, moved to the other side when the amount is negative."""
    if amount < 0:
        amount, debit = -amount, not debit
    return JournalLine(
        account=account or "",
        label=label,
        debit=amount if debit else ZERO.quantize(CENT),
        credit=ZERO.quantize(CENT) if debit else amount,
        mapping=mapping,
        **extra,
    )


def daily_entry(
    orders: Iterable[PosOrder | Mapping[str, Any]],
    day: dt.date | str,
    context: PosPennylaneContext | Mapping[str, Any] | None = None,
) -> JournalEntry:
    """Build the balanced daily entry of ``day`` (tool ``pos_pennylane.daily_entry``).

    :param orders: the day's ``pos_order`` entities (models or dicts).
    :param day: the business day.
    :param context: this plugin's context (or the whole context document); its
        ``account_mapping`` gives the accounts.
    :return: a ``journal_entry`` with ``source: pos_pennylane``, balanced to the cent.
    """
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    mapping = _mapping(context)
    with localcontext() as ctx:
        ctx.prec = 50  # pro-rata shares of discounts stay exact far below the cent
        totals = day_totals(orders, day)
    lines: list[JournalLine] = []
    methods = mapping.payment_methods or {}
    for method in sorted(totals.payments):
        amount = cents(totals.payments[method])
        if amount:
            lines.append(_line(methods.get(method), f"Encaissements {method}", amount, True,
                               f"payment_method:{method}"))
    sales_accounts = mapping.sales_by_vat_rate or {}
    vat_accounts = mapping.vat_rates or {}
    for key in sorted(totals.sales, key=lambda k: (k is None, Decimal(k) if k is not None else ZERO)):
        ttc = cents(totals.sales[key])
        if not ttc:
            continue
        if key is None:  # no VAT rate: the VAT cannot be split out, the line must be mapped by hand
            lines.append(_line(None, "Ventes (taux de TVA inconnu)", ttc, False, "vat_rate:unknown"))
            continue
        rate = Decimal(key)
        vat = cents(ttc * rate / (100 + rate))
        lines.append(_line(sales_accounts.get(key) or mapping.sales, f"Ventes TVA {key} %", ttc - vat, False,
                           f"sales:{key}"))
        if vat:
            lines.append(_line(vat_accounts.get(key), f"TVA collectée {key} %", vat, False, f"vat_rate:{key}"))
    tips = cents(totals.tips)
    if tips:
        lines.append(_line(mapping.tips, "Pourboires", tips, False, "tips"))
    remainder = sum((ln.debit - ln.credit for ln in lines), ZERO)
    if remainder:
        if remainder > 0:
            account = mapping.rounding_gain or DEFAULT_ROUNDING_GAIN
        else:
            account = mapping.rounding_loss or DEFAULT_ROUNDING_LOSS
        lines.append(_line(account, "Écart d'arrondi", remainder, False,
                           "rounding_gain" if remainder > 0 else "rounding_loss", rounding=True))
    buckets = len(totals.payments) + len(totals.sales) + (1 if totals.tips else 0)
    max_rounding = (Decimal("0.005") * buckets).quantize(CENT, rounding=ROUND_DOWN)
    return JournalEntry(
        id=f"Z-{day.isoformat()}",
        source=PLUGIN,
        journal=mapping.journal,
        date=day,
        reference=f"Z-{day.isoformat()}",
        label=f"Ticket Z {day.isoformat()}",
        lines=lines,
        business_day=day,
        orders=totals.orders,
        remainder=remainder,
        max_rounding=max_rounding,
    )


def to_pennylane_payload(entry: JournalEntry, journal_id: int, account_ids: Mapping[str, int]) -> dict[str, Any]:
    """The body of ``POST /api/external/v2/ledger_entries`` for a validated daily entry.

    Journal and ledger-account ids are specific to each Pennylane company, hence the
    lookups. Amounts are decimal strings with two decimals.
    """
    missing = sorted({ln.account or "(empty)" for ln in entry.lines if ln.account not in account_ids})
    if missing:
        raise ValueError(f"no Pennylane ledger account id for account(s) {', '.join(missing)}")
    return {
        "date": entry.date.isoformat() if entry.date else None,
        "label": entry.label,
        "journal_id": journal_id,
        "piece_number": entry.reference,
        "currency": entry.currency,
        "ledger_entry_lines": [
            {"ledger_account_id": account_ids[ln.account], "debit": str(cents(ln.debit)),
             "credit": str(cents(ln.credit)), "label": ln.label}
            for ln in entry.lines
        ],
    }
