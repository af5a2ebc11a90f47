"""Pure: which personal information (PI) an Events or Schedules response may carry.

No I/O. Wix's rule (seed "Calendar permissions"): without `fields` the PI fields are left out;
`PI_FIELDS` returns them (the route first checks the caller may read PI); `OWN_PI_FIELDS`
returns only the caller's own. Rota reads "own" as: the entities on which the caller holds a
role (schedule `permissions`, or `resources[].permissionRole` of its resources). An API key is an
app, not a person, and owns no personal information, so for keys `OWN_PI_FIELDS` shows what no
`fields` shows; apps that need PI ask for `PI_FIELDS` with the PI scope.

Event PI: `participants`, `conferencingDetails`, `notes`, and `location.name`/`location.address`
when `location.type` is CUSTOMER. Schedule PI: `defaultConferencingDetails` and
`defaultLocation.name`/`address` when CUSTOMER.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from rota.calendar.event_view import EventView
from rota.calendar.roles import API_KEY, Caller, event_role, schedule_role


class PiFields(StrEnum):
    PI_FIELDS = "PI_FIELDS"
    OWN_PI_FIELDS = "OWN_PI_FIELDS"


@dataclass(frozen=True)
class PiPolicy:
    reveal_all: bool = False
    own_only: bool = False
    caller: Caller = API_KEY

    @classmethod
    def for_request(cls, fields: Iterable[PiFields], caller: Caller) -> PiPolicy:
        requested = set(fields)
        if PiFields.PI_FIELDS in requested:
            return cls(reveal_all=True, caller=caller)
        if PiFields.OWN_PI_FIELDS in requested:
            return cls(own_only=True, caller=caller)
        return cls(caller=caller)

    def reveals_event(self, view: EventView) -> bool:
        if self.reveal_all:
            return True
        if not self.own_only or not self.caller.is_user:
            return False
        return event_role(self.caller, view.permissions, view.resources) is not None

    def reveals_schedule(self, permissions: Iterable[Mapping[str, Any]]) -> bool:
        if self.reveal_all:
            return True
        if not self.own_only or not self.caller.is_user:
            return False
        return schedule_role(permissions, self.caller.user_id) is not None


def public_location(location: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A CUSTOMER location is somebody's address: keep only its type (and id)."""
    if location is None:
        return None
    if location.get("type") != "CUSTOMER":
        return dict(location)
    return {k: v for k, v in location.items() if k not in ("name", "address")}


def without_pi(view: EventView) -> EventView:
    return replace(
        view,
        conferencing_details=None,
        notes=None,
        location=public_location(view.location),
    )
