"""The relay: sends pending deliveries, records every attempt, retries with back-off, and
dead-letters what keeps failing past the retry window.

A relay leases a batch of deliveries in one short transaction, sends them concurrently outside
any transaction, and records the outcomes in another. A relay that dies mid-batch leaves leases
that expire, so another relay (or the same one restarted) sends those deliveries again: delivery
is at least once, and receivers de-duplicate on the event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.config import Settings
from rota.events import repository, signing
from rota.events.keys import current_signing_key
from rota.events.models import (
    DeliveryAttempt,
    DomainEventRecord,
    WebhookDelivery,
    WebhookSubscription,
)
from rota.events.retry import is_expired, next_delay

logger = logging.getLogger("rota.relay")

WIX_FORMAT = "WIX"
STANDARD_FORMAT = "STANDARD_WEBHOOKS"


@dataclass(frozen=True)
class RelaySettings:
    timeout_seconds: float = 10.0
    retry_window: timedelta = timedelta(hours=24)
    batch_size: int = 200
    concurrency: int = 8
    idle_poll_seconds: float = 0.2
    lease: timedelta = timedelta(seconds=60)
    max_backoff_seconds: float = 3600.0


def relay_settings(settings: Settings) -> RelaySettings:
    return RelaySettings(
        timeout_seconds=settings.webhook_timeout_seconds,
        retry_window=timedelta(hours=settings.webhook_retry_hours),
        batch_size=settings.relay_batch_size,
        concurrency=settings.relay_concurrency,
        lease=timedelta(seconds=settings.relay_lease_seconds),
        max_backoff_seconds=settings.webhook_max_backoff_seconds,
    )


@dataclass(frozen=True)
class Outcome:
    delivery_id: uuid.UUID
    attempted_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class _Request:
    delivery_id: uuid.UUID
    url: str
    content: bytes
    headers: dict[str, str]


def _build_request(
    delivery: WebhookDelivery,
    event: DomainEventRecord,
    subscription: WebhookSubscription,
    key: tuple[str, str],
    now: datetime,
) -> _Request:
    if subscription.format == STANDARD_FORMAT:
        body = json.dumps(
            {
                "type": event.event_type,
                "timestamp": event.payload["eventTime"],
                "data": event.payload,
            },
            separators=(",", ":"),
        ).encode()
        headers = signing.standard_headers(
            secret=subscription.secret or "",
            message_id=str(event.id),
            timestamp=int(now.timestamp()),
            body=body,
        )
        headers["content-type"] = "application/json"
        return _Request(delivery.id, subscription.url, body, headers)
    kid, private_pem = key
    token = signing.wix_jwt(
        event_type=event.event_type,
        instance_id=str(event.site_id),
        domain_event=event.payload,
        identity=event.identity,
        private_pem=private_pem,
        kid=kid,
        now=now,
    )
    return _Request(delivery.id, subscription.url, token.encode(), {"content-type": "text/plain"})


class Relay:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        settings: RelaySettings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._settings = settings or RelaySettings()
        self._client = httpx.AsyncClient(
            timeout=self._settings.timeout_seconds,
            transport=transport,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=self._settings.concurrency),
        )
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._in_flight = asyncio.Semaphore(self._settings.concurrency)

    async def run_once(self) -> int:
        """Lease, send and record one batch; the number of deliveries attempted."""
        now = self._clock()
        async with self._sessionmaker.begin() as session:
            claimed = await repository.claim_due(
                session,
                now=now,
                lease_until=now + self._settings.lease,
                limit=self._settings.batch_size,
            )
            if not claimed:
                return 0
            key = await current_signing_key(session, now=now)
            requests = [_build_request(d, e, s, key, now) for d, e, s in claimed]
        outcomes = await asyncio.gather(*(self._send(r) for r in requests))
        await self._record(outcomes)
        return len(outcomes)

    async def _send(self, request: _Request) -> Outcome:
        async with self._in_flight:
            return await self._post(request)

    async def _post(self, request: _Request) -> Outcome:
        attempted_at = self._clock()
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            response = await self._client.post(
                request.url, content=request.content, headers=request.headers
            )
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}: {response.text[:200]}"
        except httpx.TimeoutException:
            error = f"timed out after {self._settings.timeout_seconds:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:1000]
        duration = int((time.perf_counter() - started) * 1000)
        return Outcome(request.delivery_id, attempted_at, duration, status, error)

    async def _record(self, outcomes: list[Outcome]) -> None:
        now = self._clock()
        async with self._sessionmaker.begin() as session:
            deliveries = await repository.deliveries_by_ids(
                session, [o.delivery_id for o in outcomes]
            )
            for outcome in outcomes:
                delivery = deliveries.get(outcome.delivery_id)
                if delivery is None:
                    continue  # its subscription was deleted meanwhile
                repository.add(
                    session,
                    DeliveryAttempt(
                        id=uuid.uuid4(),
                        delivery_id=delivery.id,
                        attempted_at=outcome.attempted_at,
                        duration_ms=outcome.duration_ms,
                        status_code=outcome.status_code,
                        error=outcome.error,
                    ),
                )
                _advance(delivery, outcome, now, self._settings)

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="rota-webhook-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.run_once()
            except Exception:  # the relay must outlive a bad batch; leases expire and it retries
                logger.exception("webhook relay batch failed")
                sent = 0
            if sent == 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._settings.idle_poll_seconds)


def _advance(
    delivery: WebhookDelivery, outcome: Outcome, now: datetime, settings: RelaySettings
) -> None:
    delivery.attempts += 1
    delivery.lease_until = None
    delivery.last_status = outcome.status_code
    delivery.last_error = outcome.error
    if outcome.ok:
        delivery.state = repository.DELIVERED
        delivery.delivered_at = now
        return
    retry_at = now + next_delay(delivery.attempts, max_delay=settings.max_backoff_seconds)
    if is_expired(delivery.created_at, retry_at, settings.retry_window):
        delivery.state = repository.DEAD
    else:
        delivery.next_attempt_at = retry_at
