"""QuickBooks Online JSON ↔ syncdoctor entities.

Reading (fetch): QBO ``Invoice``, ``Payment``, ``Customer`` and ``Item`` objects become
entities with ``source="quickbooks"`` and the QuickBooks ``qbo_id``/``sync_token`` kept, so
that :meth:`QuickBooksContext.from_entities` can index them.

Writing (push): an entity becomes the body TaxDome would post, given the QuickBooks ids of
the records it refers to (:class:`Refs`, resolved by :mod:`.push`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from syncdoctor import AccountRef, Customer, EntityBase, Invoice, Party, Payment, Service

__all__ = ["ENTITY_OF_KIND", "Refs", "from_qbo", "to_qbo"]

# entity kind -> QuickBooks resource (the URL segment is its lowercase form)
ENTITY_OF_KIND = {
    "invoice": "Invoice",
    "payment": "Payment",
    "service": "Item",
    "customer": "Customer",
    "expense": "Purchase",
}

_DELETED_SUFFIX = " (deleted)"  # QuickBooks renames what it deletes (makes inactive)


def _ref_name(obj: Any) -> str | None:
    return obj.get("name") if isinstance(obj, Mapping) else None


def _meta(obj: Mapping[str, Any], kind: str) -> dict[str, Any]:
    return {
        "id": f"qbo-{kind}-{obj.get('Id')}",
        "source": "quickbooks",
        "qbo_id": str(obj.get("Id")),
        "sync_token": str(obj.get("SyncToken")) if obj.get("SyncToken") is not None else None,
        "last_updated": (obj.get("MetaData") or {}).get("LastUpdatedTime"),
    }


def invoice_from_qbo(obj: Mapping[str, Any]) -> Invoice:
    lines = []
    for line in obj.get("Line") or []:
        detail = line.get("SalesItemLineDetail")
        if line.get("DetailType") != "SalesItemLineDetail" or not isinstance(detail, Mapping):
            continue  # subtotal, discount and group lines carry no item
        lines.append({
            "description": line.get("Description"),
            "item": _ref_name(detail.get("ItemRef")),
            "quantity": detail.get("Qty", 1),
            "unit_price": detail.get("UnitPrice"),
            "amount": line.get("Amount", 0),
        })
    return Invoice.model_validate({
        **_meta(obj, "invoice"),
        "txn_type": "Invoice",
        "doc_number": obj.get("DocNumber"),
        "date": obj.get("TxnDate"),
        "customer": {"type": "customer", "name": _ref_name(obj.get("CustomerRef")),
                     "qbo_id": (obj.get("CustomerRef") or {}).get("value")},
        "total": obj.get("TotalAmt", 0),
        "open_balance": obj.get("Balance"),
        "lines": lines,
        "private_note": obj.get("PrivateNote"),
        "memo": (obj.get("CustomerMemo") or {}).get("value"),
    })


def payment_from_qbo(obj: Mapping[str, Any]) -> Payment:
    invoice_id = None
    credits = Decimal(0)
    for line in obj.get("Line") or []:
        for linked in line.get("LinkedTxn") or []:
            if linked.get("TxnType") == "Invoice" and invoice_id is None:
                invoice_id = str(linked.get("TxnId"))
            elif linked.get("TxnType") == "CreditMemo":
                credits += Decimal(str(line.get("Amount", 0)))
    return Payment.model_validate({
        **_meta(obj, "payment"),
        "txn_type": "Payment",
        "date": obj.get("TxnDate"),
        "customer": {"type": "customer", "name": _ref_name(obj.get("CustomerRef"))},
        "amount": obj.get("TotalAmt", 0),
        "credits_applied": credits,
        "invoice_id": invoice_id,
        "reference": obj.get("PaymentRefNum"),
        "method": _ref_name(obj.get("PaymentMethodRef")),
    })


def customer_from_qbo(obj: Mapping[str, Any]) -> Customer:
    name = str(obj.get("DisplayName") or "")
    active = obj.get("Active", True) is not False
    if not active and name.endswith(_DELETED_SUFFIX):
        name = name[: -len(_DELETED_SUFFIX)]  # the name TaxDome still knows it by
    return Customer.model_validate({
        **_meta(obj, "customer"),
        "name": name,
        "display_name": name,
        "email": (obj.get("PrimaryEmailAddr") or {}).get("Address"),
        "given_name": obj.get("GivenName"),
        "family_name": obj.get("FamilyName"),
        "company_name": obj.get("CompanyName"),
        "active": active,
    })


def item_from_qbo(obj: Mapping[str, Any]) -> Service:
    name = str(obj.get("Name") or "")
    active = obj.get("Active", True) is not False
    if not active and name.endswith(_DELETED_SUFFIX):
        name = name[: -len(_DELETED_SUFFIX)]
    account = obj.get("IncomeAccountRef")
    return Service.model_validate({
        **_meta(obj, "item"),
        "name": name,
        "description": obj.get("Description"),
        "price": obj.get("UnitPrice"),
        "income_account": {"name": _ref_name(account), "id": account.get("value")} if isinstance(account, Mapping) else None,
        "active": active,
        "item_type": obj.get("Type"),
    })


_READERS = {
    "Invoice": invoice_from_qbo,
    "Payment": payment_from_qbo,
    "Customer": customer_from_qbo,
    "Item": item_from_qbo,
}


def from_qbo(resource: str, obj: Mapping[str, Any]) -> EntityBase:
    return _READERS[resource](obj)


# ------------------------------------------------------------------ writing


@dataclass
class Refs:
    """QuickBooks ids of what an entity refers to, by name (filled by the push tool)."""

    customer: str | None = None
    items: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    payment_method: str | None = None


def _ref(name: str | None, value: str | None) -> dict[str, Any] | None:
    if name is None and value is None:
        return None
    return {k: v for k, v in (("value", value), ("name", name)) if v is not None}


def _clean(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None and v != []}


def _common(entity: EntityBase) -> dict[str, Any]:
    extra = entity.model_extra or {}
    out: dict[str, Any] = {}
    if extra.get("qbo_id"):  # an update: QuickBooks needs the Id and the SyncToken it last saw
        out.update(Id=str(extra["qbo_id"]), SyncToken=str(extra.get("sync_token") or "0"), sparse=True)
    return out


def to_qbo(entity: EntityBase, refs: Refs) -> dict[str, Any]:
    """The QuickBooks body for an entity; raises ValueError for a kind QuickBooks does not take."""
    extra = entity.model_extra or {}
    date = getattr(entity, "date", None)
    body: dict[str, Any] = {**_common(entity), "TxnDate": date.isoformat() if date else None}
    customer: Party | None = getattr(entity, "customer", None)
    customer_ref = _ref(customer.name if customer else None, refs.customer) if customer else None
    if isinstance(entity, Invoice):
        body.update(
            DocNumber=entity.doc_number,
            CustomerRef=customer_ref,
            PrivateNote=extra.get("private_note"),
            CustomerMemo={"value": extra["memo"]} if extra.get("memo") else None,
            Line=[
                _clean({
                    "Amount": line.amount,
                    "Description": line.description,
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": _clean({
                        "ItemRef": _ref(line.item, refs.items.get(line.item or "")),
                        "Qty": line.quantity,
                        "UnitPrice": line.unit_price,
                    }),
                })
                for line in entity.lines
            ],
        )
    elif isinstance(entity, Payment):
        lines = []
        if entity.invoice_id is not None:
            lines.append({"Amount": entity.amount + entity.credits_applied,
                          "LinkedTxn": [{"TxnId": entity.invoice_id, "TxnType": "Invoice"}]})
        if entity.credits_applied:
            lines.append({"Amount": entity.credits_applied,
                          "LinkedTxn": [{"TxnId": str(extra.get("credit_memo_id") or "credit"), "TxnType": "CreditMemo"}]})
        body.update(
            TotalAmt=entity.amount,
            CustomerRef=customer_ref,
            PaymentRefNum=extra.get("reference"),
            PaymentMethodRef=_ref(entity.method, refs.payment_method) if entity.method else None,
            PrivateNote=extra.get("private_note"),
            Line=lines,
        )
    elif isinstance(entity, Service):
        account = entity.income_account
        name = account.name if account is not None else None
        body.update(
            Name=entity.name,
            Type="Service",
            Description=entity.description,
            UnitPrice=entity.price,
            IncomeAccountRef=_ref(name, (account.id if account else None) or refs.accounts.get(name or "")),
        )
    elif isinstance(entity, Customer):
        body.update(
            DisplayName=entity.display_name or entity.name,
            GivenName=extra.get("given_name"),
            FamilyName=extra.get("family_name"),
            CompanyName=extra.get("company_name"),
            Notes=extra.get("notes"),
            PrimaryEmailAddr={"Address": entity.email} if entity.email else None,
        )
    elif entity.kind == "expense":
        posting: AccountRef | None = getattr(entity, "account", None)
        name = posting.name if posting is not None else None
        bank = str(extra.get("paid_from") or "Checking")
        body.update(
            PaymentType="Cash",
            AccountRef=_ref(bank, refs.accounts.get(bank)),
            EntityRef=_ref(getattr(entity, "vendor", None), None),
            PrivateNote=extra.get("private_note"),
            Line=[_clean({
                "Amount": getattr(entity, "amount", None),
                "Description": getattr(entity, "description", None),
                "DetailType": "AccountBasedExpenseLineDetail",
                "AccountBasedExpenseLineDetail": {"AccountRef": _ref(name, refs.accounts.get(name or ""))},
            })],
        )
    else:
        raise ValueError(f"QuickBooks takes invoice, payment, service, customer or expense entities, not {entity.kind!r}")
    return _clean(body)
