"""The calendar's use cases: schedules (business hours, staff schedules, the Schedules API) and
events (single, recurring, instances and exceptions; queries; the availability timeline).

Every change is announced as a domain event in the same transaction (`rota.calendar.events`).

Every function works inside the caller's transaction and never commits. Changes arrive as plain
values keyed by attribute name, never as wire schemas, so any API dialect can call them.
"""

from rota.calendar.service._common import (
    business_time_zone,
    find_schedule,
    get_business_schedule,
)
from rota.calendar.service._events import (
    ItemResult,
    cancel_event,
    create_event,
    get_event,
    list_events,
    run_each,
    split_event,
    update_event,
)
from rota.calendar.service._query import EventQuery, load_timeline, query_events, sort_value
from rota.calendar.service._schedules import (
    cancel_schedule,
    create_business_schedule,
    create_schedule,
    create_staff_schedule,
    delete_schedules,
    get_schedule,
    query_schedules,
    rename_schedule,
    set_schedule_role,
    update_schedule,
)

__all__ = [
    "EventQuery",
    "ItemResult",
    "business_time_zone",
    "cancel_event",
    "cancel_schedule",
    "create_business_schedule",
    "create_event",
    "create_schedule",
    "create_staff_schedule",
    "delete_schedules",
    "find_schedule",
    "get_business_schedule",
    "get_event",
    "get_schedule",
    "list_events",
    "load_timeline",
    "query_events",
    "query_schedules",
    "rename_schedule",
    "run_each",
    "set_schedule_role",
    "sort_value",
    "split_event",
    "update_event",
    "update_schedule",
]
