"""Entity kinds of the QuickBooks plugin beyond the core's."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from syncdoctor import EntityBase

__all__ = ["SyncFailure"]


class SyncFailure(EntityBase):
    """One failed sync attempt of one TaxDome record, as the QuickBooks Errors list shows it.

    Fed in order (oldest first), a stream of these lets the correlation rule
    ``quickbooks.repeated_sync_failure`` see the third failure of the same record: the
    moment TaxDome's own advice is to Skip rather than try again.
    """

    kind: Literal["sync_failure"] = "sync_failure"
    record_id: str = Field(description="the TaxDome record (invoice, payment, service...) that failed to sync")
    record_type: str | None = Field(default=None, description="Client, Invoices, Payments, Refunds, Expenses, Services")
    message: str | None = Field(default=None, description="the QuickBooks error shown for this attempt")
    at: dt.datetime | None = None
