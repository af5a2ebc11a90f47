"""Pure: API scopes, the Wix scope ids they answer to, and the permissions each grants.

Scopes follow the Wix split: Bookings read / manage, and Calendar read / read personal
information / manage. A manage scope implies the matching read scope.
"""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    BOOKINGS_READ = "bookings.read"
    BOOKINGS_MANAGE = "bookings.manage"
    CALENDAR_READ = "calendar.read"
    CALENDAR_READ_PI = "calendar.read-pi"
    CALENDAR_MANAGE = "calendar.manage"
    WEBHOOKS_MANAGE = "webhooks.manage"


class Permission(StrEnum):
    STAFF_READ = "staff.read"
    # A signed-in staff member reading their own staff member only.
    STAFF_READ_OWN = "staff.read-own"
    STAFF_WRITE = "staff.write"
    CALENDAR_READ = "calendar.read"
    CALENDAR_READ_PI = "calendar.read-pi"
    CALENDAR_WRITE = "calendar.write"
    MEDIA_WRITE = "media.write"
    WEBHOOKS_MANAGE = "webhooks.manage"


ALL_SCOPES: tuple[Scope, ...] = tuple(Scope)

# The scope ids Wix apps are configured with, so keys can be minted with the names users know.
WIX_SCOPE_ALIASES: dict[str, Scope] = {
    "SCOPE.DC-BOOKINGS.READ-BOOKINGS-PUBLIC": Scope.BOOKINGS_READ,
    "SCOPE.DC-BOOKINGS.READ-BOOKINGS-SENSITIVE": Scope.BOOKINGS_READ,
    "SCOPE.DC-BOOKINGS-MEGA.READ-BOOKINGS": Scope.BOOKINGS_READ,
    "SCOPE.DC-BOOKINGS.MANAGE-BOOKINGS": Scope.BOOKINGS_MANAGE,
    "SCOPE.DC-BOOKINGS-MEGA.MANAGE-BOOKINGS": Scope.BOOKINGS_MANAGE,
    "SCOPE.DC-CALENDAR.READ-PUBLIC": Scope.CALENDAR_READ,
    "SCOPE.DC-CALENDAR.READ-PI": Scope.CALENDAR_READ_PI,
    "SCOPE.DC-CALENDAR.MANAGE": Scope.CALENDAR_MANAGE,
}

_GRANTS: dict[Scope, frozenset[Permission]] = {
    Scope.BOOKINGS_READ: frozenset({Permission.STAFF_READ, Permission.CALENDAR_READ}),
    Scope.BOOKINGS_MANAGE: frozenset(
        {
            Permission.STAFF_READ,
            Permission.STAFF_WRITE,
            Permission.CALENDAR_READ,
            Permission.CALENDAR_WRITE,
            Permission.MEDIA_WRITE,
        }
    ),
    Scope.CALENDAR_READ: frozenset({Permission.CALENDAR_READ}),
    Scope.CALENDAR_READ_PI: frozenset({Permission.CALENDAR_READ, Permission.CALENDAR_READ_PI}),
    Scope.CALENDAR_MANAGE: frozenset(
        {Permission.CALENDAR_READ, Permission.CALENDAR_READ_PI, Permission.CALENDAR_WRITE}
    ),
    # Webhook payloads carry personal information, so managing them is a scope of its own.
    Scope.WEBHOOKS_MANAGE: frozenset({Permission.WEBHOOKS_MANAGE}),
}


def parse_scope(name: str) -> Scope:
    """Accept Rota's scope names and Wix's scope ids; raise ValueError naming the choices."""
    if name in WIX_SCOPE_ALIASES:
        return WIX_SCOPE_ALIASES[name]
    try:
        return Scope(name)
    except ValueError:
        choices = ", ".join(s.value for s in Scope)
        raise ValueError(f"Unknown scope {name!r}; use one of: {choices}") from None


def permissions_for(scopes: frozenset[Scope]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for scope in scopes:
        granted |= _GRANTS[scope]
    return frozenset(granted)
