"""Wall-clock times, zones and weekly series: the documented DST answers and the properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from dateutil import rrule
from hypothesis import given, settings
from hypothesis import strategies as st

from rota.calendar.event_ids import instance_id, new_event_id, parse_instance_id
from rota.calendar.recurrence import (
    InvalidLocalDateTime,
    InvalidTimeZone,
    Series,
    WeeklyRule,
    occurrences,
    parse_local,
    span_to_utc,
    to_local,
    to_utc,
    zone,
)

LONDON = zone("Europe/London")
BERLIN = zone("Europe/Berlin")
NEW_YORK = zone("America/New_York")
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_parse_local_ignores_seconds_and_accepts_a_bare_date() -> None:
    assert parse_local("2024-01-30T13:30:59.123") == datetime(2024, 1, 30, 13, 30)
    assert parse_local("2024-01-30") == datetime(2024, 1, 30)


@pytest.mark.parametrize(
    "text", ["2024-01-30T13:30:00Z", "2024-01-30T13:30+02:00", "30/01/2024", "2101-01-01T00:00"]
)
def test_parse_local_refuses_offsets_other_formats_and_far_years(text: str) -> None:
    with pytest.raises(InvalidLocalDateTime):
        parse_local(text)


@pytest.mark.parametrize(
    "name", ["EST", "Etc/GMT+5", "Mars/Olympus", "", "../etc/passwd", "europe/london"]
)
def test_zone_refuses_abbreviations_fixed_offsets_and_unknown_names(name: str) -> None:
    with pytest.raises(InvalidTimeZone):
        zone(name)


def test_zone_accepts_region_zones_and_utc() -> None:
    assert zone("UTC").key == "UTC"
    assert zone("America/Argentina/Buenos_Aires").key == "America/Argentina/Buenos_Aires"


# --- the documented daylight-saving answers ---------------------------------------------------


def test_skipped_hour_moves_forward_by_the_gap() -> None:
    # 02:30 does not exist on 2026-03-29 in Berlin (02:00 CET -> 03:00 CEST): it is read with the
    # offset before the gap, the instant a clock shows as 03:30 CEST.
    instant = to_utc(datetime(2026, 3, 29, 2, 30), BERLIN)
    assert instant == utc(2026, 3, 29, 1, 30)
    assert to_local(instant, BERLIN) == datetime(2026, 3, 29, 3, 30)
    # Same rule in New York (2026-03-08, 02:00 EST -> 03:00 EDT).
    assert to_utc(datetime(2026, 3, 8, 2, 30), NEW_YORK) == utc(2026, 3, 8, 7, 30)


def test_repeated_hour_means_the_first_of_the_two_instants() -> None:
    # 02:30 happens twice in Berlin on 2026-10-25: first in CEST (00:30 UTC), then CET (01:30).
    assert to_utc(datetime(2026, 10, 25, 2, 30), BERLIN) == utc(2026, 10, 25, 0, 30)
    assert to_utc(datetime(2026, 11, 1, 1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)


def test_interval_ending_inside_a_gap_is_clamped_to_its_start() -> None:
    # 02:10-02:50 lies wholly inside Berlin's skipped hour: both ends move, the end may not pass
    # behind the start.
    start, end = span_to_utc(datetime(2026, 3, 29, 2, 10), datetime(2026, 3, 29, 2, 50), BERLIN)
    assert start == utc(2026, 3, 29, 1, 10)
    assert end == utc(2026, 3, 29, 1, 50)
    start, end = span_to_utc(datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 3, 15), BERLIN)
    assert end == start  # 02:30 -> 03:30 CEST is after 03:15 CEST: zero length


def test_weekly_hours_keep_their_wall_clock_across_the_change() -> None:
    series = Series(
        datetime(2027, 3, 22, 9, 0),
        datetime(2027, 3, 22, 17, 0),
        LONDON,
        WeeklyRule(interval=1, weekday=0),
    )
    found = list(occurrences(series, utc(2027, 3, 20), utc(2027, 4, 6)))
    assert [(o.start_utc, o.end_utc) for o in found] == [
        (utc(2027, 3, 22, 9), utc(2027, 3, 22, 17)),  # GMT
        (utc(2027, 3, 29, 8), utc(2027, 3, 29, 16)),  # BST: same wall clock, an hour earlier
        (utc(2027, 4, 5, 8), utc(2027, 4, 5, 16)),
    ]
    assert {o.local_start.time() for o in found} == {time(9)}


def test_until_is_inclusive_and_interval_skips_weeks() -> None:
    series = Series(
        datetime(2027, 1, 4, 10),
        datetime(2027, 1, 4, 11),
        LONDON,
        WeeklyRule(interval=2, weekday=0, until=datetime(2027, 2, 1, 10)),
    )
    days = [o.day for o in occurrences(series, None, None)]
    assert days == [date(2027, 1, 4), date(2027, 1, 18), date(2027, 2, 1)]
    assert series.occurrence_on(date(2027, 1, 11)) is None
    assert series.occurrence_on(date(2027, 1, 18)) is not None
    assert series.last_occurrence() is not None
    assert series.last_occurrence().day == date(2027, 2, 1)  # type: ignore[union-attr]


def test_descending_is_the_reverse_of_ascending() -> None:
    series = Series(datetime(2027, 1, 6, 22), datetime(2027, 1, 7, 2), NEW_YORK, WeeklyRule(1, 2))
    window = (utc(2027, 2, 1), utc(2027, 5, 1))
    ascending = list(occurrences(series, *window))
    assert list(occurrences(series, *window, descending=True)) == ascending[::-1]


def test_instance_ids_round_trip_and_other_ids_are_not_instances() -> None:
    import uuid

    master = new_event_id(uuid.uuid4())
    assert len(master) == 64
    assert parse_instance_id(instance_id(master, date(2027, 3, 1))) == (master, date(2027, 3, 1))
    assert parse_instance_id(master) is None
    assert parse_instance_id(master + "_20270231") is None


# --- properties ----------------------------------------------------------------------------------

series_strategy = st.builds(
    lambda zone_name, first, hour, minute, minutes, interval, weeks: Series(
        datetime.combine(first, time(hour, minute)),
        datetime.combine(first, time(hour, minute)) + timedelta(minutes=minutes),
        zone(zone_name),
        WeeklyRule(
            interval=interval,
            weekday=first.weekday(),
            until=None
            if weeks is None
            else datetime.combine(first, time(hour, minute)) + timedelta(weeks=weeks),
        ),
    ),
    st.sampled_from(ZONES),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(0, 23),
    st.sampled_from([0, 15, 30, 45]),
    st.integers(15, 24 * 60),
    st.integers(1, 4),
    st.none() | st.integers(0, 150),
)
windows = st.tuples(
    st.datetimes(min_value=datetime(2019, 6, 1), max_value=datetime(2037, 1, 1)),
    st.integers(0, 24 * 400),
).map(lambda w: (w[0].replace(tzinfo=UTC), w[0].replace(tzinfo=UTC) + timedelta(hours=w[1])))
PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(series_strategy, windows)
def test_expansion_lies_in_the_window_sorted_unique_and_bounded(
    series: Series, window: tuple[datetime, datetime]
) -> None:
    start, end = window
    found = list(occurrences(series, start, end))
    assert all(o.start_utc < end and (o.end_utc > start or o.start_utc >= start) for o in found)
    assert [o.start_utc for o in found] == sorted({o.start_utc for o in found})
    period_hours = 24 * 7 * series.rule.interval
    assert len(found) <= (end - start) / timedelta(hours=period_hours) + 2


@PROPERTY
@given(series_strategy, windows)
def test_local_wall_clock_survives_daylight_saving(
    series: Series, window: tuple[datetime, datetime]
) -> None:
    for found in occurrences(series, *window):
        assert found.local_start.time() == series.start.time()
        assert found.local_start.weekday() == series.rule.weekday
        shown = to_local(found.start_utc, series.tz)
        if to_utc(shown, series.tz) == found.start_utc and shown == found.local_start:
            continue
        # Only a wall-clock time that does not exist may be shown differently: moved forward.
        assert to_local(to_utc(found.local_start, series.tz), series.tz) != found.local_start
        assert timedelta(0) < shown - found.local_start <= timedelta(hours=1)


@PROPERTY
@given(series_strategy, windows)
def test_dates_agree_with_dateutil_rrule(series: Series, window: tuple[datetime, datetime]) -> None:
    start, end = window
    rule = rrule.rrule(
        rrule.WEEKLY,
        dtstart=series.start,
        interval=series.rule.interval,
        byweekday=series.rule.weekday,
        until=series.rule.until,
    )
    low = (start - timedelta(days=9)).replace(tzinfo=None)
    high = (end + timedelta(days=2)).replace(tzinfo=None)
    expected = [
        d.date()
        for d in rule.between(low, high, inc=True)
        if occurrence_meets(series, d, start, end)
    ]
    assert [o.day for o in occurrences(series, start, end)] == expected


def occurrence_meets(series: Series, local: datetime, start: datetime, end: datetime) -> bool:
    found = series.occurrence_on(local.date())
    assert found is not None
    return found.start_utc < end and (found.end_utc > start or found.start_utc >= start)
