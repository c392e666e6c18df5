"""The facts a support request about POS/accounting differences must carry (seeds/003).

The sync platform's support asks for exactly: the consumer id; the date the tolerance was
changed, if it was recently; the amounts the client expects for a recent synchronised date;
and a detailed sales export of that date (order number, items, quantity sold, amounts with
VAT and VAT amounts), never a processed file with only the day's total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from syncdoctor import PosOrder

from .context import PosPennylaneContext

__all__ = ["sales_export", "support_request"]


def sales_export(orders: Iterable[PosOrder | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per order line: order number, item, quantity, amount incl. VAT, VAT amount, rate."""
    rows = []
    for raw in orders:
        order = raw if isinstance(raw, PosOrder) else PosOrder.model_validate(raw)
        for line in order.lines:
            extra = line.__pydantic_extra__ or {}
            rows.append({
                "order_number": order.id,
                "business_day": order.business_day,
                "item": line.name,
                "quantity": line.quantity,
                "amount_incl_vat": line.amount - Decimal(extra.get("discount") or 0),
                "vat_amount": extra.get("vat_amount"),
                "vat_rate": line.vat_rate,
            })
    return rows


def support_request(
    day: dt.date,
    orders: Iterable[PosOrder | Mapping[str, Any]],
    context: PosPennylaneContext | Mapping[str, Any] | None,
    expected_amount: Decimal | None = None,
) -> dict[str, Any]:
    """Everything the support request about ``day`` must list, in the guide's order.

    Tool ``pos_pennylane.support_request``. ``expected_amount`` is what the client expects
    for the day (by default the sum of the orders' totals).
    """
    if isinstance(context, Mapping):
        part = context.get("pos_pennylane", context)
        context = part if isinstance(part, PosPennylaneContext) else PosPennylaneContext.model_validate(part)
    chosen = [o if isinstance(o, PosOrder) else PosOrder.model_validate(o) for o in orders]
    expected = expected_amount if expected_amount is not None else sum((o.total for o in chosen), Decimal(0))
    return {
        "consumer_id": context.consumer_id if context else None,
        "tolerance_changed_on": context.tolerance_changed_on if context else None,
        "date": day,
        "expected_amount": expected,
        "sales_export": sales_export(chosen),
    }
