"""Qonto API objects (transactions, attachments, client invoices) as syncdoctor entities.

Amounts: Qonto sends a decimal *and* an integer ``*_cents``; the cents are taken when present
(exact by construction), else the decimal parsed as :class:`~decimal.Decimal`. The direction of
a transaction comes from ``side``, never from the sign (the official example has a positive
``amount`` on a debit).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from syncdoctor import Attachment, BankTransaction, ClientInvoice, Party

from .window import parse_instant

__all__ = ["attachment", "bank_transaction", "client_invoice", "hashtags", "money"]

_HASHTAG = re.compile(r"#[\w-]+")


def money(raw: dict[str, Any], name: str) -> Decimal | None:
    """``name_cents`` / 100 when present, else ``name`` (a decimal, or ``{"value": "12.52"}``)."""
    cents = raw.get(f"{name}_cents")
    if isinstance(cents, int) and not isinstance(cents, bool):
        return Decimal(cents).scaleb(-2)  # 40160 -> 401.60, cents kept
    value = raw.get(name)
    if isinstance(value, dict):
        value = value.get("value")
    if value is None or isinstance(value, (bool, float)):
        return None
    return Decimal(str(value).strip())


def _instant(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return parse_instant(value)
    except ValueError:
        return None


def hashtags(text: str | None) -> list[str]:
    """``#Comptabilise`` and friends, in order, once each."""
    seen: list[str] = []
    for tag in _HASHTAG.findall(text or ""):
        if tag not in seen:
            seen.append(tag)
    return seen


def attachment(raw: dict[str, Any]) -> Attachment:
    size = raw.get("file_size")  # a string in the API
    try:
        size_bytes = int(str(size)) if size not in (None, "") else None
    except ValueError:
        size_bytes = None
    return Attachment(
        filename=str(raw.get("file_name") or raw.get("id") or "attachment"),
        content_type=raw.get("file_content_type"),
        size=size_bytes,
        id=raw.get("id"),
    )


def bank_transaction(raw: dict[str, Any], account: str, attachments: list[Attachment]) -> BankTransaction:
    note = raw.get("note")
    counterparty = raw.get("clean_counterparty_name") or raw.get("label")
    extra = {
        key: raw[key]
        for key in ("transaction_id", "attachment_ids", "vat_rate", "category", "card_last_digits", "updated_at")
        if raw.get(key) not in (None, [], "")
    }
    vat = money(raw, "vat_amount")
    if vat is not None:
        extra["vat_amount"] = vat
    amount = money(raw, "amount") or Decimal("0")
    side = raw.get("side") if raw.get("side") in ("credit", "debit") else ("debit" if amount < 0 else "credit")
    transfer = raw.get("transfer")
    if isinstance(transfer, dict) and transfer.get("counterparty_account_number"):
        extra["counterparty_account"] = transfer["counterparty_account_number"]
    return BankTransaction(
        id=str(raw["id"]),
        source="qonto",
        amount=abs(amount),  # the direction is `side`, whatever the sign
        side=side,
        label=raw.get("label"),
        settled_at=_instant(raw.get("settled_at")),
        emitted_at=_instant(raw.get("emitted_at")),
        status=raw.get("status"),
        operation_type=raw.get("operation_type"),
        currency=raw.get("currency") or "EUR",
        note=note,
        reference=raw.get("reference"),
        tags=hashtags(note),
        counterparty=counterparty,
        attachments=attachments,
        account=account,
        **extra,
    )


def _client_name(client: Any) -> str | None:
    if not isinstance(client, dict):
        return None
    if client.get("name"):
        return str(client["name"])
    parts = [client.get("first_name"), client.get("last_name")]
    name = " ".join(str(p) for p in parts if p)
    return name or None


def _items(raw: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for item in raw.get("items") or []:
        if not isinstance(item, dict):
            continue
        entry: dict[str, Any] = {"title": item.get("title")}
        for key in ("quantity", "vat_rate"):
            if item.get(key) is not None:
                entry[key] = Decimal(str(item[key]))
        for key in ("unit_price", "total_amount", "total_vat", "subtotal"):
            value = money(item, key)
            if value is not None:
                entry[key] = value
        out.append(entry)
    return out


def client_invoice(raw: dict[str, Any]) -> ClientInvoice:
    extra = {key: raw[key] for key in ("updated_at", "created_at", "finalized_at", "paid_at", "attachment_id")
             if raw.get(key)}
    name = _client_name(raw.get("client"))
    return ClientInvoice(
        id=str(raw["id"]),
        source="qonto",
        number=raw.get("number") or raw.get("invoice_number"),
        status=raw.get("status"),
        issue_date=raw.get("issue_date"),
        due_date=raw.get("due_date"),
        client=Party(type="customer", name=name) if name else None,
        total=money(raw, "total_amount") or Decimal("0"),
        vat_amount=money(raw, "vat_amount"),
        currency=raw.get("currency") or "EUR",
        items=_items(raw),
        **extra,
    )
