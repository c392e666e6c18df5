"""What the QuickBooks rules know about the company before an entity is sent.

Pass it as ``--context '{"quickbooks": {...}}'`` (or ``context={"quickbooks": ...}`` to
``Host.validate_many``). Every field is optional: a rule whose data is missing does not fire,
so an empty context only turns the checks that need company data off.
:meth:`QuickBooksContext.from_entities` builds one from what ``syncdoctor fetch quickbooks``
returns, so the duplicate-number and customer checks can run on live data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from syncdoctor import EntityBase, Money

__all__ = ["ExistingDocument", "QuickBooksContext", "SyncedTransaction"]


class _Strict(BaseModel):
    # A misspelt key would silently switch a check off: refuse it with a clear message.
    model_config = ConfigDict(extra="forbid")


class ExistingDocument(_Strict):
    """A document number already used in the company (QBO answers 6140 when it is reused)."""

    txn_type: str | None = Field(default=None, description="QuickBooks TxnType, e.g. Invoice")
    txn_id: str | None = Field(default=None, description="QuickBooks Id of the transaction holding it")


class SyncedTransaction(_Strict):
    """A transaction as it is now in QuickBooks, keyed by its QuickBooks Id in ``transactions``."""

    txn_type: str | None = None
    doc_number: str | None = None
    total: Money | None = None
    customer: str | None = Field(default=None, description="customer DisplayName")
    sync_token: str | None = Field(default=None, description="QuickBooks SyncToken (bumped on every edit)")


class QuickBooksContext(_Strict):
    """The QuickBooks company and TaxDome's QuickBooks settings, as far as they are known."""

    customers: list[str] | None = Field(
        default=None,
        description="DisplayName of every active customer; TaxDome matches accounts to them exactly",
    )
    deleted_customers: list[str] | None = Field(
        default=None, description="DisplayName of customers deleted (made inactive) in QuickBooks"
    )
    other_names: list[str] | None = Field(
        default=None,
        description="DisplayName of vendors and employees: a DisplayName is unique across all three lists",
    )
    doc_numbers: dict[str, ExistingDocument] | None = Field(
        default=None, description="DocNumber -> the transaction already using it"
    )
    transactions: dict[str, SyncedTransaction] | None = Field(
        default=None, description="QuickBooks Id -> the transaction as it is now in QuickBooks"
    )
    open_balances: dict[str, Money] | None = Field(
        default=None, description="invoice id (as in a payment's invoice_id) -> open balance in QuickBooks"
    )
    payment_amounts: dict[str, Money] | None = Field(
        default=None, description="payment id (as in a refund's payment_id) -> amount of that payment in QuickBooks"
    )
    accounts: dict[str, str] | None = Field(
        default=None, description="account name -> QuickBooks AccountType (Income, Expense, Accounts Receivable...)"
    )
    expense_account: str | None = Field(
        default=None, description="the account chosen in TaxDome for processing-fee expenses"
    )
    service_income_account: str | None = Field(
        default=None, description="TaxDome's 'Service income account' setting (QuickBooks subtab)"
    )
    items: list[str] | None = Field(default=None, description="names of the products/services in QuickBooks")
    payment_methods: dict[str, str] | None = Field(
        default=None, description="payment method name -> type (CREDIT_CARD or NON_CREDIT_CARD)"
    )
    sync_enabled: bool | None = Field(
        default=None, description="false when the TaxDome sync was switched off on the QuickBooks side"
    )
    closing_date: dt.date | None = Field(
        default=None, description="QuickBooks 'close the books' date: nothing on or before it can be written"
    )

    @classmethod
    def from_entities(cls, entities: Iterable[EntityBase], **settings: Any) -> QuickBooksContext:
        """Build a context from fetched QuickBooks entities (invoices, payments, customers, items).

        A list is filled only when entities of its kind were given (no customers fetched:
        ``customers`` stays unknown and the customer checks stay off).

        ``settings`` are the fields no fetch can see (TaxDome's own settings, e.g.
        ``expense_account``); they are passed through.
        """
        customers: list[str] = []
        deleted: list[str] = []
        doc_numbers: dict[str, ExistingDocument] = {}
        transactions: dict[str, SyncedTransaction] = {}
        balances: dict[str, Any] = {}
        paid: dict[str, Any] = {}
        items: list[str] = []
        accounts: dict[str, str] = {}
        seen: set[str] = set()
        for entity in entities:
            seen.add(entity.kind)
            extra = entity.model_extra or {}
            qbo_id = extra.get("qbo_id") or entity.id
            if entity.kind == "customer":
                name = getattr(entity, "display_name", None) or getattr(entity, "name", None)
                if name:
                    (customers if extra.get("active", True) else deleted).append(name)
            elif entity.kind == "service":
                if extra.get("active", True):
                    items.append(entity.name)  # type: ignore[attr-defined]
                account = getattr(entity, "income_account", None)
                if account is not None and account.name and account.type:
                    accounts[account.name] = account.type
            elif entity.kind in ("invoice", "payment", "refund"):
                txn_type = extra.get("txn_type") or entity.kind.title()
                doc = getattr(entity, "doc_number", None) or extra.get("doc_number")
                if doc and qbo_id:
                    doc_numbers[str(doc)] = ExistingDocument(txn_type=txn_type, txn_id=str(qbo_id))
                if qbo_id:
                    party = getattr(entity, "customer", None)
                    transactions[str(qbo_id)] = SyncedTransaction(
                        txn_type=txn_type,
                        doc_number=str(doc) if doc else None,
                        total=getattr(entity, "total", None) or getattr(entity, "amount", None),
                        customer=party.name if party is not None else None,
                        sync_token=extra.get("sync_token"),
                    )
                balance = getattr(entity, "open_balance", None)
                if entity.kind == "invoice" and qbo_id and balance is not None:
                    balances[str(qbo_id)] = balance
                amount = getattr(entity, "amount", None)
                if entity.kind == "payment" and qbo_id and amount is not None:
                    paid[str(qbo_id)] = amount
        # A list is only known when its kind was fetched: an empty list would mean "the
        # company has none" and flag every invoice's customer as missing.
        fields: dict[str, Any] = {}
        if "customer" in seen:
            fields.update(customers=customers, deleted_customers=deleted)
        if seen & {"invoice", "payment", "refund"}:
            fields.update(doc_numbers=doc_numbers, transactions=transactions)
        if "invoice" in seen:
            fields["open_balances"] = balances
        if "payment" in seen:
            fields["payment_amounts"] = paid
        if "service" in seen:
            fields["items"] = items
        if accounts:
            fields["accounts"] = accounts
        fields.update(settings)
        return cls.model_validate(fields)
