"""Calendar roles and personal-information rules, pure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rota.calendar.event_view import EventView
from rota.calendar.privacy import PiFields, PiPolicy, without_pi
from rota.calendar.roles import (
    API_KEY,
    Caller,
    Role,
    event_role,
    forbidden_changes,
    grant,
    schedule_role,
)

ANNA = "9a1b6c2d-0000-4000-8000-000000000001"
BEN = "9a1b6c2d-0000-4000-8000-000000000002"
RESOURCE = "5e5e5e5e-0000-4000-8000-000000000003"


def test_schedule_role_is_found_by_user_id_case_insensitively() -> None:
    permissions = [grant(ANNA.upper(), "COMMENTER")]
    assert schedule_role(permissions, ANNA) is Role.COMMENTER
    assert schedule_role(permissions, BEN) is None
    assert schedule_role(permissions, None) is None


def test_event_role_is_the_stronger_of_schedule_and_resource_roles() -> None:
    anna = Caller(user_id=ANNA, resource_ids=frozenset({RESOURCE}))
    resources = [{"id": RESOURCE, "permissionRole": "WRITER"}]
    assert event_role(anna, [grant(ANNA, "COMMENTER")], resources) is Role.WRITER
    assert event_role(anna, [grant(ANNA, "COMMENTER")], []) is Role.COMMENTER
    assert event_role(Caller(user_id=BEN), [grant(ANNA, "WRITER")], resources) is None


def test_commenter_may_change_notes_only_and_writer_anything() -> None:
    assert forbidden_changes(Role.COMMENTER, {"notes"}) == frozenset()
    assert forbidden_changes(Role.COMMENTER, {"notes", "title"}) == {"title"}
    assert forbidden_changes(Role.WRITER, {"title", "start"}) == frozenset()
    assert forbidden_changes(None, {"notes"}) == {"notes"}


def view(**overrides: Any) -> EventView:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": "e",
        "schedule_id": "s",
        "external_schedule_id": None,
        "schedule_name": None,
        "type": "DEFAULT",
        "status": "CONFIRMED",
        "title": "t",
        "start_local": datetime(2030, 1, 1, 9),
        "end_local": datetime(2030, 1, 1, 10),
        "time_zone": "UTC",
        "start_utc": now,
        "end_utc": now,
        "recurrence_type": "NONE",
        "recurrence_rule": None,
        "recurring_event_id": None,
        "transparency": "OPAQUE",
        "location": {"type": "CUSTOMER", "name": "Home", "address": "1 Lane"},
        "resources": [],
        "total_capacity": None,
        "conferencing_details": {"type": "CUSTOM", "hostUrl": "h", "guestUrl": "g"},
        "notes": "secret",
        "inherited_fields": (),
        "app_id": None,
        "permissions": [grant(ANNA, "COMMENTER")],
        "extended_fields": None,
        "all_day": False,
        "revision": 1,
        "created_at": now,
        "updated_at": now,
    }
    values.update(overrides)
    return EventView(**values)


def test_without_pi_drops_notes_conferencing_and_customer_addresses() -> None:
    stripped = without_pi(view())
    assert stripped.notes is None
    assert stripped.conferencing_details is None
    assert stripped.location == {"type": "CUSTOMER"}
    business = view(location={"type": "BUSINESS", "name": "Shop", "address": "High St"})
    assert without_pi(business).location == business.location


def test_own_pi_fields_reveal_only_where_the_caller_holds_a_role() -> None:
    event = view()
    assert PiPolicy.for_request([], API_KEY).reveals_event(event) is False
    assert PiPolicy.for_request([PiFields.PI_FIELDS], API_KEY).reveals_event(event) is True
    own = [PiFields.OWN_PI_FIELDS]
    assert PiPolicy.for_request(own, API_KEY).reveals_event(event) is False
    assert PiPolicy.for_request(own, Caller(user_id=ANNA)).reveals_event(event) is True
    assert PiPolicy.for_request(own, Caller(user_id=BEN)).reveals_event(event) is False
    assert PiPolicy.for_request(own, Caller(user_id=ANNA)).reveals_schedule(event.permissions)
