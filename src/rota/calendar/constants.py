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


class RecurrenceType:
    NONE = "NONE"
    MASTER = "MASTER"
    INSTANCE = "INSTANCE"
    EXCEPTION = "EXCEPTION"
