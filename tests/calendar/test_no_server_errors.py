"""Malformed or extreme requests never get a 500 (a wide query window and a bulk call with a bad
item are legitimately 200s), across the calendar and availability endpoints."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.builders import SiteContext

CASES: list[tuple[str, str, Any]] = [
    ("POST", "/calendar/v3/events", {}),
    ("POST", "/calendar/v3/events", {"event": "x"}),
    ("POST", "/calendar/v3/events", {"event": {"scheduleId": "nope"}}),
    ("POST", "/calendar/v3/events/query", {"query": {"filter": []}}),
    ("POST", "/calendar/v3/events/query", {"query": {"sort": {"fieldName": "start"}}}),
    ("POST", "/calendar/v3/events/query", {"query": {"filter": {"$or": "x"}}}),
    ("POST", "/calendar/v3/events/query", {"query": {"cursorPaging": {"cursor": "abc"}}}),
    ("POST", "/calendar/v3/events/query", {"recurrenceType": ["WEEKLY"]}),
    (
        "POST",
        "/calendar/v3/events/query",
        {"fromLocalDate": "1900-01-01", "toLocalDate": "2100-12-31"},
    ),
    ("POST", "/calendar/v3/events/query", {"fields": ["PI_FIELDS", "OWN_PI_FIELDS"]}),
    ("GET", "/calendar/v3/events/" + "a" * 64 + "_99999999", None),
    ("GET", "/calendar/v3/events/" + "a" * 300, None),
    ("GET", "/calendar/v3/events", None),
    ("PATCH", "/calendar/v3/events/x", {"event": {"title": "no revision"}}),
    ("PATCH", "/calendar/v3/events/x", {"event": {"revision": "abc"}}),
    ("PATCH", "/calendar/v3/events/x", {"event": {"revision": "1"}, "fieldmask": 7}),
    ("POST", "/calendar/v3/events/x/split", {"splitLocalDate": "soon"}),
    ("POST", "/calendar/v3/events/x/cancel", {"fields": "PI_FIELDS"}),
    ("POST", "/calendar/v3/bulk/events/create", {"events": []}),
    ("POST", "/calendar/v3/bulk/events/update", {"events": [{"event": {"revision": "1"}}]}),
    ("POST", "/calendar/v3/bulk/events/cancel", {"eventIds": [""]}),
    ("POST", "/calendar/v3/schedules", {"schedule": {"timeZone": "Nowhere"}}),
    ("POST", "/calendar/v3/schedules/query", {"query": {"filter": {"id": "not-a-guid"}}}),
    ("GET", "/calendar/v3/schedules/not-a-guid", None),
    ("PATCH", "/calendar/v3/schedules/00000000-0000-4000-8000-000000000000", {"schedule": {}}),
    ("POST", "/rota/v1/availability", {}),
    ("POST", "/rota/v1/availability", {"fromLocalDate": "2030-01-01", "toLocalDate": "x"}),
    (
        "POST",
        "/rota/v1/availability",
        {"staffFilter": [], "fromLocalDate": "2030-01-01", "toLocalDate": "2030-01-02"},
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), CASES)
async def test_bad_requests_never_fail_the_server(
    client: httpx.AsyncClient, site: SiteContext, method: str, path: str, body: Any
) -> None:
    response = await client.request(method, path, json=body, headers=site.headers)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert "details" in response.json()
