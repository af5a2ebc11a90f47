"""Pure: the query-language fields of Query Events and Query Schedules (spec §2.2, §2.3).

No I/O. Exactly the fields and operators the Wix documentation lists; anything else is a 400
naming the field, the operator and what is allowed. Events sort on `start` or `end` only, and
`start`/`end` are not filterable (callers use `fromLocalDate`/`toLocalDate`).
"""

from __future__ import annotations

from rota.calendar.constants import EventType
from rota.wixquery.ast import And, Comparison, Node, Or
from rota.wixquery.fields import (
    EQ,
    EXISTS,
    GT,
    GTE,
    HAS_SOME,
    IN,
    LT,
    LTE,
    NE,
    FieldKind,
    FieldSpec,
    FieldTable,
)

_EQ_IN = frozenset({EQ, IN})
_COMPARE = frozenset({EQ, NE, GT, GTE, LT, LTE})

EVENT_QUERY_FIELDS = FieldTable(
    [
        FieldSpec("scheduleId", FieldKind.GUID, _EQ_IN, sortable=False),
        # External ids are GUIDs for Bookings, but any string for other apps' schedules.
        FieldSpec("externalScheduleId", FieldKind.STRING, _EQ_IN, sortable=False),
        FieldSpec("type", FieldKind.STRING, _EQ_IN, sortable=False),
        FieldSpec("recurringEventId", FieldKind.STRING, _EQ_IN, sortable=False),
        FieldSpec("transparency", FieldKind.STRING, frozenset({EQ}), sortable=False),
        FieldSpec("location", FieldKind.STRING, frozenset({EXISTS}), sortable=False),
        FieldSpec("location.id", FieldKind.STRING, _EQ_IN, sortable=False),
        FieldSpec("location.type", FieldKind.STRING, _EQ_IN, sortable=False),
        FieldSpec("totalCapacity", FieldKind.INT, _COMPARE | {EXISTS}, sortable=False),
        FieldSpec("remainingCapacity", FieldKind.INT, _COMPARE, sortable=False),
        FieldSpec("participants.total", FieldKind.INT, _COMPARE, sortable=False),
        FieldSpec("conferencingDetails", FieldKind.STRING, frozenset({EXISTS}), sortable=False),
        FieldSpec("appId", FieldKind.STRING, _EQ_IN, sortable=False),
        FieldSpec("resources.id", FieldKind.STRING_ARRAY, frozenset({HAS_SOME}), sortable=False),
    ]
)

EVENT_SORT_FIELDS = FieldTable(
    [
        FieldSpec("start", FieldKind.DATETIME, frozenset(), sortable=True),
        FieldSpec("end", FieldKind.DATETIME, frozenset(), sortable=True),
    ]
)

SCHEDULE_QUERY_FIELDS = FieldTable(
    [
        FieldSpec("id", FieldKind.GUID, _EQ_IN, sortable=False),
        FieldSpec("externalId", FieldKind.STRING, _EQ_IN, sortable=False),
        FieldSpec("appId", FieldKind.STRING, _EQ_IN, sortable=False),
        FieldSpec("status", FieldKind.STRING, _EQ_IN, sortable=False),
    ]
)


def selects_working_hours(node: Node) -> bool:
    """Whether the filter asks for WORKING_HOURS events by type (outside any ``$not``).

    Wix leaves WORKING_HOURS events out of Query Events unless the filter selects that type, so
    a calendar view never shows opening hours as appointments.
    """
    match node:
        case Comparison(field="type", op="$eq", value=value):
            return value == EventType.WORKING_HOURS
        case Comparison(field="type", op="$in", value=value):
            return isinstance(value, tuple) and EventType.WORKING_HOURS in value
        case And(items=items) | Or(items=items):
            return any(selects_working_hours(item) for item in items)
    return False
