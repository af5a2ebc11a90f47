"""The Wix Staff Members API core over HTTP: create, get, update, delete and their rules."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.calendar.constants import BUSINESS_SCHEDULE_EXTERNAL_ID
from rota.calendar.models import CalendarEvent, Schedule
from rota.staff.models import StaffMember
from tests.builders import SiteContext, make_staff_member, upload_image

URL = "/bookings/v1/staff-members"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


async def _staff_count(sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext) -> int:
    async with sessionmaker() as session:
        return int(
            await session.scalar(
                sa.select(sa.func.count()).where(StaffMember.site_id == site.site_id)
            )
            or 0
        )


async def test_create_minimal_staff_member_matches_wix_example(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    response = await client.post(
        URL, json={"staffMember": {"name": "Some name"}}, headers=site.headers
    )
    assert response.status_code == 200
    staff = response.json()["staffMember"]
    assert staff["name"] == "Some name"
    assert staff["default"] is False
    assert staff["serviceProvider"] is True
    assert staff["revision"] == "2"
    assert TIMESTAMP.match(staff["createdDate"])
    assert TIMESTAMP.match(staff["updatedDate"])
    uuid.UUID(staff["id"])
    uuid.UUID(staff["resourceId"])
    assert "resource" not in staff
    assert "associatedWixIdentity" not in staff
    assert "email" not in staff


async def test_every_writable_field_round_trips(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    image = await upload_image(client, site)
    fields: dict[str, Any] = {
        "email": "dana@example.com",
        "phone": "+44 20 7946 0958",
        "description": "The best masseuse in all of the land",
        "mainMedia": {"image": {"id": image["id"], "altText": "Dana smiling"}},
        "tags": {"privateTags": {"tagIds": ["vip"]}, "tags": {"tagIds": ["senior", "massage"]}},
        "extendedFields": {"namespaces": {"@acme/hr": {"employeeNo": 17, "team": "north"}}},
        "gender": "FEMALE",
    }
    created = await make_staff_member(client, site, name="Dana", **fields)
    fetched = (await client.get(f"{URL}/{created['id']}", headers=site.headers)).json()
    assert fetched["staffMember"] == created
    for name in ("email", "phone", "description", "tags", "extendedFields", "gender"):
        assert created[name] == fields[name]
    media = created["mainMedia"]["image"]
    assert media["id"] == image["id"]
    assert media["altText"] == "Dana smiling"
    assert (media["width"], media["height"]) == (32, 24)
    assert media["url"] == image["url"]


async def test_resource_details_point_at_the_shared_business_schedule(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    staff = await make_staff_member(client, site)
    response = await client.get(
        f"{URL}/{staff['id']}",
        params={
            "fields": ["RESOURCE_DETAILS", "ASSOCIATED_IDENTITY_STATUS"],
            "staffMemberId": staff["id"],
        },
        headers=site.headers,
    )
    assert response.status_code == 200
    body = response.json()["staffMember"]
    resource = body["resource"]
    assert resource["id"] == staff["resourceId"]
    assert resource["usesDefaultWorkingHours"] is True
    assert body["associatedWixIdentity"] == {
        "connectionStatus": "DISCONNECTED",
        "connection": {"status": "DISCONNECTED"},
    }
    async with sessionmaker() as session:
        business = await session.scalar(
            sa.select(Schedule).where(
                Schedule.site_id == site.site_id,
                Schedule.external_id == BUSINESS_SCHEDULE_EXTERNAL_ID,
            )
        )
        assert business is not None
        own = await session.get(Schedule, uuid.UUID(resource["eventsSchedule"]["id"]))
    assert resource["workingHoursSchedules"] == [{"id": str(business.id), "shared": True}]
    assert own is not None
    assert own.external_id == staff["resourceId"]


async def test_new_site_has_wix_default_business_hours(
    site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker() as session:
        events = (
            await session.scalars(
                sa.select(CalendarEvent)
                .join(Schedule, Schedule.id == CalendarEvent.schedule_id)
                .where(
                    Schedule.site_id == site.site_id,
                    Schedule.external_id == BUSINESS_SCHEDULE_EXTERNAL_ID,
                )
            )
        ).all()
    days = sorted(e.recurrence_rule["days"][0] for e in events if e.recurrence_rule)
    assert days == sorted(["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"])
    for event in events:
        assert event.type == "WORKING_HOURS"
        assert event.recurrence_type == "MASTER"
        assert event.start_local.endswith("T10:00:00")
        assert event.end_local.endswith("T18:00:00")
        assert event.time_zone == "Europe/London"


async def test_read_only_fields_on_input_are_ignored(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    forged = str(uuid.uuid4())
    staff = await make_staff_member(
        client,
        site,
        id=forged,
        resourceId=forged,
        revision="99",
        default=True,
        createdDate="2001-01-01T00:00:00.000Z",
    )
    assert staff["id"] != forged
    assert staff["resourceId"] != forged
    assert staff["revision"] == "2"
    assert staff["default"] is False
    assert not staff["createdDate"].startswith("2001")


async def test_create_as_non_service_provider(client: httpx.AsyncClient, site: SiteContext) -> None:
    response = await client.post(
        URL,
        json={"staffMember": {"name": "Front desk"}, "serviceProvider": False},
        headers=site.headers,
    )
    assert response.json()["staffMember"]["serviceProvider"] is False


def _violations(response: httpx.Response) -> list[dict[str, Any]]:
    violations: list[dict[str, Any]] = response.json()["details"]["validationError"][
        "fieldViolations"
    ]
    return violations


async def test_field_limits_are_enforced_and_nothing_is_stored(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"name": "x" * 41}, "staffMember.name", "MAX_LENGTH"),
        ({"name": ""}, "staffMember.name", "MIN_LENGTH"),
        ({"name": "   "}, "staffMember.name", "MIN_LENGTH"),
        ({"name": "A", "email": "not-an-email"}, "staffMember.email", "FORMAT"),
        ({"name": "A", "email": "a@" + "b" * 320 + ".com"}, "staffMember.email", "MAX_LENGTH"),
        ({"name": "A", "phone": "call me maybe"}, "staffMember.phone", "FORMAT"),
        ({"name": "A", "phone": "+1" + "2" * 20}, "staffMember.phone", "MAX_LENGTH"),
        ({"name": "A", "description": "d" * 501}, "staffMember.description", "MAX_LENGTH"),
        (
            {"name": "A", "tags": {"tags": {"tagIds": [f"t{i}" for i in range(101)]}}},
            "staffMember.tags.tags.tagIds",
            "MAX_SIZE",
        ),
        ({"name": 123}, "staffMember.name", "FORMAT"),
        ({"name": "A", "gender": "ROBOT"}, "staffMember.gender", "FORMAT"),
        ({}, "staffMember.name", "REQUIRED_FIELD"),
    ]
    for member, field, rule in cases:
        response = await client.post(URL, json={"staffMember": member}, headers=site.headers)
        assert response.status_code == 400, (member, response.text)
        violations = _violations(response)
        assert any(v["field"] == field and v["violatedRule"] == rule for v in violations), (
            member,
            violations,
        )
    assert await _staff_count(sessionmaker, site) == 0


async def test_limit_violation_reports_the_threshold(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    response = await client.post(
        URL, json={"staffMember": {"name": "x" * 41}}, headers=site.headers
    )
    violation = _violations(response)[0]
    assert violation["data"] == {"threshold": 40}
    assert response.json()["message"]


async def test_malformed_json_is_a_400(client: httpx.AsyncClient, site: SiteContext) -> None:
    response = await client.post(
        URL,
        content=b'{"staffMember": {"name": ',
        headers={**site.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert _violations(response)[0]["violatedRule"] == "FORMAT"


async def test_too_many_or_unknown_fields_are_rejected(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site)
    too_many = await client.get(
        f"{URL}/{staff['id']}",
        params={"fields": ["RESOURCE_DETAILS"] * 4},
        headers=site.headers,
    )
    assert too_many.status_code == 400
    unknown = await client.get(
        f"{URL}/{staff['id']}", params={"fields": "EVERYTHING"}, headers=site.headers
    )
    assert unknown.status_code == 400
    assert _violations(unknown)[0]["field"] == "fields[0]"


async def test_unknown_or_malformed_id_is_not_found_or_invalid(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    missing = await client.get(f"{URL}/{uuid.uuid4()}", headers=site.headers)
    assert missing.status_code == 404
    assert missing.json()["details"]["applicationError"]["code"] == "STAFF_MEMBER_NOT_FOUND"
    malformed = await client.get(f"{URL}/not-a-guid", headers=site.headers)
    assert malformed.status_code == 400


async def test_packed_get_request_is_understood(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    import base64
    import json

    staff = await make_staff_member(client, site)
    packed = (
        base64.urlsafe_b64encode(
            json.dumps({"staffMemberId": staff["id"], "fields": ["RESOURCE_DETAILS"]}).encode()
        )
        .rstrip(b"=")
        .decode()
    )
    response = await client.get(f"{URL}/{staff['id']}?.r={packed}", headers=site.headers)
    assert response.status_code == 200
    assert "resource" in response.json()["staffMember"]
