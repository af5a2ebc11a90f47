"""Errors of the Booxi dialect. Codes are part of the API and never change; the Booxi error body
shows each code in PascalCase as ``error`` (``SCHEDULE_OVERLAP`` -> ``ScheduleOverlap``), and
names the request parameter at fault (``details["parameter"]`` or the first field violation).
"""

from __future__ import annotations

from typing import Any

from rota.core.errors import (
    BusinessRuleViolation,
    Conflict,
    FieldViolation,
    InvalidInput,
    NotFound,
)
from rota.identity.errors import TooManyAttempts


class MissingParameter(InvalidInput):
    code = "MISSING_PARAMETER"


class InvalidParameter(InvalidInput):
    code = "INVALID_PARAMETER"


class ReadOnlyField(InvalidInput):
    """A field that cannot change after creation (or only through another endpoint)."""

    code = "READ_ONLY_FIELD"


def missing(parameter: str, message: str) -> MissingParameter:
    return MissingParameter(message, violations=[FieldViolation(parameter, message, "REQUIRED")])


def invalid(parameter: str, message: str, **data: Any) -> InvalidParameter:
    return InvalidParameter(
        message, violations=[FieldViolation(parameter, message, "INVALID_VALUE", data or None)]
    )


def read_only(parameter: str, message: str, description: str = "read-only") -> ReadOnlyField:
    return ReadOnlyField(message, violations=[FieldViolation(parameter, description, "READ_ONLY")])


def at(parameter: str, **data: Any) -> dict[str, Any]:
    """Error details naming the request parameter at fault."""
    return {"parameter": parameter, **data}


class MerchantNotFound(NotFound):
    """Unknown, or outside the partner key's merchants: the two are indistinguishable."""

    code = "MERCHANT_NOT_FOUND"


class StaffNotFound(NotFound):
    code = "STAFF_NOT_FOUND"


class StaffTemplateNotFound(NotFound):
    code = "STAFF_TEMPLATE_NOT_FOUND"


class ModuleNotFound(NotFound):
    code = "MODULE_NOT_FOUND"


class ModuleLinkNotFound(NotFound):
    code = "MODULE_LINK_NOT_FOUND"


class InvalidExternalId(Conflict):
    """Booxi's module-link conflict: the external id already names another staff member."""

    code = "INVALID_EXTERNAL_ID"


class GroupNotFound(NotFound):
    code = "GROUP_NOT_FOUND"


class NotAHeadOffice(BusinessRuleViolation):
    code = "NOT_A_HEAD_OFFICE"


class AlreadyHeadOffice(BusinessRuleViolation):
    code = "SITE_IS_A_HEAD_OFFICE"


class LoginEmailLocked(BusinessRuleViolation):
    """Booxi: the login e-mail cannot be edited once the user has been invited."""

    code = "LOGIN_EMAIL_LOCKED"


class LoginEmailDomain(InvalidInput):
    code = "LOGIN_EMAIL_DOMAIN_NOT_ALLOWED"


class TemplateWithoutAccess(BusinessRuleViolation):
    code = "TEMPLATE_HAS_NO_USER_ACCESS"


class NoUserAccount(BusinessRuleViolation):
    code = "STAFF_HAS_NO_USER_ACCOUNT"


class TooManyRecoveryAttempts(TooManyAttempts):
    code = "TOO_MANY_PASSWORD_RECOVERY_ATTEMPTS"


class PasswordRecoveryNotFound(NotFound):
    code = "PASSWORD_RECOVERY_NOT_FOUND"


class InvalidRecoveryCode(BusinessRuleViolation):
    code = "INVALID_RECOVERY_CODE"


class ScheduleNotFound(NotFound):
    code = "SCHEDULE_NOT_FOUND"


class ScheduleOverlap(Conflict):
    code = "SCHEDULE_OVERLAP"


class StaffWithoutCalendar(BusinessRuleViolation):
    """Booxi: "User" personnel and templates have no calendar, hence no work schedule."""

    code = "STAFF_WITHOUT_CALENDAR"
