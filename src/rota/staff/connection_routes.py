"""Wix connect/disconnect routes and the invitation links they e-mail."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from rota.config import Settings
from rota.core.context import SYSTEM, WriteContext
from rota.core.deps import NowDep, ReadSessionDep, SessionDep, SettingsDep
from rota.core.responses import json_response
from rota.core.wire import Timestamp, WireModel
from rota.identity import account_service
from rota.identity.deps import StaffWriter, write_context
from rota.staff import connection, invitation_mail
from rota.staff.connection import InvitationToSend
from rota.staff.invitation_mail import INVITATIONS
from rota.staff.routes import V1, staff_member_response
from rota.staff.schemas import RequestedFields, StaffMemberRead, StaffMemberResponse

router = APIRouter(tags=["Staff Members"])


class ConnectRequest(WireModel):
    email: str | None = Field(default=None, max_length=320)
    fields: RequestedFields
    role_ids: list[str] = Field(default_factory=list, max_length=50)


class DisconnectRequest(WireModel):
    fields: RequestedFields


class AcceptInvitationRequest(WireModel):
    password: str = Field(min_length=1, max_length=200)


class InvitationRead(WireModel):
    email: str
    site_name: str
    staff_member_name: str | None = None
    expires_date: Timestamp
    account_exists: bool


class InvitationResponse(WireModel):
    invitation: InvitationRead


class AcceptedUser(WireModel):
    id: uuid.UUID
    email: str


class AcceptedResponse(WireModel):
    user: AcceptedUser
    staff_member: StaffMemberRead


def send_after_commit(
    session: AsyncSession, request: Request, settings: Settings, invite: InvitationToSend
) -> None:
    """The invitation mail, sent once this request's change has committed."""
    invitation_mail.send_after_commit(
        session,
        mailer=request.app.state.mailer,
        sessionmaker=request.app.state.sessionmaker,
        settings=settings,
        invite=invite,
    )


@router.post(
    V1 + "/{staff_member_id}/connect-staff-member-to-user",
    response_model=StaffMemberResponse,
    response_model_exclude_none=True,
)
async def connect_staff_member_to_user(
    staff_member_id: uuid.UUID,
    body: ConnectRequest,
    principal: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    request: Request,
) -> Response:
    """Connect at once when the e-mail belongs to a member of the site; otherwise e-mail a
    single-use invitation (status PENDING until accepted, EXPIRED after its lifetime)."""
    staff, invite = await connection.connect_staff_member(
        session,
        site_id=principal.site_id,
        staff_id=staff_member_id,
        email=body.email,
        invitation_lifetime=timedelta(days=settings.invitation_days),
        ctx=write_context(principal, now, settings),
    )
    if invite is not None:
        send_after_commit(session, request, settings, invite)
    return staff_member_response(staff, body.fields, settings.public_base_url)


@router.post(
    V1 + "/{staff_member_id}/disconnect-staff-member-from-user",
    response_model=StaffMemberResponse,
    response_model_exclude_none=True,
)
async def disconnect_staff_member_from_user(
    staff_member_id: uuid.UUID,
    principal: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    body: DisconnectRequest | None = None,
) -> Response:
    staff = await connection.disconnect_staff_member(
        session,
        site_id=principal.site_id,
        staff_id=staff_member_id,
        ctx=write_context(principal, now, settings),
    )
    return staff_member_response(staff, body.fields if body else [], settings.public_base_url)


@router.get(INVITATIONS + "/{token}", response_model=InvitationResponse)
async def get_invitation(token: str, session: ReadSessionDep, now: NowDep) -> InvitationResponse:
    """What an invitation link is for; used, withdrawn and expired links answer 410."""
    invitation = await account_service.invitation_by_token(session, token, now=now)
    info = await connection.describe_invitation(session, invitation)
    return InvitationResponse(
        invitation=InvitationRead(
            email=invitation.email,
            site_name=info.site_name,
            staff_member_name=info.staff_name,
            expires_date=invitation.expires_at,
            account_exists=info.account_exists,
        )
    )


@router.post(
    INVITATIONS + "/{token}/accept",
    response_model=AcceptedResponse,
    response_model_exclude_none=True,
)
async def accept_invitation(
    token: str,
    body: AcceptInvitationRequest,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Accept with the account's password (or, for a new account, the password to set)."""
    ctx = WriteContext(now=now, actor=SYSTEM, public_base_url=settings.public_base_url)
    user, staff = await connection.accept_invitation(
        session, token=token, password=body.password, ctx=ctx
    )
    read = StaffMemberRead.from_row(staff, [], media_base_url=settings.public_base_url)
    return json_response(
        AcceptedResponse(user=AcceptedUser(id=user.id, email=user.email), staff_member=read)
    )
