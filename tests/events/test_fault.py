"""Fault test: the receiver refuses, errors and stalls, and the Rota process is killed and
restarted mid-stream. Afterwards every event has arrived, each entity's events arrived in order,
and repeated deliveries carry the same event id."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from typing import Any

import httpx
import jwt

from tests.builders import SiteContext
from tests.events.receiver import Receiver
from tests.test_cli import ROTA, free_port

FAST_RETRIES = {
    "ROTA_WEBHOOK_TIMEOUT_SECONDS": "0.5",
    "ROTA_WEBHOOK_MAX_BACKOFF_SECONDS": "1",
    "ROTA_RELAY_LEASE_SECONDS": "2",
}


def _start(database_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, **FAST_RETRIES, "ROTA_DATABASE_URL": database_url}
    process = subprocess.Popen(
        [ROTA, "serve", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("rota serve did not start")


def _event(message_body: bytes) -> dict[str, Any]:
    claims = jwt.decode(message_body, options={"verify_signature": False})
    event: dict[str, Any] = json.loads(json.loads(claims["data"])["data"])
    return event


async def _write_burst(
    http: httpx.AsyncClient, base: str, staff: dict[str, str], names: list[str]
) -> None:
    for name in names:
        if name not in staff:
            created = await http.post(
                f"{base}/bookings/v1/staff-members", json={"staffMember": {"name": name}}
            )
            assert created.status_code == 200, created.text
            staff[name] = created.json()["staffMember"]["id"]
            continue
        current = (await http.get(f"{base}/bookings/v1/staff-members/{staff[name]}")).json()
        revision = current["staffMember"]["revision"]
        updated = await http.patch(
            f"{base}/bookings/v1/staff-members/{staff[name]}",
            json={"staffMember": {"description": f"rev {revision}", "revision": revision}},
        )
        assert updated.status_code == 200, updated.text


async def test_every_event_arrives_in_order_through_outages_and_a_crash(
    migrated_database: str, site: SiteContext
) -> None:
    receiver = Receiver(port=free_port(), stall_seconds=1.0)  # not started: refuses
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rota = _start(migrated_database, port)
    staff: dict[str, str] = {}
    names = [f"Fault {i}" for i in range(4)]
    try:
        async with httpx.AsyncClient(headers=site.headers, timeout=10) as http:
            # Events recorded before the subscription (the site's business hours) are not sent.
            before = (await http.get(f"{base}/events/v1/feed", params={"limit": 1000})).json()
            subscription = await http.post(
                f"{base}/webhooks/v1/subscriptions", json={"subscription": {"url": receiver.url}}
            )
            assert subscription.status_code == 200
            await _write_burst(http, base, staff, names)  # receiver down: refused
            await asyncio.sleep(1.0)
            receiver.mode = "error"
            receiver.start()
            await _write_burst(http, base, staff, names)
            await asyncio.sleep(1.5)
            receiver.mode = "stall"  # longer than the relay's timeout
            await _write_burst(http, base, staff, names)
            await asyncio.sleep(1.5)
            rota.send_signal(signal.SIGKILL)  # mid-stream: leases and retries in flight
            rota.wait(timeout=10)

            receiver.mode = "ok"
            rota = _start(migrated_database, port)
            await _write_burst(http, base, staff, names)
            feed = (
                await http.get(
                    f"{base}/events/v1/feed",
                    params={"limit": 1000, "cursor": before["nextCursor"]},
                )
            ).json()
            expected = {e["id"]: e for e in feed["events"]}
            # 3 on create (with the staff member's events schedule), 1 per update
            assert len(expected) == 3 * len(names) + 3 * len(names)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                arrived = {_event(m.body)["id"] for m in receiver.received}
                if arrived >= set(expected):
                    break
                await asyncio.sleep(0.25)
    finally:
        rota.terminate()
        rota.wait(timeout=10)
        receiver.stop()

    events = [_event(m.body) for m in receiver.received]
    print(f"received {len(events)} deliveries of {len(expected)} events")  # noqa: T201
    assert {e["id"] for e in events} == set(expected)
    first_seen: dict[str, dict[str, Any]] = {}
    for event in events:
        if event["id"] in first_seen:
            assert event == first_seen[event["id"]]  # a duplicate is the same event
        else:
            first_seen[event["id"]] = event
    for staff_id in staff.values():
        sequence = [
            int(e["entityEventSequence"]) for e in first_seen.values() if e["entityId"] == staff_id
        ]
        assert sequence == sorted(set(sequence))  # increasing: in order, none twice
