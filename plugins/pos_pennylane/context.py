"""The context of one POS → Pennylane sync (a "consumer" of the sync platform).

Passed with ``--context`` under the key ``pos_pennylane``. Every field is optional: a check
that needs a field you leave out does not fire. Statuses are compared in lower case.

Example::

    {"pos_pennylane": {
        "consumer_id": "3f0c1c9e-8a51-4d0e-9b7e-5c2f1a6d7e21",
        "accounting_connection": {"tool": "pennylane", "status": "active"},
        "pos_connection": {"tool": "lightspeed", "status": "active"},
        "mappings_complete": true, "sync_status": "enabled",
        "start_date": "2026-09-01", "tolerance": "0.05",
        "last_execution": "2026-09-03T06:00:00+02:00",
        "executions": [{"id": "ex-42", "status": "error", "days": [
            {"date": "2026-09-02", "result": "error",
             "errors": [{"message": "The sum of all lines does not match"}]}]}],
        "open_days": ["2026-09-03"],
        "account_mapping": {"journal": "VT", "payment_methods": {"CASH": "530000", "CARD": "511200"},
                            "vat_rates": {"10": "445712", "20": "445710"}, "sales": "706000",
                            "tips": "428600"}}}
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from syncdoctor import Money

__all__ = [
    "ACTIVE_STATUSES",
    "AccountMapping",
    "Connection",
    "DayResult",
    "Execution",
    "ExecutionError",
    "PosPennylaneContext",
    "rate_key",
]

ACTIVE_STATUSES = ("active", "connected", "enabled")
"""Statuses that count as "connected" (a connection) or "enabled" (the sync)."""


def rate_key(rate: Any) -> str | None:
    """A VAT rate as a mapping key: ``Decimal("5.50")``, ``"5.5"`` and ``5.5`` all give ``"5.5"``.

    Keys are compared as numbers written without trailing zeros, so that a mapping written
    by hand (``"20"``) finds the rate a POS sends (``"20.000000"``).
    """
    if rate is None or isinstance(rate, bool):
        return None
    try:
        number = Decimal(str(rate).strip().rstrip("%").strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Connection(_Part):
    """One connection of the consumer (the connection section of the consumer page)."""

    tool: str | None = Field(default=None, description="connector name, e.g. pennylane, lightspeed")
    status: str | None = Field(
        default=None,
        description="active when connected; pending, inactive, error, or missing when no connection exists",
    )

    @field_validator("status", mode="before")
    @classmethod
    def _lower_status(cls, value: Any) -> Any:
        return _lower(value)


class ExecutionError(_Part):
    """One error message of an execution, as its detailed logs show it."""

    message: str = ""
    code: str | None = Field(default=None, description="vendor error code, e.g. ERROR_CONNECTOR_AUTHENTICATION")
    http_status: int | None = Field(default=None, description="status of the request that failed, e.g. 401")


class DayResult(_Part):
    """What one execution did for one business day."""

    date: dt.date
    result: str | None = Field(default=None, description="success, error, skipped, ...")
    errors: list[ExecutionError] = Field(default_factory=list)

    @field_validator("result", mode="before")
    @classmethod
    def _lower_result(cls, value: Any) -> Any:
        return _lower(value)


class Execution(_Part):
    """One run of the sync's flow (the Executions tab of the consumer page)."""

    id: str | None = None
    status: str | None = Field(default=None, description="success, error, running, ...")
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    days: list[DayResult] = Field(default_factory=list)

    @field_validator("status", mode="before")
    @classmethod
    def _lower_status(cls, value: Any) -> Any:
        return _lower(value)


class AccountMapping(_Part):
    """The accounts the user mapped in the sync (used to build the daily entry).

    VAT-rate keys are percentages (``"20"``, ``"5.5"``); they are normalised with
    :func:`rate_key`. ``rounding_gain``/``rounding_loss`` receive the cents left over after
    rounding; when left out they default to 758000 / 658000 (PCG "produits/charges divers
    de gestion courante").
    """

    journal: str | None = Field(default=None, description="Pennylane journal code of the daily entry, e.g. VT")
    payment_methods: dict[str, str] | None = Field(default=None, description="payment method code -> account")
    vat_rates: dict[str, str] | None = Field(default=None, description="VAT rate -> VAT collected account (44571…)")
    sales: str | None = Field(default=None, description="sales account (excluding VAT), e.g. 706000")
    sales_by_vat_rate: dict[str, str] | None = Field(default=None, description="VAT rate -> sales account, overrides sales")
    tips: str | None = Field(default=None, description="account of the tips paid back to staff")
    rounding_gain: str | None = Field(default=None, description="credit side of a rounding remainder (default 758000)")
    rounding_loss: str | None = Field(default=None, description="debit side of a rounding remainder (default 658000)")

    @field_validator("vat_rates", "sales_by_vat_rate", mode="after")
    @classmethod
    def _rate_keys(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is None:
            return None
        return {(rate_key(k) or k): v for k, v in value.items()}


class PosPennylaneContext(BaseModel):
    """One POS → Pennylane sync, as the sync platform's consumer page shows it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    consumer_id: str | None = Field(
        default=None, description="the id used in every exchange about this client's sync"
    )
    accounting_connection: Connection | None = Field(default=None, description="the accounting tool (Pennylane)")
    pos_connection: Connection | None = Field(default=None, description="the POS tool (e.g. Lightspeed)")
    mappings_complete: bool | None = Field(default=None, description="whether the user completed every mapping")
    sync_status: str | None = Field(default=None, description="status of the sync section: enabled, inactive, ...")
    start_date: dt.date | None = Field(default=None, description="first day of the configured date range")
    tolerance: Money | None = Field(
        default=None, description="euros an order may differ from its lines and still be synchronised"
    )
    tolerance_changed_on: dt.date | None = Field(default=None, description="when the tolerance was last changed")
    last_execution: dt.datetime | None = Field(default=None, description="the Last Execution column of the sync")
    executions: list[Execution] | None = Field(
        default=None, description="previous runs; an empty list means the sync never ran, leave it out when unknown"
    )
    open_days: list[dt.date] | None = Field(default=None, description="business days still open in the POS")
    account_mapping: AccountMapping | None = Field(default=None, description="accounts used by the daily entry")

    @field_validator("sync_status", mode="before")
    @classmethod
    def _lower_status(cls, value: Any) -> Any:
        return _lower(value)
