"""Pure: calendar roles (Wix `WRITER` / `COMMENTER`) and what each lets a signed-in user change.

No I/O. Roles come from two places: a schedule's `permissions` (`{identity: {wixUserId}, role}`,
covering every event of the schedule) and an event's `resources[].permissionRole` (covering the
users linked to that resource, e.g. the staff member it names). A user's role on an event is the
stronger of the two. WRITER may change anything; COMMENTER reads everything and may change only
`notes`; no role means no writes.

API keys are not users: a `Caller` without `user_id` is governed by its scopes alone, so an app
with a manage scope can do everything, as Wix apps can.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    WRITER = "WRITER"
    COMMENTER = "COMMENTER"


_STRENGTH = {Role.COMMENTER: 1, Role.WRITER: 2}
COMMENTER_WRITABLE = frozenset({"notes"})


@dataclass(frozen=True)
class Caller:
    """Who is writing. ``resource_ids`` are the resources linked to the user (their staff
    resource), which is how `resources[].permissionRole` reaches them."""

    user_id: str | None = None
    resource_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_user(self) -> bool:
        return self.user_id is not None


API_KEY = Caller()


def grant(user_id: str, role: str) -> dict[str, Any]:
    """A schedule `permissions` entry giving the user ``role``, in its stored (wire) form."""
    return {"identity": {"wixUserId": user_id, "identityType": "WIX_USER"}, "role": role}


def _parse_role(value: object) -> Role | None:
    try:
        return Role(str(value))
    except ValueError:
        return None


def strongest(roles: Iterable[Role | None]) -> Role | None:
    found = [role for role in roles if role is not None]
    return max(found, key=_STRENGTH.__getitem__) if found else None


def schedule_role(permissions: Iterable[Mapping[str, Any]], user_id: str | None) -> Role | None:
    """The role ``user_id`` holds through a schedule's ``permissions``."""
    if user_id is None:
        return None
    wanted = user_id.lower()
    return strongest(
        _parse_role(entry.get("role"))
        for entry in permissions
        if str((entry.get("identity") or {}).get("wixUserId", "")).lower() == wanted
    )


def event_role(
    caller: Caller,
    schedule_permissions: Iterable[Mapping[str, Any]],
    resources: Iterable[Mapping[str, Any]],
) -> Role | None:
    """The stronger of the schedule role and the `permissionRole` of the actor's resources."""
    through_resources = (
        _parse_role(resource.get("permissionRole"))
        for resource in resources
        if str(resource.get("id", "")).lower() in caller.resource_ids
    )
    return strongest([schedule_role(schedule_permissions, caller.user_id), *through_resources])


def forbidden_changes(role: Role | None, changed: Iterable[str]) -> frozenset[str]:
    """The changed fields (service attribute names) that ``role`` may not make."""
    changed = frozenset(changed)
    if role is Role.WRITER:
        return frozenset()
    if role is Role.COMMENTER:
        return changed - COMMENTER_WRITABLE
    return changed
