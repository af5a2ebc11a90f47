"""Authentication of the Booxi dialect: the ``Booxi-PartnerKey`` header carries a Rota API key,
and the key's sites are the partner's merchants (its partnership). Keys, scopes and the key
cache are the same as for the Wix dialect's ``Authorization`` header."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from rota.config import Settings
from rota.core.context import Actor, WriteContext
from rota.identity.deps import grant_for
from rota.identity.errors import MissingCredentials, MissingPermission
from rota.identity.permissions import Permission

PARTNER_KEY_HEADER = "Booxi-PartnerKey"


@dataclass(frozen=True)
class Partner:
    """The caller: a partner key and the sites (merchants) it may act on."""

    key_id: uuid.UUID
    site_ids: tuple[uuid.UUID, ...]

    def write_context(self, now: datetime, settings: Settings) -> WriteContext:
        return WriteContext(
            now=now, actor=Actor("APP", self.key_id), public_base_url=settings.public_base_url
        )


def partner(permission: Permission) -> Callable[[Request], Awaitable[Partner]]:
    """A dependency admitting partner keys whose scopes grant ``permission``."""

    async def authenticate(request: Request) -> Partner:
        token = request.headers.get(PARTNER_KEY_HEADER, "").strip()
        if not token:
            raise MissingCredentials(
                f"Send your partner API key in the {PARTNER_KEY_HEADER} header"
            )
        grant = await grant_for(request, token)
        if permission not in grant.permissions:
            raise MissingPermission(
                f"This partner key lacks the permission '{permission.value}'; use a key with a "
                "scope that grants it (see the README's scope table)"
            )
        return Partner(key_id=grant.key_id, site_ids=grant.site_ids)

    return authenticate


StaffReader = Annotated[Partner, Depends(partner(Permission.STAFF_READ))]
StaffWriter = Annotated[Partner, Depends(partner(Permission.STAFF_WRITE))]
ScheduleReader = Annotated[Partner, Depends(partner(Permission.CALENDAR_READ))]
ScheduleWriter = Annotated[Partner, Depends(partner(Permission.CALENDAR_WRITE))]
