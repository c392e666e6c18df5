"""The ACD folder's settings that the pre-flight checks read: the ``acd`` part of the context.

Every field is optional. A check that needs a setting the context does not give does not
fire (and never fails): without ``journals`` nobody can say whether invoice numbers are
managed on a journal, so the invoice-number check stays silent.

Example (``--context``)::

    {"acd": {
        "folder": "DEMO",
        "journals": {"AC": {"nature": "Achat", "invoice_number_management": false},
                     "BQ2": {"nature": "Tresorerie"}},
        "accounts": {"60610000": {"analytics_enabled": true},
                     "60640000": {"analytics_enabled": true, "automatic_allocation_key": "ADM"}},
        "journal_code_mapping": {"BQ": "BQ2"},
        "open_period": {"start": "2026-01-01", "end": "2026-12-31"},
        "general_account_length": 8}}
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["AccountSettings", "AcdContext", "JournalNature", "JournalSettings", "OpenPeriod"]

JournalNature = Literal["Vente", "Achat", "Tresorerie", "OperationDiverse", "ANouveau", "SituationInventaire"]
"""The journal natures ACD's API lists (``GET /v1/compta/journal``)."""


class _Settings(BaseModel):
    # A misspelt setting would silently switch a check off: refuse unknown fields.
    model_config = ConfigDict(extra="forbid", frozen=True)


class JournalSettings(_Settings):
    """One journal of the folder, keyed by its ACD code (``AC``, ``VT``, ``BQ2``...)."""

    nature: JournalNature | None = Field(default=None, description="the journal's nature in ACD")
    invoice_number_management: bool | None = Field(
        default=None,
        description="Folder menu -> Accounting Settings -> Invoice Number Management: Yes (true) or No "
        "(false). When false, ACD rejects entries of this journal that carry an invoice number.",
    )


class AccountSettings(_Settings):
    """One general account of the folder's chart, keyed by its number (``60610000``)."""

    analytics_enabled: bool | None = Field(
        default=None, description="analytical management is checked (Analytical / Budgetary tab)"
    )
    automatic_allocation_key: str | None = Field(
        default=None,
        description="the account's automatic allocation key; absent or empty means the account has none, "
        "so a line without allocation on an analytics-enabled account is rejected",
    )


class OpenPeriod(_Settings):
    """The dates ACD accepts entries for (the open fiscal period)."""

    start: dt.date | None = None
    end: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> OpenPeriod:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"the open period ends ({self.end}) before it starts ({self.start})")
        return self


class AcdContext(_Settings):
    """An ACD folder's settings, as far as the caller knows them."""

    folder: str | None = Field(default=None, description="the folder code (CodeDossier)")
    journals: dict[str, JournalSettings] | None = Field(
        default=None, description="the folder's journals by ACD code"
    )
    accounts: dict[str, AccountSettings] | None = Field(
        default=None, description="analytics settings of general accounts, by account number"
    )
    journal_code_mapping: dict[str, str] | None = Field(
        default=None,
        description="source journal code (as the Qonto Accounting Hub sends it) -> the same journal's code in "
        "ACD; a difference makes ACD refuse the entry's attachments in its DMS",
    )
    open_period: OpenPeriod | None = Field(default=None, description="the open period of the folder")
    general_account_length: int | None = Field(
        default=None, ge=3, le=15, description="the number of digits of the folder's general accounts (often 8)"
    )
