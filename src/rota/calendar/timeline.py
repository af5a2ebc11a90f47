"""Pure: the concrete times of a set of stored events in a window, masters expanded.

No I/O. This is what a schedule "looks like" between two instants once MASTERs are expanded into
their occurrences, the occurrences replaced by an EXCEPTION or cancelled are left out (the
EXCEPTION row speaks for itself), and cancelled events are dropped. Availability reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import NamedTuple

from rota.calendar.constants import RecurrenceType
from rota.calendar.recurrence import Series, occurrences, overlaps


class StoredEvent(NamedTuple):
    """The facts of one stored event that decide when it happens and what it does to time.

    (A named tuple: availability builds thousands per request, and tuples build fastest.)"""

    id: str
    schedule_id: str
    type: str
    status: str
    transparency: str
    recurrence_type: str
    start_utc: datetime
    end_utc: datetime
    # Set for MASTERs only.
    series: Series | None = None
    # Set for EXCEPTIONs and stored (cancelled) INSTANCEs: the occurrence they replace.
    recurring_event_id: str | None = None
    original_date: date | None = None
    # (resource id, per-resource transparency) for every resource the event lists.
    resources: tuple[tuple[str, str], ...] = ()


def overridden_occurrences(events: Iterable[StoredEvent]) -> frozenset[tuple[str, date]]:
    """(MASTER id, local date) of every occurrence a stored row replaces, whatever its status."""
    return frozenset(
        (e.recurring_event_id, e.original_date)
        for e in events
        if e.recurring_event_id is not None and e.original_date is not None
    )


def event_times(
    events: Sequence[StoredEvent], start_utc: datetime, end_utc: datetime
) -> Iterator[tuple[StoredEvent, list[tuple[datetime, datetime]]]]:
    """Each confirmed event of ``events`` with its times overlapping ``[start_utc, end_utc)``.

    ``events`` must include the rows that override occurrences of the MASTERs given (cancelled
    ones too), or those occurrences are reported as well as their replacements. Series that
    only differ in their event (the same hours for many staff members) are expanded once.
    """
    overridden = overridden_occurrences(events)
    expanded: dict[Series, list[tuple[date, datetime, datetime]]] = {}
    for event in events:
        if event.status != "CONFIRMED":
            continue
        series = event.series
        if event.recurrence_type == RecurrenceType.MASTER and series is not None:
            found = expanded.get(series)
            if found is None:
                found = expanded[series] = [
                    (o.day, o.start_utc, o.end_utc) for o in occurrences(series, start_utc, end_utc)
                ]
            times = [(s, e) for day, s, e in found if (event.id, day) not in overridden]
            if times:
                yield event, times
        elif overlaps(event.start_utc, event.end_utc, start_utc, end_utc):
            yield event, [(event.start_utc, event.end_utc)]
