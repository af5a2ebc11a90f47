"""Pure: the roles a user holds on a site and the permissions each gives.

Booxi's role names map onto these (Admin, Supervisor, Manager, Staff, RestrictedStaff). Staff
members manage only their own schedule; the calendar's WRITER/COMMENTER roles decide which
schedules those are.
"""

from __future__ import annotations

from enum import StrEnum

from rota.identity.permissions import ALL_SCOPES, Permission, permissions_for


class Role(StrEnum):
    ADMIN = "ADMIN"
    SUPERVISOR = "SUPERVISOR"
    MANAGER = "MANAGER"
    STAFF = "STAFF"
    RESTRICTED_STAFF = "RESTRICTED_STAFF"


ADMIN_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.MANAGER})

_SELF_SERVICE = frozenset(
    {Permission.STAFF_READ_OWN, Permission.CALENDAR_READ, Permission.CALENDAR_WRITE}
)


def role_permissions(role: Role) -> frozenset[Permission]:
    if role in ADMIN_ROLES:
        return permissions_for(frozenset(ALL_SCOPES))
    if role is Role.STAFF:
        return _SELF_SERVICE
    # Restricted staff may look but not edit their own hours (Booxi's rule).
    return frozenset({Permission.STAFF_READ_OWN, Permission.CALENDAR_READ})
