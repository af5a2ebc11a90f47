"""Pure: wall-clock times in an IANA zone, weekly series, and their occurrences as UTC instants.

No I/O. Events are written as local wall-clock date-times plus a zone; that pair is the truth and
UTC is derived from it, so "Mondays 09:00-17:00 in Europe/London" stays 09:00-17:00 on both sides
of a daylight-saving change.

Daylight-saving answers (RFC 5545 §3.3.5, which is also what `zoneinfo` does with ``fold=0``):
- **Skipped hour.** A wall-clock time that does not exist (02:30 on the spring-forward day in
  Europe/Berlin or America/New_York; 01:30 in Europe/London) is read with the UTC offset in force
  *before* the gap, so it lands on the instant the clock shows as one gap later: 02:30 becomes
  03:30. The event keeps its wall-clock end, so it is shorter that day.
- **Repeated hour.** A wall-clock time that occurs twice (01:30 on the autumn fall-back day) means
  the *first* of the two instants, the one still on summer time.
- An interval whose converted end would fall before its converted start (both ends inside one
  skipped hour) is clamped to zero length at its start; it then blocks and offers nothing.

Series are WEEKLY with one weekday and an interval of 1-4 weeks (the only rules Wix allows).
Occurrence ``k`` starts on ``first_date + 7 * interval * k`` days at the first occurrence's
wall-clock time and lasts the first occurrence's wall-clock length. ``until`` is inclusive and
compared with an occurrence's local start. Expansion is computed, not iterated from the start,
and never runs past ``LAST_YEAR``, so its cost is bounded by the window asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rota.calendar.constants import WEEKDAYS

LAST_YEAR = 2100
FIRST_YEAR = 1900
MAX_INTERVAL = 4
# Every UTC offset in the tz database lies within ±14 hours, so an occurrence's UTC start is never
# more than this far from its local start read as if it were UTC.
_OFFSET_SLACK = timedelta(days=2)
_LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"


class InvalidLocalDateTime(ValueError):
    """Text that is not an ISO-8601 local date-time Rota accepts."""


class InvalidTimeZone(ValueError):
    """A name that is not an IANA region zone (or UTC)."""


def parse_local(text: str) -> datetime:
    """``2024-01-30T13:30:00`` (seconds and fractions are ignored, as Wix does) as a naive
    datetime; a date alone means its midnight. Offsets are refused: the zone travels apart."""
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidLocalDateTime(
            f"{text!r} is not a local date-time like '2024-01-30T13:30:00'"
        ) from None
    if value.tzinfo is not None:
        raise InvalidLocalDateTime(
            f"{text!r} carries a UTC offset; send the wall-clock time and the zone apart"
        )
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidLocalDateTime(f"{text!r} is outside the years {FIRST_YEAR}-{LAST_YEAR}")
    return value.replace(second=0, microsecond=0)


def format_local(value: datetime) -> str:
    return value.strftime(_LOCAL_FORMAT)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The zone called ``name``: an IANA region zone (``Europe/London``) or ``UTC``.

    Abbreviations and fixed offsets (``EST``, ``Etc/GMT+5``) are refused, as Wix does: their
    meaning differs from what most callers expect and they never follow daylight saving.
    """
    if not isinstance(name, str) or ("/" not in name.strip("/") and name != "UTC"):
        raise InvalidTimeZone(f"{name!r} is not an IANA time zone like 'Europe/London' or 'UTC'")
    if name.startswith(("Etc/", "SystemV/", "posix/", "right/")) or ".." in name:
        raise InvalidTimeZone(f"{name!r} is not a region time zone; use one like 'Europe/London'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidTimeZone(f"Unknown time zone {name!r}; use one like 'Europe/London'") from None


@lru_cache(maxsize=65536)
def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """The instant a wall clock in ``tz`` shows as ``local``; see the module doc for DST.

    Cached: working hours repeat the same few wall-clock times for every staff member, and
    availability converts thousands of them per request.
    """
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


@lru_cache(maxsize=65536)
def to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    """What a wall clock in ``tz`` shows at ``instant`` (naive; cached like `to_utc`)."""
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)


def span_to_utc(start: datetime, end: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Both ends in UTC; an end that lands before the start (inside a skipped hour) is clamped."""
    start_utc = to_utc(start, tz)
    return start_utc, max(start_utc, to_utc(end, tz))


def weekday_index(name: str) -> int:
    return WEEKDAYS.index(name)


@dataclass(frozen=True)
class WeeklyRule:
    """Every ``interval`` weeks on one weekday (0 = Monday), up to ``until`` (inclusive)."""

    interval: int
    weekday: int
    until: datetime | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.interval <= MAX_INTERVAL:
            raise ValueError(f"interval must be 1-{MAX_INTERVAL}")
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")


@dataclass(frozen=True)
class Occurrence:
    """One concrete time of an event: wall clock in the event's zone, and the UTC instants."""

    local_start: datetime
    local_end: datetime
    start_utc: datetime
    end_utc: datetime

    @property
    def day(self) -> date:
        """The local date it starts on: what identifies an occurrence within its series."""
        return self.local_start.date()


@dataclass(frozen=True)
class Series:
    """A recurring event: its first occurrence (wall clock), its zone and its weekly rule."""

    start: datetime
    end: datetime
    tz: ZoneInfo
    rule: WeeklyRule

    @property
    def period_days(self) -> int:
        return 7 * self.rule.interval

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def occurrence(self, index: int) -> Occurrence:
        local_start = self.start + timedelta(days=self.period_days * index)
        local_end = local_start + self.length
        start_utc, end_utc = span_to_utc(local_start, local_end, self.tz)
        return Occurrence(local_start, local_end, start_utc, end_utc)

    @property
    def last_index(self) -> int:
        """The index of the last occurrence (the rule's ``until``, else the year limit)."""
        limit = datetime.combine(date(LAST_YEAR, 12, 31), time.max)
        if self.rule.until is not None:
            limit = min(limit, self.rule.until)
        if limit < self.start:
            return -1
        return (limit - self.start).days // self.period_days

    @property
    def is_finite(self) -> bool:
        return self.rule.until is not None

    def occurrence_on(self, day: date) -> Occurrence | None:
        """The occurrence starting on local date ``day``, if the series has one."""
        offset = (day - self.start.date()).days
        if offset < 0 or offset % self.period_days:
            return None
        index = offset // self.period_days
        return self.occurrence(index) if index <= self.last_index else None

    def last_occurrence(self) -> Occurrence | None:
        """None for a series without ``until`` (it runs to the year limit, so "forever")."""
        if not self.is_finite or self.last_index < 0:
            return None
        return self.occurrence(self.last_index)

    def first_index_starting_at_or_after(self, local: datetime) -> int:
        if local <= self.start:
            return 0
        days = (local - self.start).total_seconds() / 86400
        index = int(days // self.period_days)
        while self.start + timedelta(days=self.period_days * index) < local:
            index += 1
        return index


def occurrences(
    series: Series,
    start_utc: datetime | None,
    end_utc: datetime | None,
    *,
    descending: bool = False,
) -> Iterator[Occurrence]:
    """The occurrences overlapping ``[start_utc, end_utc)`` (None = unbounded on that side),
    sorted by start (latest first when ``descending``).

    Only the occurrences in the window are computed: the first candidate index is derived from
    the window, so the work is at most (window length / period) + 2 occurrences.
    """
    last = series.last_index
    if last < 0:
        return
    length = series.length
    period = series.period_days
    low = 0
    if start_utc is not None:
        earliest_local = start_utc.replace(tzinfo=None) - length - _OFFSET_SLACK
        low = max(0, (earliest_local - series.start).days // period)
    high = last
    if end_utc is not None:
        latest_local = end_utc.replace(tzinfo=None) + _OFFSET_SLACK
        if latest_local < series.start:
            return
        high = min(last, (latest_local - series.start).days // period)
    indexes = range(high, low - 1, -1) if descending else range(low, high + 1)
    for index in indexes:
        found = series.occurrence(index)
        if end_utc is not None and found.start_utc >= end_utc:
            if descending:
                continue
            return
        if start_utc is not None and found.end_utc <= start_utc and found.start_utc < start_utc:
            if descending:
                return
            continue
        yield found


def overlaps(
    start: datetime, end: datetime, window_start: datetime | None, window_end: datetime | None
) -> bool:
    """Whether ``[start, end)`` meets the window; a zero-length interval meets it at its start."""
    if window_end is not None and start >= window_end:
        return False
    return window_start is None or end > window_start or start >= window_start
