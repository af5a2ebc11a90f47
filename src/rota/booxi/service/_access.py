"""User access: the login e-mail, role, sign-in switch and identity provider of a staff member's
user account, and its invitation.

Booxi's ``invitationStatus`` is the staff member's connection to an account: ``ToInvite`` (not
connected), ``Invited`` (an invitation is out: the accounts' single-use e-mail link),
``Accepted`` (connected). Inviting and connecting are the staff domain's (``connection``), so an
access set up through Booxi and one made with the Wix connect call are the same thing.

- ``sendEmailInvite`` (default true) sends the invitation when the access is created or its
  invitation lapsed; false only records the access (still ``ToInvite``). A login e-mail that
  already belongs to a member of the site connects at once (``Accepted``).
- The role goes on the invitation, and becomes the site membership's role on acceptance; later
  changes apply to the membership directly.
- ``canLogin: false`` takes the account's membership of this site away (it cannot sign in there;
  its tokens stop working at once) while keeping the connection; true gives it back with the role.
  For an invitation still out it withdraws the invitation (back to ``ToInvite``); a ``ToInvite``
  access with ``canLogin: false`` sends none.
- The login e-mail cannot change once invited (Booxi's rule); the domain of the login e-mail
  must be one of the merchant's identity provider's domains when the merchant has one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from rota.booxi import repository
from rota.booxi.errors import (
    LoginEmailDomain,
    LoginEmailLocked,
    TemplateWithoutAccess,
    at,
    invalid,
)
from rota.booxi.mapping import (
    AccessRecord,
    InvitationStatus,
    Provider,
    StaffRecord,
    UserRole,
    domain_allowed,
    invitation_status,
    site_role,
)
from rota.booxi.models import UserAccess
from rota.booxi.service._merchants import Partnership
from rota.booxi.service._records import access_record, staff_record
from rota.booxi.service._staff import staff_row
from rota.core.context import WriteContext
from rota.core.errors import FieldViolation
from rota.identity import account_service
from rota.identity.errors import InvalidEmail
from rota.staff import connection
from rota.staff.connection import InvitationToSend


async def get_user_access(
    session: AsyncSession, *, partnership: Partnership, number: int
) -> tuple[AccessRecord, StaffRecord]:
    row = await staff_row(session, partnership=partnership, number=number)
    return access_record(row), staff_record(row)


@dataclass(frozen=True)
class AccessChange:
    login_email: str
    user_role: UserRole | None = None
    can_login: bool | None = None
    provider: Provider | None = None
    # The staffId echoed in the body, if any: it must be the path's.
    staff_number: int | None = None


@dataclass(frozen=True)
class SavedAccess:
    access: AccessRecord
    staff: StaffRecord
    # The e-mail to send once the transaction commits.
    invitation: InvitationToSend | None


async def _set_site_access(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    site_id: uuid.UUID,
    role: UserRole,
    can_login: bool,
    now: datetime,
) -> None:
    """Make the account's membership of the site match the access: present with the role when
    it may sign in, absent otherwise."""
    if not can_login:
        await account_service.revoke_membership(session, user_id=user_id, site_id=site_id)
        return
    granted = await account_service.grant_membership(
        session, user_id=user_id, site_id=site_id, role=site_role(role), now=now
    )
    if not granted:
        await account_service.change_member_role(
            session, user_id=user_id, site_id=site_id, role=site_role(role), now=now
        )


async def _invite(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    staff_id: uuid.UUID,
    email: str,
    role: UserRole,
    lifetime: timedelta,
    ctx: WriteContext,
) -> InvitationToSend | None:
    """Connect (at once for a member of the site, else by invitation carrying ``role``)."""
    staff, invite = await connection.connect_staff_member(
        session,
        site_id=site_id,
        staff_id=staff_id,
        email=email,
        invitation_lifetime=lifetime,
        ctx=ctx,
    )
    if invite is None and staff.wix_user_id is not None:
        await _set_site_access(
            session,
            user_id=staff.wix_user_id,
            site_id=site_id,
            role=role,
            can_login=True,
            now=ctx.now,
        )
    await _set_invitation_role(session, site_id=site_id, staff_id=staff_id, role=role)
    return invite


async def _set_invitation_role(
    session: AsyncSession, *, site_id: uuid.UUID, staff_id: uuid.UUID, role: UserRole
) -> None:
    await account_service.set_invitation_role(
        session, site_id=site_id, staff_member_id=staff_id, role=site_role(role)
    )


def _login_email(value: str) -> str:
    try:
        return account_service.normalize_email(value, "loginEmail")
    except InvalidEmail as error:
        raise invalid("loginEmail", error.message) from None


async def save_user_access(
    session: AsyncSession,
    *,
    partnership: Partnership,
    number: int,
    change: AccessChange,
    send_invite: bool,
    invitation_lifetime: timedelta,
    ctx: WriteContext,
) -> SavedAccess:
    row = await staff_row(session, partnership=partnership, number=number)
    staff = row.staff
    if change.staff_number is not None and change.staff_number != number:
        raise invalid("staffId", f"The body's staffId must be the path's ({number})")
    if row.profile is not None and row.profile.is_template:
        raise TemplateWithoutAccess(
            "A staff template is not a person and has no user access", details=at("staffId")
        )
    email = _login_email(change.login_email)
    merchant = row.merchant
    domains = merchant.idp_domains if merchant is not None else []
    if domains and not domain_allowed(email, domains):
        raise LoginEmailDomain(
            f"The merchant signs in through {merchant.idp_name if merchant else ''}: the login "
            f"e-mail must be in one of its domains ({', '.join(domains)})",
            violations=[FieldViolation("loginEmail", "domain not allowed", "IDP_DOMAIN")],
        )
    current = access_record(row)
    status = invitation_status(staff.connection_status)
    if status is not InvitationStatus.TO_INVITE and email != current.login_email.lower():
        raise LoginEmailLocked(
            f"The login e-mail cannot change once the user is {status.value.lower()}; it is "
            f"{current.login_email}",
            details=at("loginEmail"),
        )
    stored = row.access
    provider = change.provider or (
        Provider(stored.provider)
        if stored
        else Provider.SAML
        if merchant is not None and merchant.idp_name
        else Provider.BOOXI
    )
    if provider is Provider.SAML and (merchant is None or not merchant.idp_name):
        raise invalid("provider", "provider saml needs an identity provider set for the merchant")
    role = change.user_role or (current.user_role if current.exists else UserRole.STAFF)
    can_login = change.can_login
    if can_login is None:
        can_login = current.can_login if current.exists else True
    if stored is None:
        stored = UserAccess(staff_member_id=staff.id, created_at=ctx.now)
        session.add(stored)
    stored.login_email, stored.user_role, stored.provider = email, role.value, provider.value
    stored.can_login, stored.updated_at = can_login, ctx.now

    invite = None
    site_id = staff.site_id
    if status is InvitationStatus.ACCEPTED and staff.wix_user_id is not None:
        await _set_site_access(
            session,
            user_id=staff.wix_user_id,
            site_id=site_id,
            role=role,
            can_login=can_login,
            now=ctx.now,
        )
    elif status is InvitationStatus.INVITED and not can_login:
        await connection.disconnect_staff_member(
            session, site_id=site_id, staff_id=staff.id, ctx=ctx
        )
    elif can_login:
        pending = await account_service.pending_invitation(
            session, site_id=site_id, staff_member_id=staff.id
        )
        lapsed = pending is None or pending.sent_at is None or pending.expires_at <= ctx.now
        if send_invite and lapsed:
            invite = await _invite(
                session,
                site_id=site_id,
                staff_id=staff.id,
                email=email,
                role=role,
                lifetime=invitation_lifetime,
                ctx=ctx,
            )
        else:
            await _set_invitation_role(session, site_id=site_id, staff_id=staff.id, role=role)
    await session.flush()
    fresh = await repository.staff_by_id(session, staff.id)
    assert fresh is not None
    return SavedAccess(access_record(fresh), staff_record(fresh), invite)
