"""PATCH semantics, optimistic concurrency, service provider flag and working-hours assignment."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.builders import SiteContext, make_staff_member, upload_image

URL = "/bookings/v1/staff-members"


async def _patch(
    client: httpx.AsyncClient,
    site: SiteContext,
    staff_id: str,
    member: dict[str, Any],
    **extra: Any,
) -> httpx.Response:
    return await client.patch(
        f"{URL}/{staff_id}",
        json={"staffMember": {"id": staff_id, **member}, **extra},
        headers=site.headers,
    )


async def test_partial_update_changes_only_sent_fields(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site, email="a@example.com", phone="555-0100")
    response = await _patch(client, site, staff["id"], {"name": "Some other name", "revision": "2"})
    assert response.status_code == 200
    updated = response.json()["staffMember"]
    assert updated["name"] == "Some other name"
    assert updated["email"] == "a@example.com"
    assert updated["phone"] == "555-0100"
    assert updated["revision"] == "3"
    assert updated["createdDate"] == staff["createdDate"]
    assert updated["updatedDate"] >= staff["updatedDate"]


async def test_stale_revision_is_a_409_and_changes_nothing(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site, name="Original")
    assert (
        await _patch(client, site, staff["id"], {"name": "First", "revision": 2})
    ).status_code == 200
    stale = await _patch(client, site, staff["id"], {"name": "Second", "revision": "2"})
    assert stale.status_code == 409
    error = stale.json()["details"]["applicationError"]
    assert error["code"] == "INVALID_REVISION"
    assert error["data"] == {"currentRevision": "3"}
    current = (await client.get(f"{URL}/{staff['id']}", headers=site.headers)).json()
    assert current["staffMember"]["name"] == "First"
    assert current["staffMember"]["revision"] == "3"


async def test_revision_is_required(client: httpx.AsyncClient, site: SiteContext) -> None:
    staff = await make_staff_member(client, site)
    response = await _patch(client, site, staff["id"], {"name": "No revision"})
    assert response.status_code == 400
    violations = response.json()["details"]["validationError"]["fieldViolations"]
    assert violations[0]["field"] == "staffMember.revision"
    assert violations[0]["violatedRule"] == "REQUIRED_FIELD"


async def test_null_clears_a_field_but_not_the_name(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site, email="a@example.com")
    cleared = await _patch(client, site, staff["id"], {"email": None, "revision": "2"})
    assert cleared.status_code == 200
    assert "email" not in cleared.json()["staffMember"]
    nameless = await _patch(client, site, staff["id"], {"name": None, "revision": "3"})
    assert nameless.status_code == 400


async def test_field_mask_limits_the_update(client: httpx.AsyncClient, site: SiteContext) -> None:
    staff = await make_staff_member(client, site, description="keep me", email="a@example.com")
    response = await _patch(
        client,
        site,
        staff["id"],
        {"description": "ignored", "email": "b@example.com", "revision": "2"},
        fieldMask="email",
    )
    updated = response.json()["staffMember"]
    assert updated["email"] == "b@example.com"
    assert updated["description"] == "keep me"
    bad = await _patch(client, site, staff["id"], {"revision": "3"}, fieldMask="resourceId")
    assert bad.status_code == 400


async def test_body_id_must_match_path(client: httpx.AsyncClient, site: SiteContext) -> None:
    staff = await make_staff_member(client, site)
    response = await client.patch(
        f"{URL}/{staff['id']}",
        json={"staffMember": {"id": str(uuid.uuid4()), "name": "X", "revision": "2"}},
        headers=site.headers,
    )
    assert response.status_code == 400


async def test_invalid_update_stores_nothing(client: httpx.AsyncClient, site: SiteContext) -> None:
    staff = await make_staff_member(client, site, name="Kept")
    response = await _patch(
        client, site, staff["id"], {"name": "New", "email": "broken", "revision": "2"}
    )
    assert response.status_code == 400
    current = (await client.get(f"{URL}/{staff['id']}", headers=site.headers)).json()
    assert current["staffMember"]["name"] == "Kept"
    assert current["staffMember"]["revision"] == "2"


async def test_unknown_image_is_no_image_found_on_create_and_update(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: Any
) -> None:
    from tests.conftest import new_site

    missing = str(uuid.uuid4())
    created = await client.post(
        URL,
        json={"staffMember": {"name": "A", "mainMedia": {"image": {"id": missing}}}},
        headers=site.headers,
    )
    assert created.status_code == 400
    error = created.json()
    assert error["details"]["applicationError"]["code"] == "NO_IMAGE_FOUND"
    assert error["message"] == f"Image: {missing} does not exist"

    other_site = await new_site(sessionmaker)
    foreign_image = await upload_image(client, other_site)
    staff = await make_staff_member(client, site)
    updated = await _patch(
        client,
        site,
        staff["id"],
        {"mainMedia": {"image": {"id": foreign_image["id"]}}, "revision": "2"},
    )
    assert updated.status_code == 400
    assert updated.json()["details"]["applicationError"]["code"] == "NO_IMAGE_FOUND"
    own_image = await upload_image(client, site)
    uri = f"wix:image://v1/{own_image['id']}/portrait.png#originWidth=32&originHeight=24"
    ok = await _patch(
        client, site, staff["id"], {"mainMedia": {"image": {"url": uri}}, "revision": "2"}
    )
    assert ok.status_code == 200
    assert ok.json()["staffMember"]["mainMedia"]["image"]["id"] == own_image["id"]


async def test_set_service_provider(client: httpx.AsyncClient, site: SiteContext) -> None:
    staff = await make_staff_member(client, site)
    response = await client.post(
        f"{URL}/{staff['id']}/set-service-provider",
        json={"serviceProvider": False},
        headers=site.headers,
    )
    assert response.status_code == 200
    body = response.json()["staffMember"]
    assert body["serviceProvider"] is False
    assert body["revision"] == "3"
    missing = await client.post(
        f"{URL}/{staff['id']}/set-service-provider", json={}, headers=site.headers
    )
    assert missing.status_code == 400


async def test_assign_working_hours_schedule_switches_between_custom_and_default(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site)
    details = (
        await client.get(
            f"{URL}/{staff['id']}", params={"fields": "RESOURCE_DETAILS"}, headers=site.headers
        )
    ).json()["staffMember"]["resource"]
    own = details["eventsSchedule"]["id"]
    business = details["workingHoursSchedules"][0]["id"]

    custom = await client.post(
        f"{URL}/{staff['id']}/assign-working-hours-schedule",
        json={"scheduleId": own, "fields": ["RESOURCE_DETAILS"]},
        headers=site.headers,
    )
    assert custom.status_code == 200
    resource = custom.json()["staffMember"]["resource"]
    assert resource["usesDefaultWorkingHours"] is False
    assert resource["workingHoursSchedules"] == [{"id": own, "shared": False}]

    back = await client.post(
        f"{URL}/{staff['id']}/assign-custom-schedule",
        json={"scheduleId": business, "fields": ["RESOURCE_DETAILS"]},
        headers=site.headers,
    )
    assert back.status_code == 200
    resource = back.json()["staffMember"]["resource"]
    assert resource["usesDefaultWorkingHours"] is True
    assert resource["workingHoursSchedules"] == [{"id": business, "shared": True}]

    foreign = await client.post(
        f"{URL}/{staff['id']}/assign-working-hours-schedule",
        json={"scheduleId": str(uuid.uuid4())},
        headers=site.headers,
    )
    assert foreign.status_code == 400
    error = foreign.json()["details"]["applicationError"]
    assert error["code"] == "INVALID_WORKING_HOURS_SCHEDULE"
