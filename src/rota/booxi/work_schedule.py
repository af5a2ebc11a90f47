"""Pure: Booxi staff work schedules (dated weekly hours) and the weekly working-hours series
that carry them in the calendar. No I/O.

Booxi's documents leave the formats open; Rota reads them so:
- ``dow`` is 0 = Sunday ... 6 = Saturday; a day may hold several ranges (9-12 and 13-18), which
  must not overlap; a day without ranges is a day off.
- A range's ``start``/``end`` are store-local wall-clock times ``HH:MM`` (``HH:MM:SS`` with zero
  seconds is accepted), ``start < end``; ``end`` may be ``24:00``.
- A schedule's ``start``/``end`` are calendar dates in the store's time zone, both inclusive;
  without ``end`` the schedule runs on. A date-time is accepted too: with an offset it is first
  moved into the store's zone, without one its date is taken as written.
- Two schedules of one staff member overlap when they share a date; that is refused.

Each range becomes one weekly series on its weekday: first occurrence on the first such weekday
on or after the schedule's start, last one on or before its end. A range whose weekday does not
occur between start and end yields no series.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Booxi's dow numbers, in the calendar's weekday names.
DAY_NAMES = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")
MINUTES_PER_DAY = 24 * 60
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def parse_clock(text: str) -> int | None:
    """Minutes after midnight for ``HH:MM`` (``24:00`` is 1440), or None if malformed."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None or match[3] not in (None, "00"):
        return None
    hours, minutes = int(match[1]), int(match[2])
    if hours == 24 and minutes == 0:
        return MINUTES_PER_DAY
    if hours > 23 or minutes > 59:
        return None
    return hours * 60 + minutes


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_day(text: str, tz: ZoneInfo) -> date | None:
    """A schedule bound: ``YYYY-MM-DD``, or an RFC 3339 date-time read in the store's zone."""
    text = text.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
        return moment.astimezone(tz).date() if moment.tzinfo is not None else moment.date()
    except (ValueError, OverflowError):  # Overflow: moved into the zone, past year 1 or 9999
        return None


@dataclass(frozen=True, order=True)
class WeeklyRange:
    dow: int
    start: int
    end: int


def range_problems(ranges: Sequence[WeeklyRange]) -> Iterator[tuple[int, str]]:
    """(index, what is wrong) for every range that is empty or overlaps an earlier one of its
    day; the ranges themselves are assumed well-formed (dow 0-6, minutes 0-1440)."""
    for index, current in enumerate(ranges):
        if current.start >= current.end:
            yield index, "a range must end after it starts"
            continue
        for earlier in ranges[:index]:
            if (
                earlier.dow == current.dow
                and earlier.start < earlier.end
                and current.start < earlier.end
                and earlier.start < current.end
            ):
                day = DAY_NAMES[current.dow].capitalize()
                span = f"{format_clock(earlier.start)}-{format_clock(earlier.end)}"
                yield index, f"overlaps another range on {day} ({span})"
                break


@dataclass(frozen=True)
class DateSpan:
    """Inclusive calendar dates; ``end`` None runs on."""

    start: date
    end: date | None

    def overlaps(self, other: DateSpan) -> bool:
        return (self.end is None or other.start <= self.end) and (
            other.end is None or self.start <= other.end
        )


@dataclass(frozen=True)
class WeeklySeries:
    """One weekly working-hours series: its first occurrence (store wall clock) and last date."""

    day_name: str
    start_local: datetime
    end_local: datetime
    until: date | None


def weekly_series(span: DateSpan, ranges: Iterable[WeeklyRange]) -> list[WeeklySeries]:
    found = []
    for weekly in sorted(ranges):
        # Python counts weekdays from Monday = 0; Booxi from Sunday = 0.
        offset = ((weekly.dow - 1) % 7 - span.start.weekday()) % 7
        first = span.start + timedelta(days=offset)
        if span.end is not None and first > span.end:
            continue
        midnight = datetime.combine(first, time())
        found.append(
            WeeklySeries(
                day_name=DAY_NAMES[weekly.dow],
                start_local=midnight + timedelta(minutes=weekly.start),
                end_local=midnight + timedelta(minutes=weekly.end),
                until=span.end,
            )
        )
    return found
