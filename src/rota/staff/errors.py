"""Errors of the staff domain."""

from __future__ import annotations

from rota.core.errors import BusinessRuleViolation, InvalidInput, NotFound, PermissionDenied


class StaffMemberNotFound(NotFound):
    code = "STAFF_MEMBER_NOT_FOUND"


class StaffMemberNotInTrash(NotFound):
    code = "STAFF_MEMBER_NOT_IN_TRASH_BIN"


class NoImageFound(InvalidInput):
    """Wix's code and wording for a `mainMedia.image.id` that is not an image of this site."""

    code = "NO_IMAGE_FOUND"


class InvalidWorkingHoursSchedule(BusinessRuleViolation):
    code = "INVALID_WORKING_HOURS_SCHEDULE"


class EmptyTagLists(InvalidInput):
    code = "EMPTY_ASSIGN_AND_UNASSIGN_LISTS"


class TooManyTags(InvalidInput):
    code = "TOO_MANY_TAGS"


class JobNotFound(NotFound):
    code = "JOB_NOT_FOUND"


class NoEmail(InvalidInput):
    code = "NO_EMAIL"


class StaffAlreadyConnected(InvalidInput):
    code = "STAFF_ALREADY_CONNECTED"


class UserAlreadyConnected(InvalidInput):
    code = "USER_ALREADY_CONNECTED"


class InviteAlreadySent(InvalidInput):
    code = "INVITE_ALREADY_SENT"


class StaffNotConnected(InvalidInput):
    code = "STAFF_NOT_CONNECTED"


class NotYourStaffMember(PermissionDenied):
    code = "NOT_YOUR_STAFF_MEMBER"
