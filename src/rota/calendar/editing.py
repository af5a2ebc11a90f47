"""Pure: what writing an event means — defaults, inheritance, and every rule that needs no I/O.

No I/O. The service loads and stores; this module decides. Changes arrive as plain values keyed
by attribute name (``title``, ``start``, ``end``, ``time_zone``, ``recurrence_rule``, …), already
shape-checked by the wire schemas: local date-times are naive ``datetime``s, nested objects are
wire-cased dicts. A key present with ``None`` clears the value, which also stops inheriting it
(Wix: "setting a field to null overrides an inherited default with empty").

Rules kept here (spec §1.4, §2.2):
- ``end`` is after ``start`` (wall clock) and at most 100 years later; all-day events run from
  the first day's midnight to the midnight after the last day.
- A MASTER has a WEEKLY rule, its first occurrence falls on the rule's weekday, lasts less than
  the rule's period (occurrences never overlap each other), is not created on (or moved to) a
  past day in its zone, and its ``until`` is not before its start. A series that began in the
  past may still change its hours. Changing only the weekday moves the first
  occurrence to the next such day.
- A single event takes no rule; INSTANCEs and EXCEPTIONs keep their MASTER's.
- Values not given on create are inherited from the schedule (``inheritedFields``); INSTANCEs
  inherit everything from their MASTER, and an EXCEPTION stops inheriting what it changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any

from rota.calendar.constants import (
    SCHEDULE_DEFAULTS,
    EventStatus,
    EventType,
    InheritableField,
    RecurrenceType,
    Transparency,
)
from rota.calendar.errors import InvalidSplitDate, MasterStartInPast
from rota.calendar.event_view import EventView
from rota.calendar.recurrence import (
    InvalidTimeZone,
    Series,
    WeeklyRule,
    format_local,
    parse_local,
    span_to_utc,
    to_local,
    to_utc,
    weekday_index,
    zone,
)
from rota.core.errors import FieldViolation, InvalidInput

EDITABLE_FIELDS = frozenset(
    {
        "title",
        "start",
        "end",
        "time_zone",
        "recurrence_rule",
        "transparency",
        "location",
        "resources",
        "total_capacity",
        "conferencing_details",
        "notes",
        "extended_fields",
        "all_day",
    }
)
# Which inheritable value each attribute carries.
INHERITED_BY = {
    "title": InheritableField.TITLE,
    "time_zone": InheritableField.TIME_ZONE,
    "start": InheritableField.TIME,
    "end": InheritableField.TIME,
    "location": InheritableField.LOCATION,
    "resources": InheritableField.RESOURCES,
    "total_capacity": InheritableField.CAPACITY,
    "conferencing_details": InheritableField.CONFERENCING_DETAILS,
}
# Each schedule default: the schedule attribute holding it and the event attribute it fills.
SCHEDULE_DEFAULT_ATTRIBUTES = {
    InheritableField.TITLE: ("default_title", "title"),
    InheritableField.TIME_ZONE: ("time_zone", "time_zone"),
    InheritableField.LOCATION: ("default_location", "location"),
    InheritableField.CAPACITY: ("default_capacity", "total_capacity"),
    InheritableField.CONFERENCING_DETAILS: (
        "default_conferencing_details",
        "conferencing_details",
    ),
}
_NOT_CLEARABLE = {
    "start": "event.start.localDate",
    "end": "event.end.localDate",
    "time_zone": "event.timeZone",
    "transparency": "event.transparency",
}
MAX_LENGTH = timedelta(days=365 * 100 + 25)
# Placeholder times of a draft, always replaced by the required start and end.
_UNSET = datetime(2000, 1, 1)  # noqa: DTZ001 - wall-clock value, zone kept apart


@dataclass(frozen=True)
class ScheduleFacts:
    """What an event takes from its schedule: identity, roles and defaults."""

    id: str
    name: str | None
    external_id: str | None
    status: str
    app_id: str | None
    permissions: list[dict[str, Any]]
    time_zone: str
    default_title: str | None
    default_location: dict[str, Any] | None
    default_capacity: int | None
    default_conferencing_details: dict[str, Any] | None


def invalid(field: str, message: str, rule: str = "CUSTOM") -> InvalidInput:
    return InvalidInput(message, violations=[FieldViolation(field, message, rule)])


def rule_from_document(document: Mapping[str, Any], *, start: datetime) -> WeeklyRule:
    until = (document.get("until") or {}).get("localDate")
    return WeeklyRule(
        interval=int(document.get("interval") or 1),
        weekday=weekday_index(document["days"][0]) if document.get("days") else start.weekday(),
        until=parse_local(until) if until else None,
    )


def series_of(view: EventView) -> Series | None:
    """The weekly series of a MASTER; None for any other event."""
    if view.recurrence_type != RecurrenceType.MASTER or not view.recurrence_rule:
        return None
    return Series(
        view.start_local,
        view.end_local,
        zone(view.time_zone),
        rule_from_document(view.recurrence_rule, start=view.start_local),
    )


def last_end_utc(view: EventView) -> datetime | None:
    """When the event is over for good: its end, or its series' last end (None = never)."""
    series = series_of(view)
    if series is None:
        return view.end_utc
    last = series.last_occurrence()
    if last is None:
        return None if not series.is_finite else view.start_utc
    return last.end_utc


def draft_event(
    *,
    event_id: str,
    schedule: ScheduleFacts,
    event_type: str,
    changes: Mapping[str, Any],
    now: datetime,
) -> EventView:
    """A new event from the caller's values, the rest inherited from the schedule."""
    inherited = tuple(
        field
        for field in SCHEDULE_DEFAULTS
        if not any(INHERITED_BY.get(name) == field for name in changes)
    )
    rule = changes.get("recurrence_rule")
    base = EventView(
        id=event_id,
        schedule_id=schedule.id,
        external_schedule_id=schedule.external_id,
        schedule_name=schedule.name,
        type=event_type,
        status=EventStatus.CONFIRMED,
        title=schedule.default_title,
        start_local=_UNSET,
        end_local=_UNSET,
        time_zone=schedule.time_zone,
        start_utc=now,
        end_utc=now,
        recurrence_type=RecurrenceType.MASTER if rule is not None else RecurrenceType.NONE,
        recurrence_rule=None,
        recurring_event_id=None,
        transparency=Transparency.OPAQUE,
        location=schedule.default_location,
        resources=[],
        total_capacity=schedule.default_capacity,
        conferencing_details=schedule.default_conferencing_details,
        notes=None,
        inherited_fields=inherited,
        app_id=schedule.app_id,
        permissions=list(schedule.permissions),
        extended_fields=None,
        all_day=False,
        revision=1,
        created_at=now,
        updated_at=now,
    )
    for required, path in (("start", "event.start"), ("end", "event.end")):
        if changes.get(required) is None:
            raise invalid(path, f"{path} is required", "REQUIRED_FIELD")
    if event_type not in EventType.ALL:
        raise invalid("event.type", f"event.type must be one of {', '.join(EventType.ALL)}")
    return _compose(base, changes, creating=True, master_rule=None, now=now)


def edit_event(
    view: EventView,
    changes: Mapping[str, Any],
    *,
    master_rule: Mapping[str, Any] | None = None,
    now: datetime,
) -> EventView:
    """``view`` with ``changes`` applied; an INSTANCE comes back as an EXCEPTION."""
    if view.recurrence_type == RecurrenceType.INSTANCE:
        view = replace(view, recurrence_type=RecurrenceType.EXCEPTION)
    return _compose(view, changes, creating=False, master_rule=master_rule, now=now)


def _compose(
    view: EventView,
    changes: Mapping[str, Any],
    *,
    creating: bool,
    master_rule: Mapping[str, Any] | None,
    now: datetime,
) -> EventView:
    for name, path in _NOT_CLEARABLE.items():
        if name in changes and changes[name] is None:
            raise invalid(path, f"{path} cannot be cleared", "REQUIRED_FIELD")
    inherited = [
        field
        for field in view.inherited_fields
        if not any(INHERITED_BY.get(name) == field for name in changes)
    ]
    values: dict[str, Any] = {
        name: changes[name]
        for name in EDITABLE_FIELDS - {"start", "end", "recurrence_rule"}
        if name in changes
    }
    if "resources" in values and values["resources"] is None:
        values["resources"] = []
    if "all_day" in values:
        values["all_day"] = bool(values["all_day"])
    start = changes.get("start", view.start_local)
    end = changes.get("end", view.end_local)
    time_zone = values.get("time_zone", view.time_zone)
    try:
        tz = zone(time_zone)
    except InvalidTimeZone as error:
        raise invalid("event.timeZone", str(error), "FORMAT") from None
    rule = _check_rule(view, changes, creating=creating, master_rule=master_rule)
    time_changed = creating or "start" in changes or "end" in changes
    if values.get("all_day", view.all_day) and (time_changed or "all_day" in values):
        start, end = _whole_days(start, end)
    if end <= start:
        raise invalid("event.end.localDate", "event.end must be after event.start")
    if end - start > MAX_LENGTH:
        raise invalid("event.end.localDate", "An event may last at most 100 years")
    if rule is not None and view.recurrence_type == RecurrenceType.MASTER:
        start, end = _align_master(rule, start, end, moved="start" in changes)
        moved_day = creating or start.date() != view.start_local.date()
        if moved_day and start.date() < to_local(now, tz).date():
            raise MasterStartInPast(
                f"A recurring event cannot start on a past day: {format_local(start)} is "
                f"before today in {time_zone}; start it today or later",
                details={"field": "event.start.localDate"},
            )
    start_utc, end_utc = span_to_utc(start, end, tz)
    return replace(
        view,
        **values,
        start_local=start,
        end_local=end,
        start_utc=start_utc,
        end_utc=end_utc,
        recurrence_rule=rule,
        inherited_fields=tuple(inherited),
    )


def _check_rule(
    view: EventView,
    changes: Mapping[str, Any],
    *,
    creating: bool,
    master_rule: Mapping[str, Any] | None,
) -> dict[str, Any] | None:
    current = view.recurrence_rule
    if "recurrence_rule" not in changes:
        return dict(current) if current else None
    given = changes["recurrence_rule"]
    kind = view.recurrence_type
    if kind == RecurrenceType.NONE and creating and given is None:
        return None
    if kind == RecurrenceType.NONE and not creating:
        raise invalid(
            "event.recurrenceRule",
            "A single event cannot become recurring; create a new event with a recurrenceRule",
        )
    if kind in (RecurrenceType.INSTANCE, RecurrenceType.EXCEPTION):
        if given is not None and _same_rule(given, master_rule or current):
            return dict(current) if current else None
        raise invalid(
            "event.recurrenceRule",
            "The recurrence of an instance or exception cannot change; update its MASTER "
            f"{view.recurring_event_id}",
        )
    if given is None:
        raise invalid("event.recurrenceRule", "A recurring event's rule cannot be cleared")
    return dict(given)


def _same_rule(a: Mapping[str, Any], b: Mapping[str, Any] | None) -> bool:
    if b is None:
        return False

    def key(rule: Mapping[str, Any]) -> tuple[object, ...]:
        until = (rule.get("until") or {}).get("localDate")
        return (
            rule.get("frequency") or "WEEKLY",
            int(rule.get("interval") or 1),
            tuple(rule.get("days") or ()),
            format_local(parse_local(until)) if until else None,
        )

    return key(a) == key(b)


def _whole_days(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    first = datetime.combine(start.date(), time())
    last = datetime.combine(end.date(), time())
    if end.time() != time() or last <= first:
        last += timedelta(days=1)
    return first, last


def _align_master(
    rule: Mapping[str, Any], start: datetime, end: datetime, *, moved: bool
) -> tuple[datetime, datetime]:
    weekly = rule_from_document(rule, start=start)
    if start.weekday() != weekly.weekday:
        if moved:
            raise invalid(
                "event.start.localDate",
                f"{format_local(start)} is a {start.strftime('%A')}; a weekly event on "
                f"{rule['days'][0]} must start on that day",
            )
        shift = timedelta(days=(weekly.weekday - start.weekday()) % 7)
        start, end = start + shift, end + shift
    if end - start >= timedelta(days=7 * weekly.interval):
        raise invalid(
            "event.end.localDate",
            "Each occurrence must end before the next one starts (shorter than the interval)",
        )
    if weekly.until is not None and weekly.until < start:
        raise invalid(
            "event.recurrenceRule.until.localDate", "until must not be before the first start"
        )
    return start, end


def inherit_from_schedule(
    view: EventView, schedule: ScheduleFacts, fields: Iterable[str]
) -> EventView:
    """``view`` after its schedule's defaults for ``fields`` changed (only where inherited).

    A new zone keeps the wall-clock times (UTC is recomputed), as Wix does for business zones.
    """
    updates: dict[str, Any] = {}
    for field in fields:
        if field in view.inherited_fields and field in SCHEDULE_DEFAULT_ATTRIBUTES:
            source, target = SCHEDULE_DEFAULT_ATTRIBUTES[field]
            updates[target] = getattr(schedule, source)
    if not updates:
        return view
    changed = replace(view, **updates)
    if "time_zone" in updates:
        start_utc, end_utc = span_to_utc(
            changed.start_local, changed.end_local, zone(changed.time_zone)
        )
        changed = replace(changed, start_utc=start_utc, end_utc=end_utc)
    return changed


def inherit_from_master(exception: EventView, master: EventView) -> EventView:
    """A future EXCEPTION after its MASTER changed: it takes the values it still inherits."""
    inherits = set(exception.inherited_fields)
    updates: dict[str, Any] = {}
    if InheritableField.TITLE in inherits:
        updates["title"] = master.title
    if InheritableField.LOCATION in inherits:
        updates["location"] = master.location
    if InheritableField.RESOURCES in inherits:
        updates["resources"] = master.resources
    if InheritableField.CAPACITY in inherits:
        updates["total_capacity"] = master.total_capacity
    if InheritableField.CONFERENCING_DETAILS in inherits:
        updates["conferencing_details"] = master.conferencing_details
    if InheritableField.TIME_ZONE in inherits:
        updates["time_zone"] = master.time_zone
    start, end = exception.start_local, exception.end_local
    if InheritableField.TIME in inherits:
        start = datetime.combine(exception.start_local.date(), master.start_local.time())
        end = start + (master.end_local - master.start_local)
    changed = replace(exception, **updates, start_local=start, end_local=end)
    start_utc, end_utc = span_to_utc(start, end, zone(changed.time_zone))
    return replace(changed, start_utc=start_utc, end_utc=end_utc)


def split_point(
    master: EventView, split_local: datetime, *, now: datetime
) -> tuple[EventView, EventView]:
    """The two MASTERs a split leaves: the original ending before ``split_local`` and a new one
    starting at the first occurrence at or after it (its id is filled in by the caller).

    The split must come after the next occurrence from now starts (history stays put) and leave
    an occurrence on each side.
    """
    series = series_of(master)
    assert series is not None
    split_utc = to_utc(split_local, series.tz)
    upcoming_index = series.first_index_starting_at_or_after(to_local(now, series.tz))
    upcoming = series.occurrence(upcoming_index) if upcoming_index <= series.last_index else None
    first_after = series.first_index_starting_at_or_after(split_local)
    if upcoming is None or split_utc <= upcoming.start_utc or first_after > series.last_index:
        raise InvalidSplitDate(
            f"splitLocalDate {format_local(split_local)} must be after the start of the next "
            "occurrence and before the start of a later one",
            details={"field": "splitLocalDate"},
        )
    before = series.occurrence(first_after - 1)
    after = series.occurrence(first_after)
    rule = dict(master.recurrence_rule or {})
    ended_rule = {**rule, "until": {"localDate": format_local(before.local_end)}}
    ended = replace(master, recurrence_rule=ended_rule)
    continued = replace(
        master,
        start_local=after.local_start,
        end_local=after.local_end,
        start_utc=after.start_utc,
        end_utc=after.end_utc,
    )
    return ended, continued
