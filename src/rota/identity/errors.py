"""Errors of the identity domain."""

from __future__ import annotations

from rota.core.errors import (
    BusinessRuleViolation,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RotaError,
    Unauthenticated,
)


class MissingCredentials(Unauthenticated):
    code = "MISSING_CREDENTIALS"


class InvalidApiKey(Unauthenticated):
    code = "INVALID_API_KEY"


class SiteNotGranted(PermissionDenied):
    code = "SITE_NOT_GRANTED"


class SiteRequired(InvalidInput):
    code = "SITE_ID_REQUIRED"


class MissingPermission(PermissionDenied):
    code = "PERMISSION_DENIED"


class SiteNotFound(NotFound):
    code = "SITE_NOT_FOUND"


class ApiKeyNotFound(NotFound):
    code = "API_KEY_NOT_FOUND"


class InvalidTimeZone(InvalidInput):
    code = "INVALID_TIME_ZONE"


class InvalidCredentials(Unauthenticated):
    """Wrong e-mail or password; deliberately does not say which."""

    code = "INVALID_CREDENTIALS"


class TooManyAttempts(RotaError):
    code = "TOO_MANY_ATTEMPTS"
    http_status = 429


class LoginDisabled(PermissionDenied):
    code = "LOGIN_DISABLED"


class NotASiteMember(PermissionDenied):
    code = "NOT_A_SITE_MEMBER"


class InvalidAccessToken(Unauthenticated):
    code = "INVALID_ACCESS_TOKEN"


class TokenSiteMismatch(PermissionDenied):
    code = "TOKEN_SITE_MISMATCH"


class InvalidEmail(InvalidInput):
    code = "INVALID_EMAIL"


class WeakPassword(InvalidInput):
    code = "WEAK_PASSWORD"


class EmailTaken(Conflict):
    code = "EMAIL_ALREADY_REGISTERED"


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"


class InvitationNotFound(NotFound):
    code = "INVITATION_NOT_FOUND"


class InvitationExpired(BusinessRuleViolation):
    code = "INVITATION_EXPIRED"
    http_status = 410


class InvitationUsed(BusinessRuleViolation):
    code = "INVITATION_ALREADY_USED"
    http_status = 410
