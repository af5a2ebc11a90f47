"""Signing keys for Wix-format webhooks: created on first need, rotated on request, published
as a JWKS document (retired keys stay published for a grace period)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rota.events import repository, signing
from rota.events.models import SigningKey

RETIRED_KEY_GRACE = timedelta(days=7)


async def _create(session: AsyncSession, now: datetime) -> SigningKey:
    kid = uuid.uuid4().hex
    pem, jwk = signing.new_rsa_key(kid)
    key = SigningKey(kid=kid, private_pem=pem, public_jwk=jwk, created_at=now, retired_at=None)
    repository.add(session, key)
    await repository.flush(session)
    return key


async def current_signing_key(session: AsyncSession, *, now: datetime) -> tuple[str, str]:
    """(kid, private PEM) of the key that signs now, creating the first one if needed."""
    key = await repository.active_signing_key(session) or await _create(session, now)
    return key.kid, key.private_pem


async def rotate(session: AsyncSession, *, now: datetime) -> str:
    """Retire the signing key(s) and start a new one; returns the new kid."""
    await repository.retire_keys(session, now=now)
    return (await _create(session, now)).kid


async def jwks(session: AsyncSession, *, now: datetime) -> dict[str, Any]:
    keys = await repository.published_keys(session, retired_after=now - RETIRED_KEY_GRACE)
    return {"keys": [key.public_jwk for key in keys]}
