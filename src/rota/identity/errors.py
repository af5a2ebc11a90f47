"""Errors of the identity domain."""

from __future__ import annotations

from rota.core.errors import InvalidInput, NotFound, PermissionDenied, Unauthenticated


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
