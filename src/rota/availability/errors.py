"""Errors of the availability endpoint. Codes are part of the API and never change."""

from __future__ import annotations

from rota.core.errors import BusinessRuleViolation


class TooManySlots(BusinessRuleViolation):
    code = "TOO_MANY_SLOTS"


class TooManyStaffMembers(BusinessRuleViolation):
    code = "TOO_MANY_STAFF_MEMBERS"
