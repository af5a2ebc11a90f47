"""Free time from working hours and blocks, pure: examples and the two safety properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rota.availability.compute import (
    DayReason,
    SlotSpec,
    StaffCalendar,
    UnavailableDay,
    compute_availability,
)
from rota.availability.intervals import intersect, normalize, subtract
from rota.calendar.recurrence import zone
from rota.calendar.timeline import StoredEvent

LONDON = zone("Europe/London")
STAFF = StaffCalendar("staff", "res", "business", "own", uses_default_working_hours=True)
CUSTOM = StaffCalendar("custom", "res2", "own2", "own2", uses_default_working_hours=False)
DAY = datetime(2030, 1, 7, tzinfo=UTC)  # a Monday, GMT


def at(hours: float) -> datetime:
    return DAY + timedelta(hours=hours)


def happening(
    schedule: str,
    start: float,
    end: float,
    *,
    kind: str = "DEFAULT",
    transparency: str = "OPAQUE",
    resources: tuple[tuple[str, str], ...] = (),
) -> StoredEvent:
    return StoredEvent(
        id=f"{schedule}-{start}-{end}-{kind}",
        schedule_id=schedule,
        type=kind,
        status="CONFIRMED",
        transparency=transparency,
        recurrence_type="NONE",
        start_utc=at(start),
        end_utc=at(end),
        resources=resources,
    )


def hours(*pairs: tuple[float, float]) -> tuple[tuple[datetime, datetime], ...]:
    return tuple((at(s), at(e)) for s, e in pairs)


def test_free_is_working_minus_own_business_and_resource_blocks() -> None:
    events = [
        happening("business", 10, 18, kind="WORKING_HOURS"),
        happening("own", 9, 11, kind="WORKING_HOURS"),  # ignored: on default hours
        happening("own", 11, 12),  # own blocked time
        happening("business", 13, 13.5),  # business closure
        happening("service", 15, 16, resources=(("res", "OPAQUE"),)),  # appointment
        happening("service", 16, 17, resources=(("res", "TRANSPARENT"),)),  # does not block
        happening("own", 17, 17.5, transparency="TRANSPARENT"),  # does not block
    ]
    [result] = compute_availability([STAFF], events, start=at(0), end=at(24), tz=LONDON)
    assert result.free == hours((10, 11), (12, 13), (13.5, 15), (16, 18))
    assert result.unavailable_days == ()


def test_custom_hours_come_from_the_own_schedule() -> None:
    events = [
        happening("business", 10, 18, kind="WORKING_HOURS"),
        happening("own2", 8, 12, kind="WORKING_HOURS"),
        happening("own2", 9, 10),
    ]
    [result] = compute_availability([CUSTOM], events, start=at(0), end=at(24), tz=LONDON)
    assert result.free == hours((8, 9), (10, 12))


def test_empty_days_say_why() -> None:
    events = [
        happening("business", 10, 18, kind="WORKING_HOURS"),
        happening("business", 34, 42, kind="WORKING_HOURS"),
        happening("own", 33, 43),  # Tuesday fully blocked
    ]
    [result] = compute_availability([STAFF], events, start=at(0), end=at(72), tz=LONDON)
    assert result.unavailable_days == (
        UnavailableDay(date(2030, 1, 8), DayReason.FULLY_BLOCKED),
        UnavailableDay(date(2030, 1, 9), DayReason.NO_WORKING_HOURS),
    )


def test_slots_sit_on_the_local_grid_and_fit_inside_free_time() -> None:
    events = [
        happening("business", 10, 12, kind="WORKING_HOURS"),
        happening("own", 10, 10 + 10 / 60),
        happening("business", 34, 34.5, kind="WORKING_HOURS"),
    ]
    spec = SlotSpec(timedelta(minutes=30), timedelta(minutes=15))
    [result] = compute_availability([STAFF], events, start=at(0), end=at(48), tz=LONDON, slot=spec)
    assert result.slots is not None
    assert [s.strftime("%H:%M") for s, _ in result.slots] == [
        "10:15",
        "10:30",
        "10:45",
        "11:00",
        "11:15",
        "11:30",
        "10:00",
    ]
    assert result.unavailable_days == ()
    long_spec = SlotSpec(timedelta(minutes=45), timedelta(minutes=45))
    [result] = compute_availability(
        [STAFF], events, start=at(0), end=at(48), tz=LONDON, slot=long_spec
    )
    assert result.unavailable_days == (UnavailableDay(date(2030, 1, 8), DayReason.NO_SLOT_FITS),)


spans = st.lists(
    st.tuples(st.integers(0, 96), st.integers(1, 16)).map(
        lambda p: (p[0] / 4, p[0] / 4 + p[1] / 4)
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(spans, spans, spans, st.lists(st.booleans(), min_size=8, max_size=8))
def test_free_lies_inside_working_hours_and_never_overlaps_an_opaque_event(
    working: list[tuple[float, float]],
    own: list[tuple[float, float]],
    booked: list[tuple[float, float]],
    opaque: list[bool],
) -> None:
    events = [happening("business", s, e, kind="WORKING_HOURS") for s, e in working]
    events += [
        happening("own", s, e, transparency="OPAQUE" if o else "TRANSPARENT")
        for (s, e), o in zip(own, opaque, strict=False)
    ]
    events += [happening("service", s, e, resources=(("res", "OPAQUE"),)) for s, e in booked]
    [result] = compute_availability([STAFF], events, start=at(0), end=at(24), tz=LONDON)
    work = normalize((at(s), at(e)) for s, e in working)
    assert subtract(result.free, work) == ()
    blocking = normalize(
        [
            (e.start_utc, e.end_utc)
            for e in events
            if e.type != "WORKING_HOURS" and e.transparency == "OPAQUE"
        ]
    )
    assert intersect(result.free, blocking) == ()
    # And nothing but the blocks is taken away.
    clipped = intersect(subtract(work, blocking), ((at(0), at(24)),))
    assert result.free == clipped
