"""Pure: identifiers and defaults fixed by the Wix Calendar and Bookings APIs."""

from __future__ import annotations

from datetime import time

# Every Wix site's business schedule carries this external id (the id itself is per site).
BUSINESS_SCHEDULE_EXTERNAL_ID = "4e0579a5-491e-4e70-a872-d097eed6e520"
BOOKINGS_APP_ID = "13d21c63-b5ec-5912-8397-c3a5ddb27a97"
BUSINESS_SCHEDULE_NAME = "Business working hours"

# Wix Bookings' default opening hours: Monday to Friday, 10:00-18:00 in the business time zone.
DEFAULT_WORKING_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
DEFAULT_DAY_START = time(10, 0)
DEFAULT_DAY_END = time(18, 0)

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


class EventType:
    DEFAULT = "DEFAULT"
    WORKING_HOURS = "WORKING_HOURS"
    # Written by Wix Bookings on service schedules; accepted so those events can be mirrored.
    APPOINTMENT = "APPOINTMENT"
    CLASS = "CLASS"
    COURSE = "COURSE"
    ALL = (DEFAULT, WORKING_HOURS, APPOINTMENT, CLASS, COURSE)


class RecurrenceType:
    NONE = "NONE"
    MASTER = "MASTER"
    INSTANCE = "INSTANCE"
    EXCEPTION = "EXCEPTION"


# Wix's resource type id for staff members (resources[].type on events).
STAFF_RESOURCE_TYPE_ID = "1cd44cf8-756f-41c3-bd90-3e2ffcaf1155"


class EventStatus:
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


class ScheduleStatus:
    ACTIVE = "ACTIVE"
    CANCELLED = "CANCELLED"


class Transparency:
    OPAQUE = "OPAQUE"
    TRANSPARENT = "TRANSPARENT"


class InheritableField:
    """Wix's `Field` enum: the values an event may take from its schedule or its MASTER."""

    TITLE = "TITLE"
    TIME_ZONE = "TIME_ZONE"
    TIME = "TIME"
    LOCATION = "LOCATION"
    RESOURCES = "RESOURCES"
    CAPACITY = "CAPACITY"
    PARTICIPANTS = "PARTICIPANTS"
    CONFERENCING_DETAILS = "CONFERENCING_DETAILS"


# What an event created without these values takes from its schedule, in Wix's order.
SCHEDULE_DEFAULTS = (
    InheritableField.TITLE,
    InheritableField.TIME_ZONE,
    InheritableField.LOCATION,
    InheritableField.CAPACITY,
    InheritableField.CONFERENCING_DETAILS,
)
# Everything an INSTANCE takes from its MASTER.
ALL_INHERITABLE = (
    InheritableField.TITLE,
    InheritableField.TIME_ZONE,
    InheritableField.TIME,
    InheritableField.LOCATION,
    InheritableField.RESOURCES,
    InheritableField.CAPACITY,
    InheritableField.PARTICIPANTS,
    InheritableField.CONFERENCING_DETAILS,
)

# Schedule attributes the Schedules API may change, and those only set on create.
SCHEDULE_WRITABLE = frozenset(
    {
        "name",
        "time_zone",
        "business_time_zone_enabled",
        "default_title",
        "default_location",
        "default_capacity",
        "default_conferencing_details",
        "permissions",
        "extended_fields",
    }
)
SCHEDULE_CREATE_ONLY = frozenset({"external_id", "app_id"})
