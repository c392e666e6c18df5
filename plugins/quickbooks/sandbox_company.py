"""The sandbox's QuickBooks company: a small accounting firm's books, deterministic.

Chosen so that every problem of the pack can be met: invoice DocNumber 1781 is held by
TxnId 3188 (TaxDome's own example), "Initech" and "Tyrell Corp" are deleted customers,
"Credit Card" is a payment method of the wrong type (NON_CREDIT_CARD), "Stripe" is a
vendor name, "Old retainer" an inactive item, and the books are closed up to 2025-12-31.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["CLOSING_DATE", "REALM_ID", "Company", "seed_company"]

REALM_ID = "9130357766900456"
CLOSING_DATE = dt.date(2025, 12, 31)

_ACCOUNTS = [
    ("1", "Checking", "Bank"),
    ("2", "Accounts Receivable (A/R)", "Accounts Receivable"),
    ("3", "Accounts Payable (A/P)", "Accounts Payable"),
    ("4", "Sales", "Income"),
    ("5", "Uncategorized Income", "Income"),
    ("6", "Services", "Income"),
    ("7", "Bank Charges & Fees", "Expense"),
    ("8", "Undeposited Funds", "Other Current Asset"),
    ("9", "Cost of Goods Sold", "Cost of Goods Sold"),
]
_CUSTOMERS = [
    "Acme Corp", "Globex Corporation", "Initech", "Umbrella Holdings", "Stark Industries",
    "Wayne Enterprises", "Jane Doe CPA", "Hooli", "Soylent Green LLC", "Northwind Traders",
    "Contoso Ltd", "Fabrikam Inc", "Tyrell Corp", "Cyberdyne Systems",
]
_DELETED = {"Initech", "Tyrell Corp"}
_VENDORS = ["Stripe", "Office Depot", "Intuit"]
_EMPLOYEES = ["Bob Smith", "Alice Martin"]
# (name, income account id, unit price, active)
_ITEMS = [
    ("Bookkeeping", "4", "450.00", True),
    ("Tax preparation", "6", "800.00", True),
    ("Payroll", "4", "120.00", True),
    ("Advisory", "6", "200.00", True),
    ("Old retainer", "4", "1000.00", False),
]
_METHODS = [("Cash", "NON_CREDIT_CARD"), ("Check", "NON_CREDIT_CARD"), ("Credit Card", "NON_CREDIT_CARD"), ("Visa", "CREDIT_CARD")]


def _stamp(day: dt.date) -> dict[str, str]:
    text = f"{day.isoformat()}T09:30:00-08:00"
    return {"CreateTime": text, "LastUpdatedTime": text}


class Company:
    """The mutable state of one sandbox: entity lists by QuickBooks resource, ids allocated."""

    def __init__(self) -> None:
        self.realm_id = REALM_ID
        self.closing_date = CLOSING_DATE
        self.lists: dict[str, list[dict[str, Any]]] = {}
        self._next_id = 5000
        self.request_ids: dict[str, tuple[int, Any]] = {}

    def new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def rows(self, resource: str) -> list[dict[str, Any]]:
        return self.lists.setdefault(resource, [])

    def find(self, resource: str, entity_id: Any) -> dict[str, Any] | None:
        return next((r for r in self.rows(resource) if r.get("Id") == str(entity_id)), None)

    def by_name(self, resource: str, field: str, name: str) -> dict[str, Any] | None:
        wanted = name.casefold()
        return next((r for r in self.rows(resource) if str(r.get(field, "")).casefold() == wanted), None)


def seed_company() -> Company:
    company = Company()
    day0 = dt.date(2026, 1, 5)
    company.lists["Account"] = [
        {"Id": i, "Name": n, "AccountType": t, "Active": True, "SyncToken": "0", "MetaData": _stamp(day0)}
        for i, n, t in _ACCOUNTS
    ]
    accounts = {a["Id"]: a["Name"] for a in company.lists["Account"]}
    customers = []
    for i, name in enumerate(_CUSTOMERS, start=58):
        deleted = name in _DELETED
        customers.append({
            "Id": str(i), "SyncToken": "1" if deleted else "0", "Active": not deleted,
            "DisplayName": f"{name} (deleted)" if deleted else name, "CompanyName": name,
            "PrimaryEmailAddr": {"Address": f"billing@{name.split()[0].lower()}.example"},
            "Balance": Decimal("0"), "MetaData": _stamp(day0),
        })
    company.lists["Customer"] = customers
    company.lists["Vendor"] = [
        {"Id": str(i), "DisplayName": n, "Active": True, "SyncToken": "0", "MetaData": _stamp(day0)}
        for i, n in enumerate(_VENDORS, start=30)
    ]
    company.lists["Employee"] = [
        {"Id": str(i), "DisplayName": n, "Active": True, "SyncToken": "0", "MetaData": _stamp(day0)}
        for i, n in enumerate(_EMPLOYEES, start=40)
    ]
    company.lists["Item"] = [
        {"Id": str(i), "Name": n if active else f"{n} (deleted)", "Type": "Service", "Active": active,
         "UnitPrice": Decimal(price), "IncomeAccountRef": {"value": acc, "name": accounts[acc]},
         "SyncToken": "0", "MetaData": _stamp(day0)}
        for i, (n, acc, price, active) in enumerate(_ITEMS, start=1)
    ]
    company.lists["PaymentMethod"] = [
        {"Id": str(i), "Name": n, "Type": t, "Active": True, "SyncToken": "0", "MetaData": _stamp(day0)}
        for i, (n, t) in enumerate(_METHODS, start=1)
    ]
    active_customers = [c for c in customers if c["Active"]]
    items = [i for i in company.lists["Item"] if i["Active"]]
    invoices, payments = [], []
    for n, doc in enumerate(range(1760, 1785)):
        customer = active_customers[n % len(active_customers)]
        item = items[n % len(items)]
        qty = Decimal(1 + n % 3)
        amount = qty * item["UnitPrice"]
        day = day0 + dt.timedelta(days=3 * n)
        paid = n % 3 == 0
        invoice_id = str(doc + 1407)  # DocNumber 1781 -> TxnId 3188, as in TaxDome's example
        invoices.append({
            "Id": invoice_id, "SyncToken": "0", "DocNumber": str(doc), "TxnDate": day.isoformat(),
            "CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]},
            "Line": [
                {"Id": "1", "LineNum": 1, "Amount": amount, "Description": item["Name"], "DetailType": "SalesItemLineDetail",
                 "SalesItemLineDetail": {"ItemRef": {"value": item["Id"], "name": item["Name"]}, "Qty": qty,
                                         "UnitPrice": item["UnitPrice"]}},
                {"Amount": amount, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
            ],
            "TotalAmt": amount, "Balance": Decimal("0") if paid else amount, "MetaData": _stamp(day),
        })
        if paid:
            payments.append({
                "Id": str(4100 + n), "SyncToken": "0", "TxnDate": (day + dt.timedelta(days=2)).isoformat(),
                "CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]}, "TotalAmt": amount,
                "UnappliedAmt": Decimal("0"), "PaymentRefNum": f"CHK-{200 + n}",
                "PaymentMethodRef": {"value": "2", "name": "Check"},
                "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}],
                "MetaData": _stamp(day + dt.timedelta(days=2)),
            })
    company.lists["Invoice"] = invoices
    company.lists["Payment"] = payments
    company.lists["Purchase"] = []
    return company
