"""Connecting staff members to user accounts: at once for an existing member of the site, by
an e-mailed single-use invitation otherwise; and disconnecting, which takes back what
connecting granted (the WRITER role on the staff member's own schedule, and the site membership
when connecting created it).

Nothing here sends mail: a connect that needs an invitation returns what to send, and the caller
sends it after the transaction commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from rota.calendar import service as calendar_service
from rota.core.context import WriteContext
from rota.identity import account_service
from rota.identity import service as identity_service
from rota.identity.errors import InvitationUsed
from rota.identity.models import Invitation, User
from rota.identity.roles import Role
from rota.staff import events as staff_events
from rota.staff import repository
from rota.staff.errors import (
    InviteAlreadySent,
    NoEmail,
    StaffAlreadyConnected,
    StaffNotConnected,
    UserAlreadyConnected,
)
from rota.staff.models import StaffMember
from rota.staff.service import get_staff_member, save_staff_member

CONNECTED, PENDING, DISCONNECTED = "CONNECTED", "PENDING", "DISCONNECTED"


@dataclass(frozen=True)
class InvitationToSend:
    invitation_id: uuid.UUID
    email: str
    token: str
    site_name: str
    staff_name: str
    expires_at: datetime


async def _attach(
    session: AsyncSession,
    staff: StaffMember,
    user: User,
    *,
    granted_membership: bool,
    ctx: WriteContext,
) -> StaffMember:
    other = await repository.connected_to_user(session, site_id=staff.site_id, user_id=user.id)
    if other is not None and other.id != staff.id:
        raise UserAlreadyConnected(f"User {user.id} already connected")
    staff.wix_user_id = user.id
    staff.contact_id = user.contact_id
    staff.identity_type = "WIX_USER"
    staff.connection_status = CONNECTED
    staff.invitation_expires_at = None
    staff.granted_membership = granted_membership
    await calendar_service.set_schedule_role(
        session,
        site_id=staff.site_id,
        schedule_id=staff.events_schedule_id,
        user_id=str(user.id),
        role="WRITER",
        ctx=ctx,
    )
    connected = partial(
        staff_events.connection_changed, session, staff, ctx, slug="connected_to_user"
    )
    await save_staff_member(session, staff, ctx, announce=connected)
    return staff


async def connect_staff_member(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    staff_id: uuid.UUID,
    email: str | None,
    invitation_lifetime: timedelta,
    ctx: WriteContext,
) -> tuple[StaffMember, InvitationToSend | None]:
    staff = await get_staff_member(session, site_id=site_id, staff_id=staff_id)
    address = email or staff.email
    if not address:
        raise NoEmail(f"Staff: {staff_id} has no email and no additional email was provided")
    address = account_service.normalize_email(address)
    if staff.connection_status == CONNECTED:
        raise StaffAlreadyConnected(f"Staff: {staff_id} is already connected")
    pending = await account_service.pending_invitation(
        session, site_id=site_id, staff_member_id=staff_id
    )
    if pending is not None and pending.expires_at > ctx.now and pending.sent_at is not None:
        raise InviteAlreadySent(f"Staff invite for staff: {staff_id} already sent")

    user = await account_service.find_user_by_email(session, address)
    if user is not None and await account_service.membership(
        session, user_id=user.id, site_id=site_id
    ):
        await account_service.cancel_invitations(
            session, site_id=site_id, staff_member_id=staff_id, now=ctx.now
        )
        return await _attach(session, staff, user, granted_membership=False, ctx=ctx), None

    created = await account_service.create_invitation(
        session,
        site_id=site_id,
        staff_member_id=staff_id,
        email=address,
        role=Role.STAFF,
        lifetime=invitation_lifetime,
        now=ctx.now,
    )
    staff.connection_status = PENDING
    staff.invitation_expires_at = created.invitation.expires_at
    await save_staff_member(
        session, staff, ctx, announce=partial(staff_events.updated, session, staff, ctx)
    )
    site = await identity_service.get_site(session, site_id)
    return staff, InvitationToSend(
        invitation_id=created.invitation.id,
        email=address,
        token=created.token,
        site_name=site.name,
        staff_name=staff.name,
        expires_at=created.invitation.expires_at,
    )


async def disconnect_staff_member(
    session: AsyncSession, *, site_id: uuid.UUID, staff_id: uuid.UUID, ctx: WriteContext
) -> StaffMember:
    staff = await get_staff_member(session, site_id=site_id, staff_id=staff_id)
    if staff.connection_status == DISCONNECTED:
        raise StaffNotConnected(f"Staff: {staff_id} is not connected")
    await account_service.cancel_invitations(
        session, site_id=site_id, staff_member_id=staff_id, now=ctx.now
    )
    user_id = staff.wix_user_id
    if user_id is not None:
        await calendar_service.set_schedule_role(
            session,
            site_id=site_id,
            schedule_id=staff.events_schedule_id,
            user_id=str(user_id),
            role=None,
            ctx=ctx,
        )
        if staff.granted_membership:
            await account_service.revoke_membership(session, user_id=user_id, site_id=site_id)
    staff.wix_user_id = None
    staff.contact_id = None
    staff.identity_type = None
    staff.connection_status = DISCONNECTED
    staff.invitation_expires_at = None
    staff.granted_membership = False
    disconnected = partial(
        staff_events.connection_changed, session, staff, ctx, slug="disconnected_from_user"
    )
    await save_staff_member(session, staff, ctx, announce=disconnected)
    return staff


async def accept_invitation(
    session: AsyncSession, *, token: str, password: str, ctx: WriteContext
) -> tuple[User, StaffMember]:
    """Accept a staff invitation: sign in (or create the account with ``password``), join the
    site, and connect the staff member."""
    invitation = await account_service.invitation_by_token(session, token, now=ctx.now)
    if invitation.staff_member_id is None:
        raise InvitationUsed("This invitation is not for a staff member")
    staff = await repository.get_live(
        session, site_id=invitation.site_id, staff_id=invitation.staff_member_id
    )
    if staff is None:
        raise InvitationUsed("The staff member this invitation was for no longer exists")
    if staff.connection_status == CONNECTED:
        raise StaffAlreadyConnected(f"Staff: {staff.id} is already connected")
    user = await account_service.accept_as_user(session, invitation, password=password, now=ctx.now)
    granted = await account_service.grant_membership(
        session,
        user_id=user.id,
        site_id=invitation.site_id,
        role=Role(invitation.role),
        now=ctx.now,
    )
    return user, await _attach(session, staff, user, granted_membership=granted, ctx=ctx)


@dataclass(frozen=True)
class InvitationDescription:
    site_name: str
    staff_name: str | None
    account_exists: bool


async def describe_invitation(
    session: AsyncSession, invitation: Invitation
) -> InvitationDescription:
    site = await identity_service.get_site(session, invitation.site_id)
    staff = (
        await repository.get_live(
            session, site_id=invitation.site_id, staff_id=invitation.staff_member_id
        )
        if invitation.staff_member_id
        else None
    )
    user = await account_service.find_user_by_email(session, invitation.email)
    return InvitationDescription(site.name, staff.name if staff else None, user is not None)
