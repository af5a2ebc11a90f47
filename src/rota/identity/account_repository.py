"""Queries for users, memberships, invitations, refresh tokens and sign-in failures."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from rota.identity.models import Invitation, LoginFailure, RefreshToken, SiteMembership, User


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(sa.select(User).where(User.email == email))


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def membership(
    session: AsyncSession, *, user_id: uuid.UUID, site_id: uuid.UUID
) -> SiteMembership | None:
    return await session.get(SiteMembership, (user_id, site_id))


async def user_and_membership(
    session: AsyncSession, *, user_id: uuid.UUID, site_id: uuid.UUID
) -> tuple[User | None, SiteMembership | None]:
    """Both in one query: a user-token request checks them every time."""
    row = (
        await session.execute(
            sa.select(User, SiteMembership)
            .outerjoin(
                SiteMembership,
                sa.and_(SiteMembership.user_id == User.id, SiteMembership.site_id == site_id),
            )
            .where(User.id == user_id)
        )
    ).first()
    return (None, None) if row is None else (row[0], row[1])


async def memberships_of(session: AsyncSession, user_id: uuid.UUID) -> Sequence[SiteMembership]:
    return (
        await session.scalars(
            sa.select(SiteMembership)
            .where(SiteMembership.user_id == user_id)
            .order_by(SiteMembership.created_at)
        )
    ).all()


async def delete_membership(
    session: AsyncSession, *, user_id: uuid.UUID, site_id: uuid.UUID
) -> None:
    await session.execute(
        sa.delete(SiteMembership).where(
            SiteMembership.user_id == user_id, SiteMembership.site_id == site_id
        )
    )


async def count_failures(session: AsyncSession, *, key: str, since: datetime) -> int:
    return int(
        await session.scalar(
            sa.select(sa.func.count()).where(LoginFailure.key == key, LoginFailure.at > since)
        )
        or 0
    )


async def record_failures(session: AsyncSession, *, keys: Sequence[str], at: datetime) -> None:
    session.add_all(LoginFailure(id=uuid.uuid4(), key=key, at=at) for key in keys)
    await session.flush()


async def clear_failures(session: AsyncSession, *, key: str) -> None:
    await session.execute(sa.delete(LoginFailure).where(LoginFailure.key == key))


async def refresh_token(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return await session.get(RefreshToken, token_hash)


async def revoke_refresh_tokens(
    session: AsyncSession, *, user_id: uuid.UUID, now: datetime
) -> None:
    await session.execute(
        sa.update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def pending_invitation(
    session: AsyncSession, *, site_id: uuid.UUID, staff_member_id: uuid.UUID
) -> Invitation | None:
    return await session.scalar(
        sa.select(Invitation)
        .where(
            Invitation.site_id == site_id,
            Invitation.staff_member_id == staff_member_id,
            Invitation.state == "PENDING",
        )
        .order_by(Invitation.created_at.desc())
        .limit(1)
    )


async def cancel_invitations(
    session: AsyncSession, *, site_id: uuid.UUID, staff_member_id: uuid.UUID, now: datetime
) -> None:
    await session.execute(
        sa.update(Invitation)
        .where(
            Invitation.site_id == site_id,
            Invitation.staff_member_id == staff_member_id,
            Invitation.state == "PENDING",
        )
        .values(state="CANCELLED", updated_at=now)
    )


async def invitation_by_hash(session: AsyncSession, token_hash: str) -> Invitation | None:
    return await session.scalar(sa.select(Invitation).where(Invitation.token_hash == token_hash))


async def invitation_by_id(session: AsyncSession, invitation_id: uuid.UUID) -> Invitation | None:
    return await session.get(Invitation, invitation_id)
