"""Named Python checks the rule pack calls (``call: qonto.…``): what data cannot say."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from syncdoctor import value_of

from .window import PARIS, first_integration_start

__all__ = [
    "BOOKED_MARK",
    "FUNCTIONS",
    "before_history_limit",
    "history_start",
    "is_booked",
    "luhn_valid",
    "missing_fields",
    "siret_valid",
]

LA_POSTE_SIREN = "356000000"
# ACD writes "#Comptabilise" in the complementary label (Qonto's `note`) of booked transactions.
BOOKED_MARK = re.compile(r"(?i)#comptabilis[eé]")  # the same expression as the rule pack's
_SEPARATORS = re.compile(r"[\s.\u00a0-]")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def siret_valid(value: Any) -> bool:
    """A SIRET: 14 digits (spaces and dots allowed between groups) passing the Luhn checksum.

    La Poste's establishments share the SIREN 356000000 and are numbered sequentially, so
    their SIRETs do not pass Luhn; for them INSEE's rule is that the sum of the 14 digits is
    a multiple of 5. Its head office, 35600000000048, does pass Luhn (as python-stdnum does).
    """
    if not isinstance(value, str):
        return False
    digits = _SEPARATORS.sub("", value)
    if len(digits) != 14 or not digits.isascii() or not digits.isdigit():
        return False
    if digits.startswith(LA_POSTE_SIREN) and digits != "35600000000048":
        return sum(int(d) for d in digits) % 5 == 0
    return luhn_valid(digits)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _get(obj: Any, dotted: str) -> Any:
    for name in dotted.split("."):
        if obj is None:
            return None
        obj = value_of(obj, name)
    return obj


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_REQUIRED: dict[str, tuple[str, ...]] = {
    "supplier_payment": ("amount", "reference", "execution_date", "supplier", "creditor_iban", "debtor_account"),
    "client_invoice": ("number", "issue_date", "client.name"),
}


def missing_prerequisites(folder: Any) -> str | None:
    """What activating Qonto still needs in a client folder, as field paths (language-neutral)."""
    out = [p for p in ("manager.last_name", "manager.first_name", "manager.email") if _blank(_get(folder, p))]
    email = _get(folder, "manager.email")
    if not _blank(email) and not _EMAIL.match(str(email).strip()):
        out.append("manager.email (invalid)")
    siret = _get(folder, "company.siret")
    if _blank(siret):
        out.append("company.siret")
    elif not siret_valid(siret):
        out.append("company.siret (invalid)")
    return ", ".join(out) or None


def missing_fields(entity: Any) -> str | None:
    """Required fields a payment or document lacks (an amount must also be above zero)."""
    kind = _get(entity, "kind")
    out = []
    for path in _REQUIRED.get(str(kind), ()):
        value = _get(entity, path)
        if _blank(value) or (path == "amount" and isinstance(value, Decimal) and value <= 0):
            out.append(path)
    return ", ".join(out) or None


def email_valid(value: Any) -> bool:
    return isinstance(value, str) and bool(_EMAIL.match(value.strip()))


def megabytes(size: Any) -> str | None:
    """A size in bytes as MiB with one decimal, the unit of the 30 Mo limit."""
    if isinstance(size, bool) or not isinstance(size, (int, Decimal)):
        return None
    return f"{Decimal(size) / (1024 * 1024):.1f}"


def is_booked(note: Any, tags: Any = ()) -> bool:
    """Whether a transaction carries ``#Comptabilise`` (in its note or its tags)."""
    if isinstance(note, str) and BOOKED_MARK.search(note):
        return True
    return any(isinstance(t, str) and BOOKED_MARK.search(t) for t in tags or ())


def folder_label(folder: Any) -> str:
    """How a finding names a client folder: its code, else its name."""
    for path in ("code", "name", "company.name", "id"):
        value = _get(folder, path)
        if not _blank(value):
            return str(value)
    return "-"


def entity_label(entity: Any) -> str:
    """How a finding names a payment or an invoice: reference or number, else id."""
    for path in ("reference", "number", "id"):
        value = _get(entity, path)
        if not _blank(value):
            return str(value)
    return "-"


def invoice_label(invoice: Any) -> str:
    """How a finding names a client invoice: its number; a draft has none yet, so client and total."""
    number = _get(invoice, "number")
    if not _blank(number):
        return str(number)
    client, total = _get(invoice, "client.name"), _get(invoice, "total")
    if not _blank(client) and total is not None:
        return f"{client} {total} {_get(invoice, 'currency') or ''}".strip()
    return entity_label(invoice)


def transaction_label(tx: Any) -> str:
    """How a finding names a bank transaction: its label, else its counterparty, else its id."""
    for path in ("label", "counterparty", "id"):
        value = _get(tx, path)
        if not _blank(value):
            return str(value)
    return "-"


def type_label(content_type: Any) -> str:
    return content_type.strip() if isinstance(content_type, str) and content_type.strip() else "-"


def _day(value: Any) -> dt.date | None:
    """A calendar day from a date, an aware datetime (its Paris day) or an ISO text; else None."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo is None else value.astimezone(PARIS)).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return _day(dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def _instant(value: Any) -> dt.datetime | None:
    """An aware datetime (a naive one is Paris time, as everywhere in this plugin); else None."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=PARIS)
    return None


def _history_start(first_integration: Any) -> dt.datetime | None:
    day = _day(first_integration)
    if day is None:
        return None
    try:
        return first_integration_start(day)
    except (ValueError, OverflowError):  # a first integration in year 1: nothing before it
        return None


def history_start(first_integration: Any) -> str | None:
    """The first Paris day the first integration reached: two calendar months before it (ISO)."""
    start = _history_start(first_integration)
    return None if start is None else start.date().isoformat()


def before_history_limit(settled_at: Any, first_integration: Any) -> bool | None:
    """Whether a transaction was settled before the two months the first integration reached
    (seed 002: "lors de la première intégration ... sur une période maximale de deux mois").
    Unknown (None) when either date is missing or unreadable."""
    start, instant = _history_start(first_integration), _instant(settled_at)
    if start is None or instant is None:
        return None
    return instant.astimezone(dt.UTC) < start.astimezone(dt.UTC)


def paris_day(value: Any) -> str | None:
    """The Paris calendar day of an instant, as ISO text (a naive datetime is Paris time)."""
    instant = _instant(value)
    return None if instant is None else instant.astimezone(PARIS).date().isoformat()


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "qonto.folder_label": folder_label,
    "qonto.entity_label": entity_label,
    "qonto.type_label": type_label,
    "qonto.transaction_label": transaction_label,
    "qonto.invoice_label": invoice_label,
    "qonto.siret_valid": siret_valid,
    "qonto.email_valid": email_valid,
    "qonto.missing_prerequisites": missing_prerequisites,
    "qonto.missing_fields": missing_fields,
    "qonto.megabytes": megabytes,
    "qonto.before_history_limit": before_history_limit,
    "qonto.history_start": history_start,
    "qonto.paris_day": paris_day,
}
