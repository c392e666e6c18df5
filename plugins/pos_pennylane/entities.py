"""The entity kinds this plugin adds: a business day and a sync as a whole.

Orders are the core's ``pos_order`` kind; the daily Pennylane entry is a core
``journal_entry`` with ``source: pos_pennylane``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from syncdoctor import EntityBase, Money

__all__ = ["PosDay", "PosSync"]


class PosDay(EntityBase):
    """One business day of the POS and what became of it in the accounting tool.

    ``{"kind": "pos_day", "date": "2026-08-30", "imported": false}`` asks "why was this day
    not imported?"; with both amounts it asks "why do the POS and Pennylane differ?".
    """

    kind: Literal["pos_day"] = "pos_day"
    date: dt.date
    imported: bool | None = Field(default=None, description="whether the day reached the accounting tool")
    pos_amount: Money | None = Field(default=None, description="the day's sales in the POS, VAT included")
    accounting_amount: Money | None = Field(default=None, description="the day's sales in the accounting tool")
    location: str | None = Field(default=None, description="POS business location id")


class PosSync(EntityBase):
    """The consumer's sync as a whole: ``{"kind": "pos_sync"}`` checks the context alone
    (enabled? executed? connections accepted?)."""

    kind: Literal["pos_sync"] = "pos_sync"
    consumer_id: str | None = None
