"""The entities that travel between accounting tools: what rules check before sending.

Entities are a union discriminated by ``kind``. The core knows the kinds of the design;
plugins may add kinds of their own (``PluginSpec.entity_models``). Unknown fields are kept
(``extra="allow"``) so that a source's extra data reaches rule paths and comes back out
unchanged after a patch.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .money import Money

__all__ = [
    "CORE_ENTITY_MODELS",
    "AccountRef",
    "Address",
    "Attachment",
    "BankTransaction",
    "ClientInvoice",
    "Customer",
    "Entity",
    "EntityBase",
    "Expense",
    "Invoice",
    "InvoiceLine",
    "JournalEntry",
    "JournalLine",
    "Party",
    "Payment",
    "PosLine",
    "PosOrder",
    "Refund",
    "Service",
]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class Attachment(_Open):
    filename: str
    content_type: str | None = None
    size: int | None = Field(default=None, ge=0, le=10**15, description="bytes (at most 10^15: no file is larger)")


class EntityBase(_Open):
    """Fields every entity has. ``source``/``target`` name the plugins the entity travels
    between; when set, only those plugins' rules look at it."""

    kind: str
    id: str | None = None
    source: str | None = None
    target: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)


class Party(_Open):
    type: Literal["supplier", "customer", "employee", "other"] | None = None
    name: str | None = None


class JournalLine(_Open):
    account: str
    auxiliary: str | None = None
    label: str | None = None
    debit: Money = Decimal("0")
    credit: Money = Decimal("0")
    analytics: list[dict[str, Any]] | None = None
    vat_code: str | None = None


class JournalEntry(EntityBase):
    kind: Literal["journal_entry"] = "journal_entry"
    journal: str | None = None
    date: dt.date | None = None
    reference: str | None = None
    invoice_number: str | None = None
    label: str | None = None
    currency: str = "EUR"
    party: Party | None = None
    lines: list[JournalLine] = Field(default_factory=list)


class Address(_Open):
    line1: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None


class Customer(EntityBase):
    kind: Literal["customer"] = "customer"
    name: str
    display_name: str | None = None
    email: str | None = None
    type: str | None = None
    address: Address | None = None


class AccountRef(_Open):
    name: str | None = None
    type: str | None = None
    id: str | None = None


class Service(EntityBase):
    kind: Literal["service"] = "service"
    name: str
    description: str | None = None
    price: Money | None = None
    income_account: AccountRef | None = None


class InvoiceLine(_Open):
    description: str | None = None
    item: str | None = None
    quantity: Money = Decimal("1")
    unit_price: Money | None = None
    amount: Money


class Invoice(EntityBase):
    kind: Literal["invoice"] = "invoice"
    doc_number: str | None = None
    date: dt.date | None = None
    customer: Party | None = None
    total: Money
    open_balance: Money | None = None
    lines: list[InvoiceLine] = Field(default_factory=list)


class Payment(EntityBase):
    kind: Literal["payment"] = "payment"
    invoice_id: str | None = None
    date: dt.date | None = None
    customer: Party | None = None
    amount: Money
    credits_applied: Money = Decimal("0")
    open_balance: Money | None = None
    method: str | None = None


class Refund(EntityBase):
    kind: Literal["refund"] = "refund"
    payment_id: str | None = None
    invoice_id: str | None = None
    date: dt.date | None = None
    customer: Party | None = None
    amount: Money


class Expense(EntityBase):
    kind: Literal["expense"] = "expense"
    date: dt.date | None = None
    amount: Money
    account: AccountRef | None = None
    vendor: str | None = None
    description: str | None = None


class PosLine(_Open):
    name: str | None = None
    quantity: Money = Decimal("1")
    amount: Money = Field(description="line total including VAT")
    vat_rate: Money | None = None


class PosOrder(EntityBase):
    """A till order. ``total`` = sum of line amounts + ``tip`` - ``discount``."""

    kind: Literal["pos_order"] = "pos_order"
    business_day: dt.date | None = None
    total: Money
    tip: Money = Decimal("0")
    discount: Money = Decimal("0")
    payment_method: str | None = None
    lines: list[PosLine] = Field(default_factory=list)


class ClientInvoice(EntityBase):
    kind: Literal["client_invoice"] = "client_invoice"
    number: str | None = None
    status: str | None = None
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    client: Party | None = None
    total: Money
    vat_amount: Money | None = None
    currency: str = "EUR"


class BankTransaction(EntityBase):
    kind: Literal["bank_transaction"] = "bank_transaction"
    amount: Money
    side: Literal["credit", "debit"]
    label: str | None = None
    settled_at: dt.datetime | None = None
    emitted_at: dt.datetime | None = None
    status: str | None = None
    operation_type: str | None = None
    currency: str = "EUR"
    note: str | None = None
    reference: str | None = None
    tags: list[str] = Field(default_factory=list)
    counterparty: str | None = None


Entity = EntityBase
"""Any entity: an instance of one of the kinds below or of a plugin's own kind."""

CORE_ENTITY_MODELS: dict[str, type[EntityBase]] = {
    m.model_fields["kind"].default: m
    for m in (
        JournalEntry,
        Customer,
        Service,
        Invoice,
        Payment,
        Refund,
        Expense,
        PosOrder,
        ClientInvoice,
        BankTransaction,
    )
}
