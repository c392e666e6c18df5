"""Entity kinds this plugin adds: the firm's client folder and a payment made from Qonto."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from syncdoctor import EntityBase, Money

__all__ = ["ClientFolder", "Company", "Manager", "SupplierPayment", "parse_french_date"]

_FRENCH_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def parse_french_date(value: Any) -> Any:
    """``09/06/2026`` (day first, as i-Suite Expert shows it) -> ``date(2026, 6, 9)``; other values pass."""
    if isinstance(value, str):
        m = _FRENCH_DATE.match(value)
        if m:
            day, month, year = (int(g) for g in m.groups())
            return dt.date(year, month, day)
    return value


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Manager(_Open):
    """The company's manager (dirigeant) as recorded in the GRC folder."""

    last_name: str | None = None
    first_name: str | None = None
    email: str | None = None


class Company(_Open):
    name: str | None = None
    siret: str | None = None


class ClientFolder(EntityBase):
    """A client folder (dossier GRC) of the accounting firm in i-Suite Expert.

    Activating the Qonto tile needs the manager's last name, first name and email and the
    company's SIRET (``qonto.activation_prerequisites_missing``).
    """

    kind: Literal["client_folder"] = "client_folder"
    code: str | None = None
    name: str | None = None
    manager: Manager | None = None
    company: Company | None = None


class SupplierPayment(EntityBase):
    """A payment made from Qonto in i-Facture ("Transaction de paiement").

    Every field is optional so that a missing one is a finding
    (``qonto.missing_information``), not an unreadable record.
    """

    kind: Literal["supplier_payment"] = "supplier_payment"
    amount: Money | None = None
    currency: str = "EUR"
    reference: str | None = None
    note: str | None = None
    execution_date: dt.date | None = None
    supplier: str | None = None
    creditor_iban: str | None = None
    debtor_account: str | None = None

    @field_validator("execution_date", mode="before")
    @classmethod
    def _french_date(cls, value: Any) -> Any:
        return parse_french_date(value)
