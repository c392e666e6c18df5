"""The integration window of ACD Banque's Qonto import, in explicit time zones.

The seed (ACD, "Récupération des transactions bancaires"): the first integration reaches
back at most two months; later ones take what is new between the last integration and
yesterday 23:59, Europe/Paris. A window is half-open, ``[start, end)``: ``end`` is today's
midnight in Paris, so "yesterday 23:59" includes its whole last minute, and the next window
starts exactly where this one ended (no gap, no overlap).

Every computation is done on Paris *dates* and then localised with :mod:`zoneinfo`, so a
daylight-saving change inside the window moves nothing: midnight always exists in Paris
(the clocks change at 02:00 and 03:00).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["PARIS", "Window", "first_integration_start", "integration_window", "parse_instant", "to_api"]

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
FIRST_INTEGRATION_MONTHS = 2


@dataclass(frozen=True)
class Window:
    """``[start, end)`` as aware datetimes; ``start == end`` means nothing new yet."""

    start: dt.datetime
    end: dt.datetime

    @property
    def empty(self) -> bool:
        return self.start.astimezone(UTC) >= self.end.astimezone(UTC)

    @property
    def last_minute(self) -> dt.datetime:
        """The end as the seed says it: the day before at 23:59, Paris time."""
        return (self.end - dt.timedelta(minutes=1)).astimezone(PARIS)

    def contains(self, instant: dt.datetime) -> bool:
        # In UTC: two datetimes sharing the Paris tzinfo would compare as wall-clock times,
        # which is wrong in the hour repeated when the clocks go back.
        return self.start.astimezone(UTC) <= instant.astimezone(UTC) < self.end.astimezone(UTC)

    def to_json(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Window:
        return cls(parse_instant(raw["from"]), parse_instant(raw["to"]))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=PARIS)


def _months_back(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier, clamped (31 May -> 31 March, 30 April -> 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def parse_instant(value: Any, *, end_of_day: bool = False) -> dt.datetime:
    """An aware datetime from an ISO string, a date or a datetime.

    A bare date means that day in Paris: its midnight, or the next midnight when
    ``end_of_day`` (an ``--until 2026-05-31`` includes the 31st). A naive datetime is read
    as Paris time, never as the machine's zone.
    """
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10:
            value = dt.date.fromisoformat(text)
        else:
            value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=PARIS)
    if isinstance(value, dt.date):
        return _midnight(value + dt.timedelta(days=1) if end_of_day else value)
    raise ValueError(f"expected an ISO date or datetime, got {type(value).__name__}")


def first_integration_start(today: dt.date) -> dt.datetime:
    """Two calendar months before today, at midnight Paris time."""
    return _midnight(_months_back(today, FIRST_INTEGRATION_MONTHS))


def integration_window(
    now: dt.datetime,
    last_integration: dt.datetime | None = None,
    since: Any = None,
    until: Any = None,
) -> Window:
    """The window to fetch now.

    * ``until`` (explicit) or else today's midnight in Paris (= yesterday 23:59 included);
    * ``since`` (explicit) or else the last integration or else two months back.

    An explicit ``since`` wins over the two-month limit: the person asked for it. An explicit
    ``until`` never reaches past ``now``: the window's end becomes the next fetch's start, and
    an end in the future would leave the days between today and it unread for ever.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (a naive one has no meaning across zones)")
    today = now.astimezone(PARIS).date()
    end = parse_instant(until, end_of_day=True) if until is not None else _midnight(today)
    if end.astimezone(UTC) > now.astimezone(UTC):
        end = now.astimezone(PARIS)
    if since is not None:
        start = parse_instant(since)
    elif last_integration is not None:
        start = last_integration
    else:
        start = first_integration_start(today)
    return Window(start, end if end.astimezone(UTC) > start.astimezone(UTC) else start)


def to_api(instant: dt.datetime) -> str:
    """UTC ISO 8601 with milliseconds, the form Qonto's examples use (``…T22:00:00.000Z``)."""
    utc = instant.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
