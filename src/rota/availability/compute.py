"""Pure: each staff member's free time, slots and the reasons for empty days.

No I/O. Inputs are the staff members' schedule links and the concrete times of the relevant
calendar events (`rota.calendar.timeline.StoredEvent`, expanded here with `event_times`); all
instants are aware UTC datetimes.

For a staff member (spec §5.2, §5.3):
- **working** = the WORKING_HOURS times of their *effective* working-hours schedule: the
  business schedule on default hours, their own events schedule on custom hours. WORKING_HOURS
  events elsewhere (e.g. on their own schedule while on default hours) count for nothing, and a
  WORKING_HOURS event's transparency is ignored: it always adds hours.
- **blocked** = the confirmed, OPAQUE, non-WORKING_HOURS times on their events schedule, on their
  working-hours schedule (a closure on the business schedule closes it for everyone on default
  hours), and of any event listing their resource with both the event and the resource entry
  OPAQUE. Cancelled events never block (they never reach this module).
- **free** = working minus blocked, within the window.

Empty days are explained per local date of the window: `NO_WORKING_HOURS` (no working time that
day), `FULLY_BLOCKED` (working time, all of it blocked) and, when slots are asked for,
`NO_SLOT_FITS` (free time, but no slot fits in it).

Slots of ``duration`` start on a grid of ``step`` anchored at the local midnight of the day each
free interval starts, so a 30-minute step gives :00 and :30 starts whatever the blocks.
"""

from __future__ import annotations

import bisect
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rota.availability.errors import TooManySlots
from rota.availability.intervals import clip, normalize, subtract
from rota.calendar.constants import EventType, Transparency
from rota.calendar.recurrence import to_local, to_utc
from rota.calendar.timeline import StoredEvent, event_times

Span = tuple[datetime, datetime]
_TICK = timedelta(microseconds=1)
MAX_STAFF = 500
MAX_SLOTS = 50_000


class DayReason:
    NO_WORKING_HOURS = "NO_WORKING_HOURS"
    FULLY_BLOCKED = "FULLY_BLOCKED"
    NO_SLOT_FITS = "NO_SLOT_FITS"


@dataclass(frozen=True)
class StaffCalendar:
    staff_id: str
    resource_id: str
    working_hours_schedule_id: str
    events_schedule_id: str
    uses_default_working_hours: bool


@dataclass(frozen=True)
class SlotSpec:
    duration: timedelta
    step: timedelta


@dataclass(frozen=True)
class UnavailableDay:
    day: date
    reason: str


@dataclass(frozen=True)
class StaffAvailability:
    staff: StaffCalendar
    free: tuple[Span, ...]
    slots: tuple[Span, ...] | None
    unavailable_days: tuple[UnavailableDay, ...]


@dataclass(frozen=True)
class AvailabilityResult:
    time_zone: str
    from_local: datetime
    to_local: datetime
    staff: list[StaffAvailability]
    unknown_staff_ids: list[uuid.UUID]


@dataclass(frozen=True)
class Days:
    """The local days of a window: ``starts[i]`` is the UTC instant day ``i`` begins (the
    first may lie before the window), ``starts[-1]`` the end of the last day."""

    dates: tuple[date, ...]
    starts: tuple[datetime, ...]

    @classmethod
    def of(cls, start: datetime, end: datetime, tz: ZoneInfo) -> Days:
        first = to_local(start, tz).date()
        last = to_local(end - timedelta(microseconds=1), tz).date()
        dates = tuple(first + timedelta(days=i) for i in range((last - first).days + 1))
        starts = tuple(
            to_utc(datetime.combine(d, time()), tz) for d in (*dates, last + timedelta(days=1))
        )
        return cls(dates, starts)

    def index_of(self, instant: datetime) -> int:
        return max(0, bisect.bisect_right(self.starts, instant) - 1)

    def touched(self, spans: Iterable[Span]) -> set[int]:
        """Indexes of the days each span overlaps."""
        found: set[int] = set()
        starts, last = self.starts, len(self.dates) - 1
        right, left = bisect.bisect_right, bisect.bisect_left
        for start, end in spans:
            first = max(0, right(starts, start) - 1)
            final = min(last, left(starts, end) - 1)
            if first == final:
                found.add(first)
            else:
                found.update(range(first, final + 1))
        return found


@dataclass
class _Index:
    working: dict[str, list[Span]]
    blocking: dict[str, list[Span]]
    by_resource: dict[str, list[Span]]


def _index(timeline: Iterable[tuple[StoredEvent, list[Span]]]) -> _Index:
    index = _Index(defaultdict(list), defaultdict(list), defaultdict(list))
    for event, spans in timeline:
        if event.type == EventType.WORKING_HOURS:
            index.working[event.schedule_id].extend(spans)
            continue
        if event.transparency != Transparency.OPAQUE:
            continue
        index.blocking[event.schedule_id].extend(spans)
        for resource_id, transparency in event.resources:
            if transparency == Transparency.OPAQUE:
                index.by_resource[resource_id].extend(spans)
    return index


def compute_availability(
    staff: Sequence[StaffCalendar],
    events: Sequence[StoredEvent],
    *,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    slot: SlotSpec | None = None,
) -> list[StaffAvailability]:
    index = _index(event_times(events, start, end))
    days = Days.of(start, end, tz)
    working_of: dict[str, tuple[Span, ...]] = {}
    worked_days_of: dict[str, set[int]] = {}
    results: list[StaffAvailability] = []
    slot_count = 0
    for member in staff:
        schedule = member.working_hours_schedule_id
        if schedule not in working_of:
            working_of[schedule] = clip(normalize(index.working.get(schedule, ())), start, end)
            worked_days_of[schedule] = days.touched(working_of[schedule])
        working = working_of[schedule]
        blocked_spans = list(index.blocking.get(member.events_schedule_id, ()))
        if schedule != member.events_schedule_id:
            blocked_spans.extend(index.blocking.get(schedule, ()))
        blocked_spans.extend(index.by_resource.get(member.resource_id, ()))
        free = subtract(working, normalize(blocked_spans))
        slots = _slots(free, slot, days) if slot is not None else None
        if slots is not None:
            slot_count += len(slots)
            if slot_count > MAX_SLOTS:
                raise TooManySlots(
                    f"The answer would hold more than {MAX_SLOTS} slots: ask for fewer staff "
                    "members, a shorter range or a longer slot step",
                    details={"limit": MAX_SLOTS},
                )
        results.append(
            StaffAvailability(
                member, free, slots, _unavailable(days, worked_days_of[schedule], free, slots)
            )
        )
    return results


def _unavailable(
    days: Days, worked: set[int], free: tuple[Span, ...], slots: tuple[Span, ...] | None
) -> tuple[UnavailableDay, ...]:
    open_days = days.touched(free)
    if len(open_days) == len(days.dates) and slots is None:
        return ()
    fitting = days.touched((start, start + _TICK) for start, _ in slots or ())
    notes = []
    for i, day in enumerate(days.dates):
        if i not in worked:
            notes.append(UnavailableDay(day, DayReason.NO_WORKING_HOURS))
        elif i not in open_days:
            notes.append(UnavailableDay(day, DayReason.FULLY_BLOCKED))
        elif slots is not None and i not in fitting:
            notes.append(UnavailableDay(day, DayReason.NO_SLOT_FITS))
    return tuple(notes)


def _slots(free: tuple[Span, ...], spec: SlotSpec, days: Days) -> tuple[Span, ...]:
    found: list[Span] = []
    for start, end in free:
        anchor = days.starts[days.index_of(start)]
        steps = -((anchor - start) // spec.step)  # ceil((start - anchor) / step)
        candidate = anchor + steps * spec.step
        while candidate + spec.duration <= end:
            found.append((candidate, candidate + spec.duration))
            candidate += spec.step
            if len(found) > MAX_SLOTS:
                return tuple(found)
    return tuple(found)
