"""The ``qonto`` part of the context document, also the settings of the mapping tools.

One model for both, so that a host passes the same object to ``syncdoctor validate
--context`` and to ``host.tool("qonto.to_entries")(entities, settings)``. Every field is
optional; the defaults follow the French PCG padded to 8 digits, as ACD dossiers do.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ATTACHMENT_LIMIT_BYTES", "BankAccountSettings", "QontoContext"]

ATTACHMENT_LIMIT_BYTES = 30 * 1024 * 1024
"""The seed's "30 Mo", read as 30 MiB (31,457,280 bytes), the larger of the two readings: a file
any tool shows as "30 Mo" (binary or decimal) is never flagged, so the check raises no false
alarm. Qonto's MCP upload tool documents 15 MB; set ``max_attachment_bytes`` for a lower limit."""


class BankAccountSettings(BaseModel):
    """The bank journal and treasury account of one Qonto account in the accounting folder."""

    model_config = ConfigDict(extra="forbid")

    bank_journal: str | None = Field(default=None, description="e.g. BQ2")
    treasury_account: str | None = Field(default=None, description="e.g. 51210000")


class QontoContext(BaseModel):
    """Settings of the Qonto plugin (the ``qonto`` key of ``--context``)."""

    model_config = ConfigDict(extra="forbid")

    max_attachment_bytes: int | None = Field(
        default=None, ge=1, description=f"attachment size limit in bytes (default {ATTACHMENT_LIMIT_BYTES}, i.e. 30 MiB)"
    )
    first_integration: dt.date | None = Field(
        default=None,
        description="day (Paris) of the first ACD Banque integration with Qonto: it reached back two calendar "
        "months, so transactions settled earlier were not integrated (qonto.first_integration_history_limit)",
    )
    target: str | None = Field(default="acd", description="plugin the mapped entries are sent to")
    bank_journal: str = Field(default="BQ", description="bank journal code of the Qonto account (seed: BQ2)")
    treasury_account: str = Field(default="51200000", description="treasury account of that journal (seed: 51210000)")
    bank_accounts: dict[str, BankAccountSettings] = Field(
        default_factory=dict,
        description="per IBAN or Qonto bank_account_id: its own journal and treasury account "
        "(the seed: the treasury account is the one associated with the Qonto account in the folder)",
    )
    sales_journal: str = Field(default="VT", description="journal of sales entries (client invoices)")
    sales_account: str = Field(default="70600000", description="revenue account, HT (706 services, 707 goods)")
    vat_collected_account: str = Field(default="44571000", description="VAT collected")
    customer_account: str = Field(default="41100000", description="customers collective account (auxiliary C…)")
    supplier_account: str = Field(default="40100000", description="suppliers collective account (auxiliary F…)")
    suspense_account: str = Field(default="47100000", description="counterpart of bank lines not yet allocated")
    counterpart: Literal["suspense", "third_party"] = Field(
        default="suspense",
        description="bank transactions: post the counterpart to the suspense account, or to 401/411 with an "
        "auxiliary made from the counterparty's name",
    )
    canceled_invoices: Literal["skip", "reverse"] = Field(
        default="skip",
        description="a canceled invoice nets to zero when first seen (skip); a host that booked it earlier "
        "asks for the reversing entry (reverse)",
    )
    include_booked: bool = Field(
        default=False, description="also map transactions marked #Comptabilise (normally skipped: already booked)"
    )
    auxiliary_max_length: int | None = Field(default=None, ge=2, description="truncate auxiliary codes to this length")
