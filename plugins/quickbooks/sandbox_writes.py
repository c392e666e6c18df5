"""How the sandbox accepts or rejects a write, with the Faults QuickBooks Online sends.

Validation errors (2020 required, 2050 length, 2040 characters) are collected into one
Fault, as QuickBooks does (several 2020s in one answer); then references, business rules
and uniqueness are checked one at a time. Business validation errors (6000) come back in
an **HTTP 200** whose body is a Fault: Intuit warns that a 200 may hold one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from .sandbox_company import Company

__all__ = ["Rejection", "WRITERS", "error", "write"]

_EXPENSE_TYPES = {"Expense", "Other Expense", "Cost of Goods Sold"}
_NOT_FOR_ITEMS = {"Accounts Receivable", "Accounts Payable"}


class Rejection(Exception):
    """A write QuickBooks refuses: the errors of one Fault, its type and the HTTP status."""

    def __init__(self, errors: list[dict[str, str]], fault_type: str = "ValidationFault", status: int = 400) -> None:
        super().__init__(errors[0]["Message"])
        self.errors = errors
        self.fault_type = fault_type
        self.status = status


def error(code: str, message: str, detail: str, element: str = "") -> dict[str, str]:
    return {"Message": message, "Detail": detail, "code": code, "element": element}


def _required(element: str) -> dict[str, str]:
    return error("2020", "Required param missing, need to supply the required value for the API",
                 f"Required parameter {element} is missing in the request", element)


def _too_long(element: str, limit: int, supplied: int) -> dict[str, str]:
    return error("2050", "String length is either shorter or longer than supported by specification",
                 f"String length specified does not match the supported length. Min:0 Max:{limit} supported. "
                 f"Supplied length:{supplied}", element)


def _invalid_reference(element: str) -> dict[str, str]:
    return error("2500", "Invalid Reference Id", f"Invalid Reference Id : {element}", element)


def _business(reason: str) -> Rejection:
    return Rejection([error("6000", "A business validation error has occurred while processing your request",
                            f"Business Validation Error: {reason}")], status=200)


def _lengths(body: dict[str, Any], limits: list[tuple[str, str, int]]) -> list[dict[str, str]]:
    out = []
    for path, element, limit in limits:
        value: Any = body
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and len(value) > limit:
            out.append(_too_long(element, limit, len(value)))
    return out


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Rejection([error("2120", "Invalid Type", f"Invalid Type : {value!r} is not a number")]) from None


def _date(body: dict[str, Any], company: Company) -> None:
    text = body.get("TxnDate")
    if not text:
        return
    try:
        day = dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        raise Rejection([error("2070", "Invalid Date", f"Invalid Date : {text}", "TxnDate")]) from None
    if day <= company.closing_date:
        raise Rejection([error("6210", "Account Period Closed",
                               "The account period has closed and the account books cannot be updated through "
                               "the QBO Services API. Please use the QBO website to make these changes.")])


def _existing(company: Company, resource: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """The row an update targets; 610 when it was deleted, 5010 when its SyncToken is old."""
    if not body.get("Id"):
        return None
    row = company.find(resource, body["Id"])
    if row is None:
        raise Rejection([error("610", "Object Not Found", "Object Not Found : Another user has deleted this transaction.")])
    if str(body.get("SyncToken")) != str(row.get("SyncToken")):
        raise Rejection([error("5010", "Stale Object Error",
                               "Stale Object Error : You and Bob Smith were working on this at the same time. "
                               "Bob Smith finished before you did, so your work was not saved.")])
    return row


def _customer(company: Company, body: dict[str, Any], errors: list[dict[str, str]]) -> dict[str, Any] | None:
    ref = body.get("CustomerRef")
    if not isinstance(ref, dict) or not (ref.get("value") or ref.get("name")):
        errors.append(_required("CustomerRef"))
        return None
    return company.find("Customer", ref.get("value")) if ref.get("value") else None


def _check_customer(customer: dict[str, Any] | None) -> None:
    if customer is None:
        raise Rejection([_invalid_reference("CustomerRef")])
    if not customer.get("Active", True):
        raise Rejection([error("6000", "Invalid Customer",
                               "The customer you have specified has been deleted. You cannot create or edit a "
                               "transaction with a deleted customer.")])


def write_invoice(company: Company, body: dict[str, Any]) -> dict[str, Any]:
    errors: list[dict[str, str]] = []
    customer = _customer(company, body, errors)
    lines = [line for line in body.get("Line") or [] if line.get("DetailType") == "SalesItemLineDetail"]
    if not lines:
        errors.append(_required("Line"))
    errors += _lengths(body, [("DocNumber", "DocNumber", 21), ("PrivateNote", "PrivateNote", 4000),
                              ("CustomerMemo.value", "CustomerMemo", 1000)])
    errors += [_too_long("Line.Description", 4000, len(line["Description"])) for line in lines
               if len(str(line.get("Description") or "")) > 4000]
    if errors:
        raise Rejection(errors)
    existing = _existing(company, "Invoice", body)
    _check_customer(customer)
    for line in lines:
        ref = (line.get("SalesItemLineDetail") or {}).get("ItemRef") or {}
        item = company.find("Item", ref.get("value")) if ref.get("value") else None
        if item is None or not item.get("Active", True):
            raise Rejection([_invalid_reference("Line.SalesItemLineDetail.ItemRef")])
    _date(body, company)
    doc = body.get("DocNumber")
    if doc:
        holder = next((r for r in company.rows("Invoice") if r.get("DocNumber") == doc and r is not existing), None)
        if holder is not None:
            raise Rejection([error("6140", "Duplicate Document Number Error",
                                   "Duplicate Document Number Error : You must specify a different number. This number "
                                   f"has already been used. DocNumber={doc} is assigned to TxnType=Invoice with "
                                   f"TxnId={holder['Id']}")])
    total = sum((_amount(line.get("Amount", 0)) for line in lines), Decimal(0))
    return {**body, "TotalAmt": total, "Balance": total, "Line": lines}


def write_payment(company: Company, body: dict[str, Any]) -> dict[str, Any]:
    errors: list[dict[str, str]] = []
    customer = _customer(company, body, errors)
    if body.get("TotalAmt") is None:
        errors.append(_required("TotalAmt"))
    errors += _lengths(body, [("PaymentRefNum", "PaymentRefNum", 21), ("PrivateNote", "PrivateNote", 4000)])
    if errors:
        raise Rejection(errors)
    _existing(company, "Payment", body)
    _check_customer(customer)
    method = body.get("PaymentMethodRef")
    if isinstance(method, dict) and company.find("PaymentMethod", method.get("value")) is None:
        raise Rejection([_invalid_reference("PaymentMethodRef")])
    _date(body, company)
    charges: dict[str, Decimal] = {}
    credits = Decimal(0)
    for line in body.get("Line") or []:
        for linked in line.get("LinkedTxn") or []:
            if linked.get("TxnType") == "Invoice":
                charges[str(linked.get("TxnId"))] = charges.get(str(linked.get("TxnId")), Decimal(0)) + _amount(line.get("Amount", 0))
            elif linked.get("TxnType") == "CreditMemo":
                credits += _amount(line.get("Amount", 0))
    received = _amount(body["TotalAmt"])
    if sum(charges.values(), Decimal(0)) > received + credits:
        raise _business("The Amount Received (plus credits) can't be less than the selected charges.")
    for invoice_id, charge in charges.items():
        invoice = company.find("Invoice", invoice_id)
        if invoice is None:
            raise Rejection([_invalid_reference("Line.LinkedTxn.TxnId")])
        if charge > invoice["Balance"] or credits > invoice["Balance"]:
            raise _business("The Amount Received (plus credits) can't be less than the selected charges. Also, the "
                            "selected charges can't be less than the selected credits.")
    for invoice_id, charge in charges.items():
        invoice = company.find("Invoice", invoice_id)
        assert invoice is not None
        invoice["Balance"] = invoice["Balance"] - charge
    return {**body, "TotalAmt": received, "UnappliedAmt": Decimal(0)}


def _unique_name(company: Company, resource: str, field: str, name: str, body: dict[str, Any], used_by: str) -> None:
    row = company.by_name(resource, field, name)
    if row is not None and row.get("Id") != body.get("Id"):
        raise Rejection([error("6240", "Duplicate Name Exists Error",
                               f"The name supplied already exists. : {used_by}".rstrip())])


def write_item(company: Company, body: dict[str, Any]) -> dict[str, Any]:
    errors: list[dict[str, str]] = []
    name = body.get("Name")
    if not name:
        errors.append(_required("Name"))
    errors += _lengths(body, [("Name", "Name", 100), ("Description", "Description", 4000)])
    if isinstance(name, str) and ":" in name:
        errors.append(error("2040", "Invalid String", "Element contains invalid characters : Name", "Name"))
    if body.get("Type", "Service") == "Service" and not body.get("IncomeAccountRef"):
        errors.append(_required("IncomeAccountRef"))
    if errors:
        raise Rejection(errors)
    _existing(company, "Item", body)
    ref = body["IncomeAccountRef"]
    account = company.find("Account", ref.get("value")) or company.by_name("Account", "Name", str(ref.get("name") or ""))
    if account is None:
        raise Rejection([_invalid_reference("IncomeAccountRef")])
    if account["AccountType"] in _NOT_FOR_ITEMS:
        raise Rejection([error("6430", "Invalid account type used",
                               "Invalid account type: You can't associate a product or service with accounts of "
                               "certain types (such as Accounts Receivable and Accounts Payable).")])
    _unique_name(company, "Item", "Name", str(name), body,
                 "Another product or service is already using this name. Please use a different name.")
    return {**body, "Type": body.get("Type", "Service"), "Active": True,
            "IncomeAccountRef": {"value": account["Id"], "name": account["Name"]}}


def write_customer(company: Company, body: dict[str, Any]) -> dict[str, Any]:
    errors: list[dict[str, str]] = []
    name = body.get("DisplayName")
    if not name:
        errors.append(_required("DisplayName"))
    errors += _lengths(body, [("DisplayName", "DisplayName", 500), ("GivenName", "GivenName", 100),
                              ("FamilyName", "FamilyName", 100), ("CompanyName", "CompanyName", 500),
                              ("Notes", "Notes", 2000), ("PrimaryEmailAddr.Address", "PrimaryEmailAddr", 100)])
    if isinstance(name, str) and any(c in name for c in ":\t\n\r"):
        errors.append(error("2040", "Invalid String", "Element contains invalid characters : DisplayName", "DisplayName"))
    if errors:
        raise Rejection(errors)
    _existing(company, "Customer", body)
    _unique_name(company, "Customer", "DisplayName", str(name), body,
                 "Another customer is already using this name. Please use a different name.")
    for resource in ("Vendor", "Employee"):
        _unique_name(company, resource, "DisplayName", str(name), body,
                     "Another tenant, vendor, or employee is already using this name. Please use a different name.")
    return {**body, "Active": True, "Balance": Decimal(0)}


def write_purchase(company: Company, body: dict[str, Any]) -> dict[str, Any]:
    errors: list[dict[str, str]] = []
    if not body.get("AccountRef"):
        errors.append(_required("AccountRef"))
    if not body.get("PaymentType"):
        errors.append(_required("PaymentType"))
    lines = body.get("Line") or []
    if not lines:
        errors.append(_required("Line"))
    if errors:
        raise Rejection(errors)
    _date(body, company)
    for line in lines:
        ref = (line.get("AccountBasedExpenseLineDetail") or {}).get("AccountRef") or {}
        account = company.find("Account", ref.get("value")) or company.by_name("Account", "Name", str(ref.get("name") or ""))
        if account is None:
            raise Rejection([_invalid_reference("Line.AccountBasedExpenseLineDetail.AccountRef")])
        if account["AccountType"] not in _EXPENSE_TYPES:
            raise Rejection([error("6430", "Invalid account type used",
                                   "Invalid account type: Check your account details before you continue. You may "
                                   "need to select a different type of account for your transaction.")])
    total = sum((_amount(line.get("Amount", 0)) for line in lines), Decimal(0))
    return {**body, "TotalAmt": total}


def write_paymentmethod(company: Company, body: dict[str, Any]) -> dict[str, Any]:
    name = body.get("Name")
    if not name:
        raise Rejection([_required("Name")])
    if body.get("Type", "NON_CREDIT_CARD") not in ("CREDIT_CARD", "NON_CREDIT_CARD"):
        raise Rejection([error("2170", "Invalid Enumeration", f"Invalid Enumeration : {body.get('Type')}", "Type")])
    _unique_name(company, "PaymentMethod", "Name", str(name), body, "")
    return {**body, "Type": body.get("Type", "NON_CREDIT_CARD"), "Active": True}


Writer = Callable[[Company, dict[str, Any]], dict[str, Any]]

# URL segment -> (resource, writer)
WRITERS: dict[str, tuple[str, Writer]] = {
    "invoice": ("Invoice", write_invoice),
    "payment": ("Payment", write_payment),
    "item": ("Item", write_item),
    "customer": ("Customer", write_customer),
    "purchase": ("Purchase", write_purchase),
    "paymentmethod": ("PaymentMethod", write_paymentmethod),
}


def write(company: Company, segment: str, body: Any, now: str) -> tuple[str, dict[str, Any]]:
    """Validate and store one entity; returns (resource, stored row) or raises Rejection."""
    resource, writer = WRITERS[segment]
    if not isinstance(body, dict):
        raise Rejection([error("2010", "Request has invalid or unsupported property",
                               f"The request body is not a {resource} object")])
    row = writer(company, body)
    existing = company.find(resource, body.get("Id")) if body.get("Id") else None
    meta = {"CreateTime": now, "LastUpdatedTime": now}
    if existing is not None:
        existing.update({k: v for k, v in row.items() if k not in ("sparse", "SyncToken")})
        existing["SyncToken"] = str(int(existing.get("SyncToken", "0")) + 1)
        existing["MetaData"] = {**existing.get("MetaData", meta), "LastUpdatedTime": now}
        return resource, existing
    stored = {k: v for k, v in row.items() if k != "sparse"}
    stored.update(Id=company.new_id(), SyncToken="0", MetaData=meta)
    company.rows(resource).append(stored)
    return resource, stored
