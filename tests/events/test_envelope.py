"""An event's document is built when it is read: the envelope from its columns, then the body it
stored. Events recorded by earlier versions stored the whole document and read as stored."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from rota.events.envelope import domain_event
from tests.builders import stored_event

AT = datetime(2026, 11, 21, 9, 30, 15, 123456, tzinfo=UTC)


def test_the_envelope_comes_from_the_columns_and_the_body_from_the_payload() -> None:
    event_id = uuid.uuid4()
    stored = stored_event(
        entity_fqdn="wix.bookings.staff.v1.staff_member",
        slug="fully_created",
        entity_id="s1",
        at=AT,
        kind="action",
        body={"staffMember": {"id": "s1"}},
    )
    document = domain_event(event_id, replace(stored, entity_sequence=7))
    assert document == {
        "id": str(event_id),
        "entityFqdn": "wix.bookings.staff.v1.staff_member",
        "slug": "fully_created",
        "entityId": "s1",
        "eventTime": "2026-11-21T09:30:15.123Z",
        "triggeredByAnonymizeRequest": False,
        "entityEventSequence": "7",
        "actionEvent": {"body": {"staffMember": {"id": "s1"}}},
    }


def test_a_whole_document_stored_by_an_earlier_version_reads_as_it_was_stored() -> None:
    earlier = {
        "id": "an-earlier-id",
        "entityFqdn": "wix.calendar.v3.schedule",
        "slug": "created",
        "entityId": "sc1",
        "eventTime": "2026-11-20T08:00:00.000Z",
        "triggeredByAnonymizeRequest": False,
        "entityEventSequence": "3",
        "createdEvent": {"entity": {"id": "sc1"}},
    }
    stored = stored_event(
        entity_fqdn="wix.calendar.v3.schedule",
        slug="created",
        entity_id="sc1",
        at=AT,
        kind="created",
        body={},
    )
    assert domain_event(uuid.uuid4(), replace(stored, payload=earlier)) == earlier
