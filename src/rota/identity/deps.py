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
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.config import Settings
from rota.core.context import Actor, WriteContext
from rota.identity import account_service
from rota.identity import service as identity_service
from rota.identity.errors import (
    InvalidAccessToken,
    InvalidApiKey,
    MissingCredentials,
    MissingPermission,
    SiteNotGranted,
    SiteRequired,
    TokenSiteMismatch,
)
from rota.identity.permissions import Permission
from rota.identity.roles import Role, role_permissions
from rota.identity.service import KeyGrant
from rota.identity.tokens import InvalidToken, looks_like_jwt, read_access_token

SITE_HEADER = "wix-site-id"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller acting on one site."""

    site_id: uuid.UUID
    key_id: uuid.UUID | None
    permissions: frozenset[Permission]
    # Set when a signed-in user (not an API key) calls: roles on schedules and events apply.
    user_id: uuid.UUID | None = None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

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


def _read_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    return cast(async_sessionmaker[AsyncSession], request.app.state.read_sessionmaker)


async def grant_for(request: Request, token: str) -> KeyGrant:
    """The grant of an API key (either dialect's header), from the short-lived cache or the
    database; InvalidApiKey when it is unknown or revoked."""
    cache: KeyGrantCache = request.app.state.key_cache
    key_hash = identity_service.hash_api_key(token)
    cached, grant = cache.get(key_hash)
    if not cached:
        # A session of its own, closed at once: the request's own session may need the
        # (on SQLite, single) connection next.
        async with _read_sessionmaker(request)() as session:
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


async def _user_principal(request: Request, token: str) -> Principal:
    """A signed-in user's access token: valid only for its own site and while the user may
    still sign in and is still a member (checked on every request, so revocation is immediate)."""
    settings: Settings = request.app.state.settings
    try:
        claims = read_access_token(token, secret=settings.secret_key)
    except InvalidToken:
        raise InvalidAccessToken("The access token is invalid or expired: sign in again") from None
    requested = request.headers.get(SITE_HEADER)
    if requested is not None and requested.strip().lower() != str(claims.site_id):
        raise TokenSiteMismatch("This access token belongs to another site")
    async with _read_sessionmaker(request)() as session:
        user, member = await account_service.user_and_membership(
            session, user_id=claims.user_id, site_id=claims.site_id
        )
    if user is None or member is None or not user.can_login:
        raise InvalidAccessToken("This session is no longer valid: sign in again")
    return Principal(
        site_id=claims.site_id,
        key_id=None,
        permissions=role_permissions(Role(member.role)),
        user_id=user.id,
    )


async def _principal(request: Request) -> Principal:
    token = _bearer_token(request)
    if looks_like_jwt(token):
        return await _user_principal(request, token)
    grant = await grant_for(request, token)
    site_id = _choose_site(request, grant)
    return Principal(site_id=site_id, key_id=grant.key_id, permissions=grant.permissions)


def require(
    permission: Permission, *alternatives: Permission
) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency admitting callers holding ``permission`` (or any of ``alternatives``)."""
    accepted = (permission, *alternatives)

    async def authenticate(request: Request) -> Principal:
        principal = await _principal(request)
        if not any(p in principal.permissions for p in accepted):
            raise MissingPermission(
                f"This caller lacks the permission '{permission.value}'; use an API key with a "
                "scope that grants it (see the README's scope table) or an admin account"
            )
        return principal

    return authenticate


StaffReader = Annotated[Principal, Depends(require(Permission.STAFF_READ))]
# Admits staff members reading their own record too; routes check which record.
OwnStaffReader = Annotated[
    Principal, Depends(require(Permission.STAFF_READ, Permission.STAFF_READ_OWN))
]
StaffWriter = Annotated[Principal, Depends(require(Permission.STAFF_WRITE))]
MediaWriter = Annotated[Principal, Depends(require(Permission.MEDIA_WRITE))]
CalendarReader = Annotated[Principal, Depends(require(Permission.CALENDAR_READ))]
CalendarWriter = Annotated[Principal, Depends(require(Permission.CALENDAR_WRITE))]
WebhookManager = Annotated[Principal, Depends(require(Permission.WEBHOOKS_MANAGE))]
