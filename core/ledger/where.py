"""The filters of the issue list, shared by :meth:`Ledger.issues` and :meth:`Ledger.counts`:
status, vendor, client, problem, last seen since, escalated, and text (every word, any case,
in any field of the issue's search text, lowercased without accents, ``recording.search_text``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Select

from .events import in_utc, unstorable
from .schema import issues

__all__ = ["fold", "issue_filters"]


def issue_filters(*, status: str | Sequence[str] | None, vendor: str | Sequence[str] | None, client: str | None,
                  problem: str | None, since: datetime | None, escalated: bool | None = None,
                  text: str | None = None) -> Callable[[Select[Any]], Select[Any]]:
    """What narrows a query on issues to the filters :meth:`Ledger.issues` and
    :meth:`Ledger.counts` share (checked now, before a connection is taken)."""
    if since is not None and since.utcoffset() is None:
        raise ValueError("since needs its zone, e.g. 2026-12-01T00:00:00Z")
    if since is not None and not in_utc(since):
        raise ValueError("since is out of range: no such time in UTC")
    vendors = [("vendor", v) for v in ([vendor] if isinstance(vendor, str) else vendor or ())]
    for name, value in (*vendors, ("client", client), ("problem", problem), ("text", text)):
        what = unstorable(value) if value else None
        if what:  # no issue holds one, and PostgreSQL would refuse the query
            raise ValueError(f"{name} cannot hold {what}")
    words = fold(text).split() if text else []
    if len(words) > 20 or any(len(w) > 200 for w in words):
        raise ValueError("text is at most 20 words of at most 200 characters")
    return partial(_filtered, status=status, vendor=vendor, client=client, problem=problem, since=since,
                   escalated=escalated, words=words)


def fold(text: str) -> str:
    """Text as the filter compares it: lowercased, accents off ("Pièce", "piece" and "PIECE" are
    one word; French support staff often type without accents)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)) if not decomposed.isascii() else decomposed


def _like(word: str) -> str:
    """``%word%`` for LIKE with ``\\`` as the escape: the word's own % and _ are letters."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _filtered(query: Select[Any], *, status: str | Sequence[str] | None, vendor: str | Sequence[str] | None,
              client: str | None, problem: str | None, since: datetime | None, escalated: bool | None,
              words: list[str]) -> Select[Any]:
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        query = query.where(issues.c.status.in_(statuses)) if len(statuses) > 1 else \
            query.where(issues.c.status == statuses[0])
    if vendor is not None:  # several: a plugin's vendor names (pos_pennylane, pennylane, pos...)
        query = query.where(issues.c.vendor == vendor if isinstance(vendor, str) else issues.c.vendor.in_(list(vendor)))
    for column, value in (("client", client), ("problem", problem)):
        if value is not None:
            query = query.where(issues.c[column] == value)
    if since is not None:
        query = query.where(issues.c.last_seen >= since)
    if escalated is not None:
        query = query.where(issues.c.escalated == escalated)
    for word in words:  # every word, each in any field (recording.search_text, folded)
        query = query.where(issues.c.search.like(_like(word), escape="\\"))
    return query
