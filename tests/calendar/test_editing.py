"""The pure rules for writing events: inheritance, clearing, all-day and recurring starts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from rota.calendar.editing import ScheduleFacts, draft_event, edit_event
from rota.calendar.errors import MasterStartInPast
from rota.core.errors import InvalidInput

NOW = datetime(2030, 3, 6, 15, 0, tzinfo=UTC)  # a Wednesday
SCHEDULE = ScheduleFacts(
    id="0b0b0b0b-0000-4000-8000-000000000000",
    name="Room",
    external_id="ext",
    status="ACTIVE",
    app_id=None,
    permissions=[],
    time_zone="Europe/London",
    default_title="Class",
    default_location={"type": "BUSINESS", "id": "loc"},
    default_capacity=4,
    default_conferencing_details=None,
)
WEEKLY = {"frequency": "WEEKLY", "interval": 1, "days": ["WEDNESDAY"]}


def draft(now: datetime = NOW, **changes: Any) -> Any:
    return draft_event(
        event_id="e" * 64, schedule=SCHEDULE, event_type="DEFAULT", changes=changes, now=now
    )


def test_values_not_given_are_inherited_and_null_stops_inheriting() -> None:
    event = draft(start=datetime(2030, 3, 6, 9), end=datetime(2030, 3, 6, 10))
    assert (event.title, event.total_capacity, event.location) == (
        "Class",
        4,
        SCHEDULE.default_location,
    )
    assert "TITLE" in event.inherited_fields
    cleared = edit_event(event, {"title": None, "location": None}, now=NOW)
    assert (cleared.title, cleared.location) == (None, None)
    assert "TITLE" not in cleared.inherited_fields
    assert "LOCATION" not in cleared.inherited_fields
    assert "CAPACITY" in cleared.inherited_fields
    with pytest.raises(InvalidInput):
        edit_event(event, {"start": None}, now=NOW)


def test_all_day_runs_from_midnight_to_the_midnight_after() -> None:
    event = draft(start=datetime(2030, 3, 6, 9), end=datetime(2030, 3, 7, 10), all_day=True)
    assert (event.start_local, event.end_local) == (datetime(2030, 3, 6), datetime(2030, 3, 8))


def test_recurring_starts_today_or_later_and_a_past_series_may_change_its_hours() -> None:
    with pytest.raises(MasterStartInPast):
        draft(start=datetime(2030, 2, 27, 9), end=datetime(2030, 2, 27, 17), recurrence_rule=WEEKLY)
    today = draft(
        start=datetime(2030, 3, 6, 9), end=datetime(2030, 3, 6, 17), recurrence_rule=WEEKLY
    )
    assert today.recurrence_type == "MASTER"
    later = datetime(2030, 6, 1, tzinfo=UTC)
    earlier_hours = edit_event(
        today, {"start": datetime(2030, 3, 6, 8), "end": datetime(2030, 3, 6, 16)}, now=later
    )
    assert earlier_hours.start_local == datetime(2030, 3, 6, 8)
    with pytest.raises(MasterStartInPast):
        edit_event(
            today,
            {"start": datetime(2030, 3, 13, 8), "end": datetime(2030, 3, 13, 9)},
            now=later,
        )


def test_changing_only_the_weekday_moves_the_first_occurrence() -> None:
    master = draft(
        start=datetime(2030, 3, 6, 9), end=datetime(2030, 3, 6, 17), recurrence_rule=WEEKLY
    )
    friday = edit_event(master, {"recurrence_rule": {**WEEKLY, "days": ["FRIDAY"]}}, now=NOW)
    assert friday.start_local == datetime(2030, 3, 8, 9)
    assert friday.end_local == datetime(2030, 3, 8, 17)
    with pytest.raises(InvalidInput):
        edit_event(master, {"recurrence_rule": None}, now=NOW)
    single = draft(start=datetime(2030, 3, 6, 9), end=datetime(2030, 3, 6, 10))
    with pytest.raises(InvalidInput):
        edit_event(single, {"recurrence_rule": WEEKLY}, now=NOW)
