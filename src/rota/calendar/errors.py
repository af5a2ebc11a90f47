"""Errors of the calendar domain. Codes are part of the API and never change."""

from __future__ import annotations

from rota.core.errors import (
    BusinessRuleViolation,
    Conflict,
    NotFound,
    PermissionDenied,
    RotaError,
)


class FailedPrecondition(RotaError):
    """Wix's 428: the target is in a state (cancelled) that rules the operation out."""

    code = "FAILED_PRECONDITION"
    http_status = 428


class ScheduleNotFound(NotFound):
    code = "SCHEDULE_NOT_FOUND"


class EventNotFound(NotFound):
    code = "EVENT_NOT_FOUND"


class ResourceNotFound(NotFound):
    code = "RESOURCE_NOT_FOUND"


class ScheduleCancelled(FailedPrecondition):
    code = "SCHEDULE_CANCELLED"


class EventCancelled(FailedPrecondition):
    code = "EVENT_CANCELLED"


class EventAlreadyCancelled(FailedPrecondition):
    code = "EVENT_ALREADY_CANCELLED"


class MasterStartInPast(BusinessRuleViolation):
    code = "RECURRING_EVENT_START_IN_PAST"


class InvalidSplitDate(BusinessRuleViolation):
    code = "INVALID_SPLIT_DATE"


class NotRecurringMaster(BusinessRuleViolation):
    code = "NOT_A_RECURRING_MASTER"


class BusinessScheduleProtected(BusinessRuleViolation):
    code = "BUSINESS_SCHEDULE_CANNOT_BE_CANCELLED"


class DuplicateBusinessSchedule(Conflict):
    code = "BUSINESS_SCHEDULE_ALREADY_EXISTS"


class CalendarRoleRequired(PermissionDenied):
    code = "CALENDAR_ROLE_REQUIRED"


class CommenterMayEditOnlyNotes(PermissionDenied):
    code = "COMMENTER_MAY_EDIT_ONLY_NOTES"


class PiPermissionRequired(PermissionDenied):
    code = "PI_PERMISSION_REQUIRED"
