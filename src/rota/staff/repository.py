"""Queries for staff members. Trashed staff members (``deleted_at`` set) are invisible to every
query here except the trash-bin ones."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from rota.staff.models import StaffMember


async def add(session: AsyncSession, staff: StaffMember) -> None:
    session.add(staff)
    await session.flush()


async def get_live(
    session: AsyncSession, *, site_id: uuid.UUID, staff_id: uuid.UUID
) -> StaffMember | None:
    return await session.scalar(
        sa.select(StaffMember).where(
            StaffMember.id == staff_id,
            StaffMember.site_id == site_id,
            StaffMember.deleted_at.is_(None),
        )
    )


async def get_trashed(
    session: AsyncSession, *, site_id: uuid.UUID, staff_id: uuid.UUID
) -> StaffMember | None:
    return await session.scalar(
        sa.select(StaffMember).where(
            StaffMember.id == staff_id,
            StaffMember.site_id == site_id,
            StaffMember.deleted_at.is_not(None),
        )
    )


async def list_trashed(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    staff_ids: Sequence[uuid.UUID],
    after_id: uuid.UUID | None,
    limit: int,
) -> Sequence[StaffMember]:
    """One page of the trash bin in id order, starting after ``after_id`` (keyset paging)."""
    query = sa.select(StaffMember).where(
        StaffMember.site_id == site_id, StaffMember.deleted_at.is_not(None)
    )
    if staff_ids:
        query = query.where(StaffMember.id.in_(staff_ids))
    if after_id is not None:
        query = query.where(StaffMember.id > after_id)
    return (await session.scalars(query.order_by(StaffMember.id).limit(limit))).all()


async def delete(session: AsyncSession, staff: StaffMember) -> None:
    await session.delete(staff)
    await session.flush()
