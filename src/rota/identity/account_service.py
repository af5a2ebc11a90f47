"""User accounts: sign-in with rate limiting, access and refresh tokens, site memberships and
invitations. Invitations are created and accepted here; connecting a staff member on acceptance
is the staff domain's business."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from rota.identity import account_repository as repository
from rota.identity.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidEmail,
    InvitationExpired,
    InvitationNotFound,
    InvitationUsed,
    LoginDisabled,
    NotASiteMember,
    SiteRequired,
    TooManyAttempts,
    UserNotFound,
    WeakPassword,
)
from rota.identity.models import Invitation, RefreshToken, SiteMembership, User
from rota.identity.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from rota.identity.roles import Role
from rota.identity.tokens import ACCESS_TOKEN_LIFETIME, AccessClaims, issue_access_token

REFRESH_TOKEN_LIFETIME = timedelta(days=30)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 30
PENDING, ACCEPTED, CANCELLED = "PENDING", "ACCEPTED", "CANCELLED"


def _digest(secret_text: str) -> str:
    return hashlib.sha256(secret_text.encode()).hexdigest()


def normalize_email(email: str, field: str = "email") -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise InvalidEmail(f"{field} is not a valid e-mail address: {error}") from None


def check_password(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise WeakPassword(
            f"A password needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
        )


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await repository.user_by_email(session, normalize_email(email))


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await repository.user_by_id(session, user_id)
    if user is None:
        raise UserNotFound(f"User {user_id} does not exist")
    return user


async def create_user(
    session: AsyncSession, *, email: str, password: str | None, now: datetime
) -> User:
    address = normalize_email(email)
    if await repository.user_by_email(session, address) is not None:
        raise EmailTaken(f"An account for {address} already exists")
    if password is not None:
        check_password(password)
    user = User(
        id=uuid.uuid4(),
        email=address,
        contact_id=uuid.uuid4(),
        password_hash=hash_password(password) if password is not None else None,
        can_login=True,
        last_login_at=None,
        created_at=now,
        updated_at=now,
    )
    await repository.add(session, user)
    return user


async def membership(
    session: AsyncSession, *, user_id: uuid.UUID, site_id: uuid.UUID
) -> SiteMembership | None:
    return await repository.membership(session, user_id=user_id, site_id=site_id)


async def user_and_membership(
    session: AsyncSession, *, user_id: uuid.UUID, site_id: uuid.UUID
) -> tuple[User | None, SiteMembership | None]:
    return await repository.user_and_membership(session, user_id=user_id, site_id=site_id)


async def grant_membership(
    session: AsyncSession, *, user_id: uuid.UUID, site_id: uuid.UUID, role: Role, now: datetime
) -> bool:
    """Make the user a member with ``role`` unless already a member; True if granted now."""
    if await repository.membership(session, user_id=user_id, site_id=site_id) is not None:
        return False
    await repository.add(
        session,
        SiteMembership(
            user_id=user_id, site_id=site_id, role=role.value, created_at=now, updated_at=now
        ),
    )
    return True


async def revoke_membership(
    session: AsyncSession, *, user_id: uuid.UUID, site_id: uuid.UUID
) -> None:
    await repository.delete_membership(session, user_id=user_id, site_id=site_id)


async def change_member_role(
    session: AsyncSession, *, user_id: uuid.UUID, site_id: uuid.UUID, role: Role, now: datetime
) -> None:
    """Give an existing member another role (nothing happens for a non-member)."""
    member = await repository.membership(session, user_id=user_id, site_id=site_id)
    if member is not None and member.role != role.value:
        member.role = role.value
        member.updated_at = now


async def set_password(session: AsyncSession, *, user: User, password: str, now: datetime) -> None:
    """Replace the user's password (after a recovery). Every refresh token issued so far stops
    working, so sessions opened with the old password end when their access token expires."""
    check_password(password)
    user.password_hash = hash_password(password)
    user.updated_at = now
    await repository.revoke_refresh_tokens(session, user_id=user.id, now=now)


@dataclass(frozen=True)
class SignedIn:
    user: User
    site_id: uuid.UUID
    role: str
    access_token: str
    refresh_token: str
    expires_in: int


async def _throttle(session: AsyncSession, keys: Sequence[str], now: datetime) -> None:
    for key, limit in zip(keys, (MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS), strict=True):
        if await repository.count_failures(session, key=key, since=now - FAILURE_WINDOW) >= limit:
            raise TooManyAttempts(
                "Too many failed sign-ins; wait 15 minutes before trying again",
                details={"retryAfterSeconds": int(FAILURE_WINDOW.total_seconds())},
            )


async def _issue(
    session: AsyncSession,
    user: User,
    site_id: uuid.UUID,
    role: str,
    *,
    secret: str,
    now: datetime,
) -> SignedIn:
    refresh = secrets.token_urlsafe(32)
    await repository.add(
        session,
        RefreshToken(
            token_hash=_digest(refresh),
            user_id=user.id,
            site_id=site_id,
            expires_at=now + REFRESH_TOKEN_LIFETIME,
            revoked_at=None,
        ),
    )
    access = issue_access_token(AccessClaims(user.id, site_id, role), secret=secret, now=now)
    return SignedIn(
        user, site_id, role, access, refresh, int(ACCESS_TOKEN_LIFETIME.total_seconds())
    )


async def sign_in(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    site_id: uuid.UUID | None,
    client_address: str,
    secret: str,
    now: datetime,
) -> SignedIn | None:
    """Check the password (equally slow whether or not the account exists) and open a session
    on one of the user's sites. Wrong credentials give None and are counted per account and
    per client address; the caller must commit before reporting them, so the count sticks."""
    try:
        address = normalize_email(email)
    except InvalidEmail:
        address = email.strip().lower()
    keys = [f"email:{address}", f"ip:{client_address}"]
    await _throttle(session, keys, now)
    user = await repository.user_by_email(session, address)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        await repository.record_failures(session, keys=keys, at=now)
        return None
    if not user.can_login:
        raise LoginDisabled("This account may not sign in; ask a site admin")
    memberships = await repository.memberships_of(session, user.id)
    if site_id is not None:
        chosen = [m for m in memberships if m.site_id == site_id]
        if not chosen:
            raise NotASiteMember(f"This account is not a member of site {site_id}")
    elif len(memberships) == 1:
        chosen = list(memberships)
    elif not memberships:
        raise NotASiteMember("This account is not a member of any site yet")
    else:
        raise SiteRequired("This account belongs to several sites: send siteId")
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    await repository.clear_failures(session, key=keys[0])
    return await _issue(session, user, chosen[0].site_id, chosen[0].role, secret=secret, now=now)


async def refresh(
    session: AsyncSession, *, refresh_token: str, secret: str, now: datetime
) -> SignedIn:
    """Trade a refresh token for a new pair; the old refresh token stops working."""
    stored = await repository.refresh_token(session, _digest(refresh_token))
    # Unknown and reused tokens both end here; neither says which.
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        raise InvalidCredentials("The refresh token is unknown, used or expired: sign in again")
    stored.revoked_at = now
    user = await get_user(session, stored.user_id)
    member = await repository.membership(session, user_id=user.id, site_id=stored.site_id)
    if member is None or not user.can_login:
        raise InvalidCredentials("This session is no longer valid: sign in again")
    return await _issue(session, user, stored.site_id, member.role, secret=secret, now=now)


# ------------------------------------------------------------------ invitations


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    token: str


async def create_invitation(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    staff_member_id: uuid.UUID | None,
    email: str,
    role: Role,
    lifetime: timedelta,
    now: datetime,
) -> NewInvitation:
    """A fresh single-use invitation; earlier pending ones for the same staff member lapse."""
    if staff_member_id is not None:
        await cancel_invitations(session, site_id=site_id, staff_member_id=staff_member_id, now=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        id=uuid.uuid4(),
        site_id=site_id,
        staff_member_id=staff_member_id,
        email=normalize_email(email),
        role=role.value,
        token_hash=_digest(token),
        state=PENDING,
        expires_at=now + lifetime,
        accepted_at=None,
        sent_at=None,
        send_error=None,
        created_at=now,
        updated_at=now,
    )
    await repository.add(session, invitation)
    return NewInvitation(invitation, token)


async def pending_invitation(
    session: AsyncSession, *, site_id: uuid.UUID, staff_member_id: uuid.UUID
) -> Invitation | None:
    return await repository.pending_invitation(
        session, site_id=site_id, staff_member_id=staff_member_id
    )


async def set_invitation_role(
    session: AsyncSession, *, site_id: uuid.UUID, staff_member_id: uuid.UUID, role: Role
) -> None:
    """The role the staff member's pending invitation grants when accepted, if one is pending."""
    pending = await repository.pending_invitation(
        session, site_id=site_id, staff_member_id=staff_member_id
    )
    if pending is not None:
        pending.role = role.value


async def cancel_invitations(
    session: AsyncSession, *, site_id: uuid.UUID, staff_member_id: uuid.UUID, now: datetime
) -> None:
    await repository.cancel_invitations(
        session, site_id=site_id, staff_member_id=staff_member_id, now=now
    )


async def invitation_by_token(session: AsyncSession, token: str, *, now: datetime) -> Invitation:
    """The usable invitation behind a link; used, cancelled or expired links say so."""
    invitation = await repository.invitation_by_hash(session, _digest(token))
    if invitation is None:
        raise InvitationNotFound("This invitation link is not valid")
    if invitation.state != PENDING:
        raise InvitationUsed("This invitation link was already used or withdrawn")
    if invitation.expires_at <= now:
        raise InvitationExpired("This invitation has expired: ask the business to send a new one")
    return invitation


async def record_invitation_sent(
    session: AsyncSession, *, invitation_id: uuid.UUID, error: str | None, now: datetime
) -> None:
    invitation = await repository.invitation_by_id(session, invitation_id)
    if invitation is None:
        return
    if error is None:
        invitation.sent_at, invitation.send_error = now, None
    else:
        invitation.send_error = error[:500]
    invitation.updated_at = now


async def accept_as_user(
    session: AsyncSession, invitation: Invitation, *, password: str, now: datetime
) -> User:
    """The account accepting the invitation: signs in an existing one, or creates it with the
    password. The invitation is used up."""
    user = await repository.user_by_email(session, invitation.email)
    if user is None:
        check_password(password)
        user = await create_user(session, email=invitation.email, password=password, now=now)
    elif not verify_password(user.password_hash, password):
        raise InvalidCredentials("The password is wrong for the invited account")
    invitation.state = ACCEPTED
    invitation.accepted_at = now
    invitation.updated_at = now
    return user
