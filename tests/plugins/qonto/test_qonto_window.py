"""The integration window: two months back the first time, then last integration -> yesterday 23:59 Paris."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncdoctor_qonto.window import (
    PARIS,
    Window,
    first_integration_start,
    integration_window,
    parse_instant,
    to_api,
)

UTC = dt.UTC


def paris(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=PARIS)


def test_first_integration_reaches_back_two_months_to_yesterday_2359():
    w = integration_window(dt.datetime(2026, 6, 10, 6, 30, tzinfo=UTC))
    assert w.start == paris(2026, 4, 10)
    assert w.end == paris(2026, 6, 10)
    assert w.last_minute == paris(2026, 6, 9, 23, 59)
    assert to_api(w.start) == "2026-04-09T22:00:00.000Z"  # UTC for the API, explicit
    assert to_api(w.end) == "2026-06-09T22:00:00.000Z"


def test_later_integration_takes_what_is_new_since_the_last_one():
    last = paris(2026, 6, 10)
    w = integration_window(dt.datetime(2026, 6, 15, 9, 0, tzinfo=UTC), last)
    assert (w.start, w.end) == (last, paris(2026, 6, 15))


def test_a_later_integration_is_not_capped_at_two_months():
    last = paris(2026, 1, 5)
    w = integration_window(dt.datetime(2026, 6, 15, 9, 0, tzinfo=UTC), last)
    assert w.start == last


def test_nothing_new_the_same_day():
    now = dt.datetime(2026, 6, 10, 20, 0, tzinfo=UTC)
    w = integration_window(now, paris(2026, 6, 10))
    assert w.empty and w.start == w.end


def test_today_is_the_paris_day_not_the_utc_one():
    # 22:30 UTC on 9 June is 00:30 on 10 June in Paris: yesterday is the 9th.
    w = integration_window(dt.datetime(2026, 6, 9, 22, 30, tzinfo=UTC))
    assert w.end == paris(2026, 6, 10)
    # 23:30 UTC on 31 December is already 1 January in Paris (UTC+1 in winter)
    w = integration_window(dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert w.end == paris(2027, 1, 1) and w.start == paris(2026, 11, 1)


def test_across_the_spring_dst_change():
    # Paris moves to UTC+2 on 29 March 2026 at 02:00.
    w = integration_window(dt.datetime(2026, 3, 30, 8, 0, tzinfo=UTC), paris(2026, 3, 28))
    assert w.start.utcoffset() == dt.timedelta(hours=1) and w.end.utcoffset() == dt.timedelta(hours=2)
    assert to_api(w.start) == "2026-03-27T23:00:00.000Z"
    assert to_api(w.end) == "2026-03-29T22:00:00.000Z"
    assert w.end.astimezone(UTC) - w.start.astimezone(UTC) == dt.timedelta(hours=47)  # one day of 23 hours
    assert w.last_minute == paris(2026, 3, 29, 23, 59)


def test_across_the_autumn_dst_change():
    # Back to UTC+1 on 25 October 2026 at 03:00.
    w = integration_window(dt.datetime(2026, 10, 26, 8, 0, tzinfo=UTC), paris(2026, 10, 25))
    assert to_api(w.start) == "2026-10-24T22:00:00.000Z"
    assert to_api(w.end) == "2026-10-25T23:00:00.000Z"
    assert w.end.astimezone(UTC) - w.start.astimezone(UTC) == dt.timedelta(hours=25)


def test_the_repeated_autumn_hour_is_compared_in_utc():
    w = Window(paris(2026, 10, 25), paris(2026, 10, 25, 2, 30).replace(fold=1))  # the second 02:30 (UTC+1)
    first_0230 = paris(2026, 10, 25, 2, 45).replace(fold=0).astimezone(UTC)  # 00:45 UTC: inside
    second_0245 = paris(2026, 10, 25, 2, 45).replace(fold=1).astimezone(UTC)  # 01:45 UTC: after the end
    assert w.contains(first_0230) and not w.contains(second_0245)


def test_consecutive_windows_neither_overlap_nor_leave_a_gap():
    first = integration_window(dt.datetime(2026, 3, 28, 10, 0, tzinfo=UTC))
    second = integration_window(dt.datetime(2026, 4, 2, 10, 0, tzinfo=UTC), first.end)
    assert first.end == second.start
    edge = first.end
    assert not first.contains(edge) and second.contains(edge)
    assert first.contains(edge - dt.timedelta(microseconds=1))


@pytest.mark.parametrize("today,start", [
    (dt.date(2026, 5, 31), dt.date(2026, 3, 31)),
    (dt.date(2026, 4, 30), dt.date(2026, 2, 28)),
    (dt.date(2028, 4, 30), dt.date(2028, 2, 29)),
    (dt.date(2026, 1, 15), dt.date(2025, 11, 15)),
])
def test_two_calendar_months_back_clamps_to_the_month_end(today, start):
    assert first_integration_start(today) == paris(start.year, start.month, start.day)


def test_explicit_since_and_until_are_paris_days_until_inclusive():
    w = integration_window(dt.datetime(2026, 6, 10, tzinfo=UTC), since="2026-01-01", until="2026-01-31")
    assert w == Window(paris(2026, 1, 1), paris(2026, 2, 1))
    naive = integration_window(dt.datetime(2026, 6, 10, tzinfo=UTC), since="2026-05-01T12:00:00")
    assert naive.start == paris(2026, 5, 1, 12, 0)
    zulu = integration_window(dt.datetime(2026, 6, 10, tzinfo=UTC), since="2026-05-01T12:00:00Z")
    assert zulu.start == dt.datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="aware"):
        integration_window(dt.datetime(2026, 6, 10))


def test_window_round_trips_through_json():
    w = integration_window(dt.datetime(2026, 6, 10, tzinfo=UTC))
    assert Window.from_json(w.to_json()) == w
    assert parse_instant(w.to_json()["to"]) == w.end


instants = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 12, 31),
                        timezones=st.just(UTC))


@given(first=instants, days=st.integers(0, 90), hours=st.integers(0, 23))
def test_successive_integrations_tile_time_at_paris_midnights(first, days, hours):
    later = first + dt.timedelta(days=days, hours=hours)
    one = integration_window(first)
    two = integration_window(later, one.end)
    assert two.start == one.end  # no gap, no overlap
    for now, w in ((first, one), (later, two)):
        end = w.end.astimezone(PARIS)
        assert end.time() == dt.time(0) and end.date() == now.astimezone(PARIS).date()  # yesterday 23:59 included
    assert one.start.astimezone(UTC) < one.end.astimezone(UTC)
