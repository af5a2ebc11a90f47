"""Signing in: access tokens (15 minutes) and single-use refresh tokens (30 days)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.core.deps import NowDep, SessionDep, SettingsDep
from rota.core.wire import WireModel
from rota.identity import account_service
from rota.identity.account_service import SignedIn
from rota.identity.errors import InvalidCredentials

router = APIRouter(tags=["Accounts"])
BASE = "/accounts/v1"


class LoginRequest(WireModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=200)
    site_id: uuid.UUID | None = None


class RefreshRequest(WireModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class SessionUser(WireModel):
    id: uuid.UUID
    email: str


class SessionResponse(WireModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    refresh_token: str
    site_id: uuid.UUID
    role: str
    user: SessionUser


def _session(signed_in: SignedIn) -> SessionResponse:
    return SessionResponse(
        access_token=signed_in.access_token,
        expires_in=signed_in.expires_in,
        refresh_token=signed_in.refresh_token,
        site_id=signed_in.site_id,
        role=signed_in.role,
        user=SessionUser(id=signed_in.user.id, email=signed_in.user.email),
    )


@router.post(BASE + "/login", response_model=SessionResponse)
async def login(
    body: LoginRequest, request: Request, now: NowDep, settings: SettingsDep
) -> SessionResponse:
    """Sign in; send the access token as `Authorization: Bearer <token>`. Wrong e-mails and
    wrong passwords get the same answer, and repeated failures are slowed down (429)."""
    client = request.client.host if request.client else "unknown"
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    # Its own transaction: a failed attempt must be committed before the 401 goes out.
    async with sessionmaker.begin() as session:
        signed_in = await account_service.sign_in(
            session,
            email=body.email,
            password=body.password,
            site_id=body.site_id,
            client_address=client,
            secret=settings.secret_key,
            now=now,
        )
    if signed_in is None:
        raise InvalidCredentials("The e-mail address or password is wrong")
    return _session(signed_in)


@router.post(BASE + "/token", response_model=SessionResponse)
async def refresh_session(
    body: RefreshRequest, session: SessionDep, now: NowDep, settings: SettingsDep
) -> SessionResponse:
    """Exchange a refresh token for a new pair; each refresh token works once."""
    signed_in = await account_service.refresh(
        session, refresh_token=body.refresh_token, secret=settings.secret_key, now=now
    )
    return _session(signed_in)
