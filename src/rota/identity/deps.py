"""Authentication: who is calling, for which site, with which permissions.

Wix clients send ``Authorization: <key>``; ``Bearer <key>`` works too. A key granted several
sites needs the ``wix-site-id`` header to pick one.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from rota.config import Settings
from rota.core.context import Actor, WriteContext
from rota.core.deps import SessionDep
from rota.identity import service as identity_service
from rota.identity.errors import (
    InvalidApiKey,
    MissingCredentials,
    MissingPermission,
    SiteNotGranted,
    SiteRequired,
)
from rota.identity.permissions import Permission
from rota.identity.service import KeyGrant

SITE_HEADER = "wix-site-id"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller acting on one site."""

    site_id: uuid.UUID
    key_id: uuid.UUID | None
    permissions: frozenset[Permission]
    # Set when a signed-in user (not an API key) calls: roles on schedules and events apply.
    user_id: uuid.UUID | None = None

    @property
    def actor(self) -> Actor:
        if self.user_id is not None:
            return Actor("WIX_USER", self.user_id)
        return Actor("APP", self.key_id)


def write_context(principal: Principal, now: datetime, settings: Settings) -> WriteContext:
    return WriteContext(now=now, actor=principal.actor, public_base_url=settings.public_base_url)


class KeyGrantCache:
    """Remembers key lookups for a few seconds so most requests skip the key query.

    The time to live bounds how long a revoked key keeps working in a running server.
    """

    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._entries: dict[str, tuple[float, KeyGrant | None]] = {}

    def get(self, key_hash: str) -> tuple[bool, KeyGrant | None]:
        entry = self._entries.get(key_hash)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def put(self, key_hash: str, grant: KeyGrant | None) -> None:
        if self._ttl <= 0:
            return
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[key_hash] = (time.monotonic() + self._ttl, grant)


def _bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "").strip()
    if header[:7].lower() == "bearer ":
        header = header[7:].strip()
    if not header:
        raise MissingCredentials(
            "Send your API key in the Authorization header: 'Authorization: <key>'"
        )
    return header


async def _grant_for(request: Request, session: SessionDep, token: str) -> KeyGrant:
    cache: KeyGrantCache = request.app.state.key_cache
    key_hash = identity_service.hash_api_key(token)
    cached, grant = cache.get(key_hash)
    if not cached:
        grant = await identity_service.authenticate_api_key(session, token)
        cache.put(key_hash, grant)
    if grant is None:
        raise InvalidApiKey("The API key is unknown or revoked")
    return grant


def _choose_site(request: Request, grant: KeyGrant) -> uuid.UUID:
    requested = request.headers.get(SITE_HEADER)
    if requested is None:
        if len(grant.site_ids) == 1:
            return grant.site_ids[0]
        raise SiteRequired(
            f"This API key serves {len(grant.site_ids)} sites: name one in the "
            f"'{SITE_HEADER}' header"
        )
    try:
        site_id = uuid.UUID(requested.strip())
    except ValueError:
        raise SiteNotGranted(f"'{SITE_HEADER}' must be a site id this key was granted") from None
    if site_id not in grant.site_ids:
        raise SiteNotGranted(f"This API key is not granted site {site_id}")
    return site_id


def require(permission: Permission) -> Callable[[Request, SessionDep], Awaitable[Principal]]:
    async def authenticate(request: Request, session: SessionDep) -> Principal:
        grant = await _grant_for(request, session, _bearer_token(request))
        site_id = _choose_site(request, grant)
        if permission not in grant.permissions:
            raise MissingPermission(
                f"This API key lacks the permission '{permission.value}'; mint a key with a "
                "scope that grants it (see the README's scope table)"
            )
        return Principal(site_id=site_id, key_id=grant.key_id, permissions=grant.permissions)

    return authenticate


StaffReader = Annotated[Principal, Depends(require(Permission.STAFF_READ))]
StaffWriter = Annotated[Principal, Depends(require(Permission.STAFF_WRITE))]
MediaWriter = Annotated[Principal, Depends(require(Permission.MEDIA_WRITE))]
CalendarReader = Annotated[Principal, Depends(require(Permission.CALENDAR_READ))]
CalendarWriter = Annotated[Principal, Depends(require(Permission.CALENDAR_WRITE))]
WebhookManager = Annotated[Principal, Depends(require(Permission.WEBHOOKS_MANAGE))]
