"""Named checks and parameter functions the QuickBooks rule pack calls (``call: quickbooks.*``).

Only what the condition language cannot say lives here (and in :mod:`.fields`: length
limits and name characters): account-type families, near-miss customer names, the next
free document number, what changed on the QuickBooks side. A check returns ``None`` when
it cannot tell, so that missing data never fires a rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .fields import (
    as_context,
    fold,
    has_invalid_characters,
    name_facts,
    too_long,
    too_long_facts,
    value_of,
)

__all__ = ["FUNCTIONS"]

_EXPENSE_TYPES = {"expense", "otherexpense", "costofgoodssold"}
_RECEIVABLE_PAYABLE = {"accountsreceivable", "accountspayable"}
_CREDIT_CARD_NAME = re.compile(r"(?i)credit|visa|master ?card|amex|american express|discover")


def _type_key(value: Any) -> str | None:
    """QuickBooks account types come spaced ("Accounts Receivable"), squashed or with (A/R)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = re.sub(r"\(.*?\)", "", value)
    return re.sub(r"[^a-z]", "", text.lower())


# ------------------------------------------------------------------ names


def display_name(entity: Any) -> str | None:
    value = value_of(entity, "display_name") or value_of(entity, "name")
    return value if isinstance(value, str) else None


def clashing_name(entity: Any) -> str | None:
    """The name QuickBooks finds twice: a customer's DisplayName, a payment's method."""
    if value_of(entity, "kind") == "payment":
        method = value_of(entity, "method")
        return method if isinstance(method, str) else None
    return display_name(entity)


def name_taken(entity: Any, other_names: Any) -> bool | None:
    """A customer's DisplayName must be unique across customers, vendors and employees."""
    name = display_name(entity)
    if name is None or not isinstance(other_names, list):
        return None
    return fold(name) in {fold(n) for n in other_names if isinstance(n, str)}


def closest_name(name: Any, names: Any) -> str | None:
    """The QuickBooks name that differs only by case or spacing (TaxDome needs it exact)."""
    if not isinstance(name, str) or not isinstance(names, list):
        return None
    wanted = fold(name)
    squashed = re.sub(r"[^a-z0-9]", "", wanted)
    for candidate in names:
        if isinstance(candidate, str) and candidate != name and fold(candidate) == wanted:
            return candidate
    for candidate in names:
        if isinstance(candidate, str) and candidate != name and re.sub(r"[^a-z0-9]", "", fold(candidate)) == squashed:
            return candidate
    return None


def is_credit_card_method(method: Any) -> bool | None:
    return None if not isinstance(method, str) else bool(_CREDIT_CARD_NAME.search(method))


# ------------------------------------------------------------------ accounts


def _account(entity: Any, field: str, fallback: str | None, accounts: Any) -> tuple[str | None, str | None]:
    """The account an entity posts to and its type: the entity's own, else TaxDome's setting
    (``fallback``), its type looked up in the context's chart when the entity does not say."""
    account = value_of(entity, field)
    name = value_of(account, "name") if account is not None else None
    kind = value_of(account, "type") if account is not None else None
    if name is None and kind is None:
        name = fallback
    if kind is None and name is not None and accounts:
        kind = accounts.get(name)
    return name, kind


def _expense_account(entity: Any, context: Any) -> tuple[str | None, str | None]:
    ctx = as_context(context)
    return _account(entity, "account", ctx.expense_account, ctx.accounts)


def expense_account_wrong(entity: Any, context: Any) -> bool | None:
    _, kind = _expense_account(entity, context)
    key = _type_key(kind)
    return None if key is None else key not in _EXPENSE_TYPES


def expense_account_fact(entity: Any, context: Any, name: str) -> str | None:
    account, kind = _expense_account(entity, context)
    return account if name == "account" else kind


def _income_account(entity: Any, context: Any) -> tuple[str | None, str | None]:
    ctx = as_context(context)
    return _account(entity, "income_account", ctx.service_income_account, ctx.accounts)


def service_account_wrong(entity: Any, context: Any) -> bool | None:
    _, kind = _income_account(entity, context)
    key = _type_key(kind)
    return None if key is None else key in _RECEIVABLE_PAYABLE


def income_account_fact(entity: Any, context: Any, name: str) -> str | None:
    account, kind = _income_account(entity, context)
    return account if name == "account" else kind


def default_income_account(context: Any) -> str | None:
    """TaxDome posts services to "Uncategorized Income" by default, falling back to "Sales"."""
    accounts = as_context(context).accounts
    if accounts is None:
        return "Uncategorized Income"
    for name in ("Uncategorized Income", "Sales"):
        if _type_key(accounts.get(name)) == "income":
            return name
    for name, kind in sorted(accounts.items()):
        if _type_key(kind) == "income":
            return name
    return None


# ------------------------------------------------------------------ transactions


def _own_or_listed(entity: Any, own: str, context: Any, table: str, key: str) -> Any:
    """The entity's own ``own`` field, else the context's ``table`` entry for its ``key``
    field (the context is read only when the entity lacks the value)."""
    value = value_of(entity, own)
    if value is not None:
        return value
    listed = getattr(as_context(context), table) or {}
    ref = value_of(entity, key)
    return listed.get(str(ref)) if ref is not None else None


def open_balance(entity: Any, context: Any) -> Any:
    """The open balance of the invoice a payment pays: the payment's own, else the context's."""
    return _own_or_listed(entity, "open_balance", context, "open_balances", "invoice_id")


def payment_amount(entity: Any, context: Any) -> Any:
    """The amount of the payment a refund gives back: the refund's own, else the context's."""
    return _own_or_listed(entity, "payment_amount", context, "payment_amounts", "payment_id")


def next_free_number(doc_number: Any, used: Any) -> str | None:
    """The next number after ``doc_number`` that the company does not use yet."""
    text = str(doc_number)
    match = re.search(r"(\d+)(?!.*\d)", text)
    if match is None or not isinstance(used, Mapping):
        return None
    taken = {str(k) for k in used}
    start, end = match.span(1)
    value = int(match.group(1))
    for step in range(1, 10_000):
        candidate = f"{text[:start]}{str(value + step).zfill(end - start)}{text[end:]}"
        if len(candidate) > 21:
            return None  # candidates only grow: none will fit QuickBooks' 21 characters
        if candidate not in taken:
            return candidate
    return None


def change_in_quickbooks(entity: Any, context: Any) -> str | None:
    """"deleted" or "edited" when a synced transaction changed on the QuickBooks side."""
    transactions = as_context(context).transactions
    qbo_id = value_of(entity, "qbo_id")
    if transactions is None or qbo_id is None:
        return None
    current = transactions.get(str(qbo_id))
    if current is None:
        return "deleted"
    token = value_of(entity, "sync_token")
    if token is not None and current.sync_token is not None and str(token) != current.sync_token:
        return "edited"
    return None


_CHANGE_TEXT = {
    "deleted": {"en": "deleted", "fr": "supprimée"},
    "edited": {"en": "edited", "fr": "modifiée"},
}


def change_in_quickbooks_text(entity: Any, context: Any) -> dict[str, str] | None:
    """:func:`change_in_quickbooks` as a word per language, for texts (``{change_text[fr]}``).

    One param for both languages, since a text's en and fr must use the same params; the
    French word agrees with "la transaction" (feminine).
    """
    change = change_in_quickbooks(entity, context)
    return dict(_CHANGE_TEXT[change]) if change is not None else None


def mismatch_fact(entity: Any, context: Any, name: str) -> str | None:
    """Which field differs from QuickBooks (doc number, customer; an expense's amount), and both values."""
    transactions = as_context(context).transactions or {}
    current = transactions.get(str(value_of(entity, "qbo_id")))
    if current is None:
        return None
    customer = value_of(entity, "customer")
    pairs = (
        ("doc_number", value_of(entity, "doc_number"), current.doc_number),
        ("customer", value_of(customer, "name") if customer is not None else None, current.customer),
    )
    for field, ours, theirs in pairs:
        if ours is not None and theirs is not None and str(ours) != str(theirs):
            return {"field": field, "taxdome": str(ours), "quickbooks": str(theirs)}[name]
    if value_of(entity, "kind") == "expense":  # a Stripe processing fee against its QuickBooks expense
        ours, theirs = _decimal(value_of(entity, "amount")), current.total
        if ours is not None and theirs is not None and ours != theirs:
            return {"field": "amount", "taxdome": str(ours), "quickbooks": str(theirs)}[name]
    return None


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "quickbooks.too_long": too_long,
    "quickbooks.too_long_facts": too_long_facts,
    "quickbooks.has_invalid_characters": has_invalid_characters,
    "quickbooks.name_facts": name_facts,
    "quickbooks.clashing_name": clashing_name,
    "quickbooks.name_taken": name_taken,
    "quickbooks.closest_name": closest_name,
    "quickbooks.is_credit_card_method": is_credit_card_method,
    "quickbooks.expense_account_wrong": expense_account_wrong,
    "quickbooks.expense_account_fact": expense_account_fact,
    "quickbooks.service_account_wrong": service_account_wrong,
    "quickbooks.income_account_fact": income_account_fact,
    "quickbooks.default_income_account": default_income_account,
    "quickbooks.open_balance": open_balance,
    "quickbooks.next_free_number": next_free_number,
    "quickbooks.change_in_quickbooks": change_in_quickbooks,
    "quickbooks.change_in_quickbooks_text": change_in_quickbooks_text,
    "quickbooks.payment_amount": payment_amount,
    "quickbooks.mismatch_fact": mismatch_fact,
}
