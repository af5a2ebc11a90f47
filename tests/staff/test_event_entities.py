"""The staff member that events carry is its row at the time of the write, rendered when the event
is read: it must read exactly as the API answered then, with resource details and status."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic_core import to_json

from rota.core.clock import utc_now
from rota.core.context import SYSTEM, WriteContext
from rota.events import rendering
from rota.staff import events as staff_events
from rota.staff.models import StaffMember
from rota.staff.schemas import RequestedField, StaffMemberRead
from tests.builders import SiteContext, make_staff_member, stored_event, upload_image

V1 = "/bookings/v1/staff-members"
EVENT_FIELDS = {"fields": ["RESOURCE_DETAILS", "ASSOCIATED_IDENTITY_STATUS"]}
# Looks like the marker that stands for a row in a stored event; written by a user, it is data.
LOOKALIKE = {"$rowOf": staff_events.STAFF_FQDN, "row": {}, "context": {}}


async def _as_events_show_it(
    client: httpx.AsyncClient, site: SiteContext, staff_id: str
) -> dict[str, Any]:
    response = await client.get(f"{V1}/{staff_id}", params=EVENT_FIELDS, headers=site.headers)
    assert response.status_code == 200, response.text
    entity: dict[str, Any] = response.json()["staffMember"]
    return entity


async def _feed(client: httpx.AsyncClient, site: SiteContext) -> list[dict[str, Any]]:
    response = await client.get("/events/v1/feed", params={"limit": 1000}, headers=site.headers)
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events


async def test_event_entities_read_as_the_api_answered_at_the_write(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    image = await upload_image(client, site)
    staff = await make_staff_member(
        client,
        site,
        email="dana@example.com",
        phone="+1 555 0100",
        description="Colourist",
        mainMedia={"image": {"id": image["id"], "altText": "Dana"}},
        tags={"tags": {"tagIds": ["a"]}},
        # An integer beyond 64 bits and a look-alike of the row marker, in what users write.
        extendedFields={"namespaces": {"@acme/hr": {"badge": 2**70, "copy": LOOKALIKE}}},
    )
    at_create = await _as_events_show_it(client, site, staff["id"])
    edit = {"revision": staff["revision"], "name": "Dana Reyes", "tags": {"tags": {"tagIds": []}}}
    response = await client.patch(
        f"{V1}/{staff['id']}", json={"staffMember": edit}, headers=site.headers
    )
    assert response.status_code == 200, response.text
    at_update = await _as_events_show_it(client, site, staff["id"])
    assert at_update["name"] == "Dana Reyes" != at_create["name"]

    events = [e for e in await _feed(client, site) if e["entityId"] == staff["id"]]
    bodies = {event["slug"]: event for event in events}
    assert bodies["created"]["createdEvent"]["entity"] == at_create
    assert bodies["fully_created"]["actionEvent"]["body"]["staffMember"] == at_create
    assert bodies["updated"]["updatedEvent"]["currentEntity"] == at_update
    assert bodies["tags_modified"]["actionEvent"]["body"]["staffMember"] == at_update
    assert at_create["extendedFields"]["namespaces"]["@acme/hr"] == {
        "badge": 2**70,
        "copy": LOOKALIKE,
    }


def _pending_invitation(expires_in: timedelta) -> tuple[StaffMember, WriteContext]:
    written_at = utc_now() - timedelta(hours=2)
    staff = StaffMember(
        id=uuid.uuid4(),
        name="Sam",
        email="sam@example.com",
        phone=None,
        description=None,
        main_media=None,
        resource_id=uuid.uuid4(),
        working_hours_schedule_id=uuid.uuid4(),
        events_schedule_id=uuid.uuid4(),
        uses_default_working_hours=True,
        location_options=None,
        ranking=0,
        resource_revision=1,
        wix_user_id=None,
        contact_id=None,
        identity_type=None,
        connection_status="PENDING",
        invitation_expires_at=written_at + expires_in,
        service_provider=True,
        is_default=False,
        gender=None,
        revision=4,
        created_at=written_at,
        updated_at=written_at,
        extended_fields=None,
        tags=None,
    )
    return staff, WriteContext(now=written_at, actor=SYSTEM, public_base_url="http://rota.test")


def _stored_and_read(staff: StaffMember, ctx: WriteContext) -> dict[str, Any]:
    """The staff member's `updated` event, through JSON as the outbox stores it, then read."""
    stored = stored_event(
        entity_fqdn=staff_events.STAFF_FQDN,
        slug="updated",
        entity_id=str(staff.id),
        at=ctx.now,
        kind="updated",
        body={"currentEntity": staff_events.representation(staff, ctx)},
    )
    read_back = replace(stored, payload=json.loads(to_json(stored.payload)))
    entity: dict[str, Any] = rendering.as_sent(uuid.uuid4(), read_back)["updatedEvent"][
        "currentEntity"
    ]
    return entity


@pytest.mark.parametrize(
    ("expires_in", "status"), [(timedelta(hours=1), "PENDING"), (timedelta(0), "EXPIRED")]
)
def test_an_invitation_reads_as_it_stood_when_the_event_was_written(
    expires_in: timedelta, status: str
) -> None:
    """Read two hours later, past the invitation's expiry either way."""
    staff_events.register_rendering()
    staff, ctx = _pending_invitation(expires_in)
    entity = _stored_and_read(staff, ctx)
    fields = [RequestedField.RESOURCE_DETAILS, RequestedField.ASSOCIATED_IDENTITY_STATUS]
    at_write = StaffMemberRead.from_row(
        staff, fields, media_base_url=ctx.public_base_url, now=ctx.now
    )
    assert entity == at_write.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert entity["associatedWixIdentity"]["connectionStatus"] == status


def test_a_row_of_an_unregistered_kind_is_an_error_not_a_silent_pass() -> None:
    payload = {"createdEvent": {"entity": rendering.deferred("test.unregistered", {}, {})}}
    with pytest.raises(rendering.NoRenderer, match=r"test\.unregistered"):
        rendering.render(payload)


def test_a_row_without_a_column_its_schema_reads_is_an_error_not_a_silent_none() -> None:
    """A column a renderer starts to read but the event does not keep must fail loudly."""
    staff_events.register_rendering()
    staff, ctx = _pending_invitation(timedelta(hours=1))
    marker = json.loads(to_json(staff_events.representation(staff, ctx)))
    del marker["row"]["gender"]
    with pytest.raises(AttributeError, match="gender"):
        rendering.render({"updatedEvent": {"currentEntity": marker}})
