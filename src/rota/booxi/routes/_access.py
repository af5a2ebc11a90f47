"""User access and password recovery."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.booxi import service as booxi_service
from rota.booxi.deps import StaffReader, StaffWriter
from rota.booxi.errors import InvalidRecoveryCode
from rota.booxi.mapping import AccessRecord, StaffRecord
from rota.booxi.routes._common import BASE, MAX_ID, STAFF, StaffId
from rota.booxi.schemas import (
    BooxiPasswordRecovery,
    BooxiPasswordReset,
    BooxiPasswordResetDone,
    BooxiStaff,
    BooxiUserAccess,
    BooxiUserAccessResponse,
    BooxiUserAccessWrite,
)
from rota.config import Settings
from rota.core.deps import NowDep, ReadSessionDep, SessionDep, SettingsDep
from rota.core.responses import json_response
from rota.staff import invitation_mail

router = APIRouter(tags=["Booxi Staff"])


def _access_response(access: AccessRecord, staff: StaffRecord, settings: Settings) -> Response:
    return json_response(
        BooxiUserAccessResponse(
            user_access=BooxiUserAccess.of(access),
            staff=BooxiStaff.of(staff, media_base_url=settings.public_base_url),
        )
    )


@router.get(
    STAFF + "/{staffId}/userAccess",
    response_model=BooxiUserAccessResponse,
    response_model_exclude_none=True,
)
async def get_user_access(
    staff_id: StaffId, partner: StaffReader, session: ReadSessionDep, settings: SettingsDep
) -> Response:
    """`provider` and `canLogin` appear only when a user access exists; without one the
    `loginEmail` is empty."""
    access, staff = await booxi_service.get_user_access(
        session, partnership=partner.site_ids, number=staff_id
    )
    return _access_response(access, staff, settings)


@router.put(
    STAFF + "/{staffId}/userAccess",
    response_model=BooxiUserAccessResponse,
    response_model_exclude_none=True,
)
async def save_user_access(
    staff_id: StaffId,
    body: BooxiUserAccessWrite,
    partner: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    request: Request,
    send_email_invite: Annotated[bool, Query(alias="sendEmailInvite")] = True,
) -> Response:
    """Create or change the user access; with `sendEmailInvite` (default true) the user is
    e-mailed an invitation once this request has committed."""
    saved = await booxi_service.save_user_access(
        session,
        partnership=partner.site_ids,
        number=staff_id,
        change=booxi_service.AccessChange(
            login_email=body.login_email,
            user_role=body.user_role,
            can_login=body.can_login,
            provider=body.provider,
            staff_number=body.staff_id,
        ),
        send_invite=send_email_invite,
        invitation_lifetime=timedelta(days=settings.invitation_days),
        ctx=partner.write_context(now, settings),
    )
    if saved.invitation is not None:
        invitation_mail.send_after_commit(
            session,
            mailer=request.app.state.mailer,
            sessionmaker=request.app.state.sessionmaker,
            settings=settings,
            invite=saved.invitation,
        )
    return _access_response(saved.access, saved.staff, settings)


@router.post(
    STAFF + "/{staffId}/passwordRecovery",
    response_model=BooxiPasswordRecovery,
    response_model_exclude_none=True,
)
async def create_staff_password_recovery(
    staff_id: StaffId, partner: StaffWriter, session: SessionDep, now: NowDep
) -> Response:
    """A code to reset the password of the staff member's account (at most five per user in
    24 hours, then 429)."""
    record = await booxi_service.request_password_recovery(
        session, partnership=partner.site_ids, number=staff_id, now=now
    )
    return json_response(BooxiPasswordRecovery.of(record))


# Reading a code is as sensitive as making one, so it needs the write permission too.
@router.get(
    STAFF + "/{staffId}/passwordRecovery/{requestId}",
    response_model=BooxiPasswordRecovery,
    response_model_exclude_none=True,
)
async def get_staff_password_recovery(
    staff_id: StaffId,
    request_id: Annotated[int, Path(alias="requestId", ge=1, le=MAX_ID)],
    partner: StaffWriter,
    session: ReadSessionDep,
    now: NowDep,
) -> Response:
    record = await booxi_service.get_password_recovery(
        session, partnership=partner.site_ids, number=staff_id, request_id=request_id, now=now
    )
    return json_response(BooxiPasswordRecovery.of(record))


@router.post(
    BASE + "/passwordRecovery/reset",
    response_model=BooxiPasswordResetDone,
    response_model_exclude_none=True,
)
async def reset_password(body: BooxiPasswordReset, request: Request, now: NowDep) -> Response:
    """A Rota addition, for the user (no partner key): set a new password with the login
    e-mail and the current recovery code. Five wrong codes use the code up."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    # Its own transaction: a wrong code is counted even though the answer is an error.
    async with sessionmaker.begin() as session:
        done = await booxi_service.reset_password(
            session, login_email=body.login_email, code=body.code, password=body.password, now=now
        )
    if not done:
        raise InvalidRecoveryCode(
            "The login e-mail and code do not match a valid recovery code",
            details={"parameter": "code"},
        )
    return json_response(BooxiPasswordResetDone())
