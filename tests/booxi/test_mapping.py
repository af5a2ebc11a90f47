"""Pure modules of the Booxi dialect: names, enums, languages, domains, timestamps, the error
body and work-schedule arithmetic."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rota.booxi.error_body import booxi_error_body, booxi_status_body, error_name
from rota.booxi.errors import ScheduleOverlap, at, invalid
from rota.booxi.mapping import (
    InvitationStatus,
    PersonnelType,
    UserRole,
    booxi_names,
    domain_allowed,
    invitation_status,
    join_name,
    normalize_language,
    parse_choice,
    site_role,
    split_name,
    timestamp,
    user_role,
)
from rota.booxi.work_schedule import (
    DateSpan,
    WeeklyRange,
    parse_clock,
    parse_day,
    range_problems,
    weekly_series,
)
from rota.identity.roles import Role

WORD = st.text(alphabet=st.characters(categories=("L",)), min_size=1, max_size=8)


@given(st.lists(WORD, min_size=1, max_size=5))
def test_split_then_join_gives_the_name_back(words: list[str]) -> None:
    name = " ".join(words)
    first, last = split_name(name)
    assert join_name(first, last) == name
    assert " " not in last


def test_split_keeps_the_last_word_as_last_name() -> None:
    assert split_name("Mary Ann Lee") == ("Mary Ann", "Lee")
    assert split_name("Cher") == ("Cher", "")


def test_stored_names_win_until_the_wix_name_changes() -> None:
    assert booxi_names("Mary", "Ann Lee", "Mary Ann Lee") == ("Mary", "Ann Lee")
    assert booxi_names("Mary", "Ann Lee", "Mary Lee") == ("Mary", "Lee")
    assert booxi_names(None, None, "Solo Name") == ("Solo", "Name")


def test_enums_read_in_any_case() -> None:
    assert parse_choice(PersonnelType, " standard ") is PersonnelType.STANDARD
    assert parse_choice(UserRole, "restrictedstaff") is UserRole.RESTRICTED_STAFF
    assert parse_choice(PersonnelType, "robot") is None


@pytest.mark.parametrize("role", list(UserRole))
def test_roles_map_both_ways(role: UserRole) -> None:
    assert user_role(site_role(role).value) is role


def test_unknown_stored_role_reads_least_privileged() -> None:
    assert user_role("OWNER") is UserRole.RESTRICTED_STAFF
    assert site_role(UserRole.RESTRICTED_STAFF) is Role.RESTRICTED_STAFF


def test_invitation_status_follows_the_connection() -> None:
    assert invitation_status("DISCONNECTED") is InvitationStatus.TO_INVITE
    assert invitation_status("PENDING") is InvitationStatus.INVITED
    assert invitation_status("CONNECTED") is InvitationStatus.ACCEPTED


@pytest.mark.parametrize(
    ("given_code", "expected"),
    [("eng", "eng"), ("EN", "eng"), ("fra", "fre"), ("ger", "deu"), ("yue", "yue"), ("xx", None)],
)
def test_languages(given_code: str, expected: str | None) -> None:
    assert normalize_language(given_code) == expected


def test_domains_include_subdomains_only() -> None:
    assert domain_allowed("a@ACME.com", ["acme.com"])
    assert domain_allowed("a@eu.acme.com", ["acme.com"])
    assert not domain_allowed("a@notacme.com", ["acme.com"])


def test_timestamps_are_whole_seconds_in_utc() -> None:
    moment = datetime(2024, 4, 4, 10, 16, 26, 999_000, tzinfo=ZoneInfo("Europe/Paris"))
    assert timestamp(moment) == "2024-04-04T08:16:26Z"


def test_error_body_names_the_error_and_parameter() -> None:
    overlap = ScheduleOverlap("overlaps", details=at("start", scheduleId=3))
    assert booxi_error_body(overlap) == {
        "code": 409,
        "message": "overlaps",
        "error": "ScheduleOverlap",
        "parameter": "start",
        "data": {"scheduleId": 3},
    }
    bad = invalid("status", "status must be one of: Online, Offline")
    assert booxi_error_body(bad)["parameter"] == "status"
    assert error_name("INVALID_EXTERNAL_ID") == "InvalidExternalId"
    assert booxi_status_body(404, "Not Found") == {
        "code": 404,
        "message": "Not Found",
        "error": "NotFound",
    }


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("09:00", 540), ("9:30", 570), ("23:59:00", 1439), ("24:00", 1440), ("00:00", 0)],
)
def test_clock_times(text: str, minutes: int) -> None:
    assert parse_clock(text) == minutes


@pytest.mark.parametrize("text", ["24:01", "12:60", "9am", "12:00:30", "", "1200"])
def test_bad_clock_times(text: str) -> None:
    assert parse_clock(text) is None


def test_days_from_dates_and_date_times() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    assert parse_day("2031-06-02", tokyo) == date(2031, 6, 2)
    # 20:00 UTC on the 1st is already the 2nd in Tokyo.
    assert parse_day("2031-06-01T20:00:00Z", tokyo) == date(2031, 6, 2)
    assert parse_day("2031-06-01T20:00:00", tokyo) == date(2031, 6, 1)
    assert parse_day("June", tokyo) is None
    # Moved into the zone, these fall outside the years a date can hold.
    assert parse_day("0001-01-01T00:00:00+01:00", ZoneInfo("Europe/London")) is None
    assert parse_day("9999-12-31T23:00:00-05:00", tokyo) is None


def test_overlapping_ranges_of_a_day_are_found() -> None:
    ranges = [
        WeeklyRange(1, 540, 720),
        WeeklyRange(1, 780, 1080),
        WeeklyRange(2, 600, 700),
        WeeklyRange(1, 700, 800),
        WeeklyRange(3, 600, 600),
    ]
    assert [index for index, _ in range_problems(ranges)] == [3, 4]


SPANS = st.builds(
    lambda start, length: DateSpan(start, None if length is None else start + timedelta(length)),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 1, 1)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
)


@given(SPANS, SPANS)
def test_overlap_is_symmetric_and_means_a_shared_day(a: DateSpan, b: DateSpan) -> None:
    assert a.overlaps(b) == b.overlaps(a)
    if a.end is not None and b.end is not None:
        shared = max(a.start, b.start) <= min(a.end, b.end)
        assert a.overlaps(b) == shared


@given(SPANS, st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=7, unique=True))
def test_series_start_on_their_weekday_within_the_span(span: DateSpan, days: list[int]) -> None:
    ranges = [WeeklyRange(dow, 540, 600) for dow in days]
    for series in weekly_series(span, ranges):
        first = series.start_local.date()
        assert span.start <= first < span.start + timedelta(days=7)
        assert span.end is None or first <= span.end
        assert series.day_name == first.strftime("%A").upper()
        assert series.until == span.end
    if span.end is None or (span.end - span.start).days >= 6:
        assert len(weekly_series(span, ranges)) == len(days)


def test_series_keep_wall_clock_times() -> None:
    span = DateSpan(date(2031, 6, 2), date(2031, 6, 30))  # a Monday
    [series] = weekly_series(span, [WeeklyRange(0, 600, 1440)])  # Sunday 10:00-24:00
    assert series.start_local == datetime(2031, 6, 8, 10, 0)
    assert series.end_local == datetime(2031, 6, 9, 0, 0)
    assert series.start_local.tzinfo is None
