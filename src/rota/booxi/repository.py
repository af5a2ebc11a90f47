"""Queries of the Booxi dialect.

Booxi is a view over the shared staff members and accounts: its reads join the staff and
identity tables to its own (one query per page, never one per row). Its writes to those tables
go through their services, so revisions, domain events and invitations behave the same in both
dialects; the only rows written here are Booxi's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from rota.booxi.mapping import CodeState, PersonnelType, StaffStatus
from rota.booxi.models import (
    HeadOfficeGroup,
    Merchant,
    MerchantModule,
    ModuleLink,
    PasswordRecovery,
    StaffProfile,
    UserAccess,
    WorkSchedule,
)
from rota.booxi.work_schedule import DateSpan
from rota.core.db import dialect_insert
from rota.identity.models import Invitation, SiteMembership, User
from rota.staff.models import StaffMember


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def delete(session: AsyncSession, row: object) -> None:
    await session.delete(row)
    await session.flush()


# ------------------------------------------------------------------ merchants and groups


async def ensure_merchant(session: AsyncSession, *, site_id: uuid.UUID, now: datetime) -> Merchant:
    """The site's merchant, numbering the site if it has none yet. Concurrent callers may race
    to number the same site; the unique site id lets exactly one insert win."""
    query = sa.select(Merchant).where(Merchant.site_id == site_id)
    found = await session.scalar(query)
    if found is None:
        insert = dialect_insert(session)(Merchant).values(
            site_id=site_id, idp_domains=[], created_at=now
        )
        await session.execute(insert.on_conflict_do_nothing(index_elements=["site_id"]))
        found = (await session.scalars(query)).one()
    return found


async def merchant(session: AsyncSession, merchant_id: int) -> Merchant | None:
    return await session.get(Merchant, merchant_id)


async def lock_merchant_of_site(session: AsyncSession, site_id: uuid.UUID) -> None:
    """Hold the merchant's row until commit (PostgreSQL; SQLite writers queue anyway), so
    checks spanning several of its staff (external ids) see no concurrent writer."""
    await session.execute(
        sa.select(Merchant.id).where(Merchant.site_id == site_id).with_for_update()
    )


async def group(session: AsyncSession, group_id: int) -> HeadOfficeGroup | None:
    return await session.get(HeadOfficeGroup, group_id)


async def groups(session: AsyncSession) -> Sequence[HeadOfficeGroup]:
    return (await session.scalars(sa.select(HeadOfficeGroup).order_by(HeadOfficeGroup.id))).all()


async def group_headed_by(session: AsyncSession, site_id: uuid.UUID) -> HeadOfficeGroup | None:
    return await session.scalar(
        sa.select(HeadOfficeGroup).where(HeadOfficeGroup.head_office_site_id == site_id)
    )


async def modules_of_sites(
    session: AsyncSession, site_ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, str]]:
    rows = await session.execute(
        sa.select(MerchantModule.site_id, MerchantModule.module_id)
        .where(MerchantModule.site_id.in_(site_ids))
        .order_by(MerchantModule.module_id)
    )
    return [(row[0], row[1]) for row in rows]


async def enable_module(
    session: AsyncSession, *, site_id: uuid.UUID, module_id: str, now: datetime
) -> None:
    insert = dialect_insert(session)(MerchantModule).values(
        site_id=site_id, module_id=module_id, created_at=now
    )
    await session.execute(insert.on_conflict_do_nothing())


# ------------------------------------------------------------------ staff


class StaffRow(NamedTuple):
    """A staff member with everything the Booxi dialect shows about it."""

    staff: StaffMember
    profile: StaffProfile | None
    access: UserAccess | None
    # The connected account and its membership of the staff member's site.
    user: User | None
    membership: SiteMembership | None
    # The pending invitation to connect, if one is out.
    invitation: Invitation | None
    merchant: Merchant | None
    template_number: int | None


_Template = aliased(StaffMember)
_StaffSelect = sa.Select[
    StaffMember, StaffProfile, UserAccess, User, SiteMembership, Invitation, Merchant, int
]


def _staff_query() -> _StaffSelect:
    return (
        sa.select(
            StaffMember,
            StaffProfile,
            UserAccess,
            User,
            SiteMembership,
            Invitation,
            Merchant,
            _Template.number,
        )
        .outerjoin(StaffProfile, StaffProfile.staff_member_id == StaffMember.id)
        .outerjoin(UserAccess, UserAccess.staff_member_id == StaffMember.id)
        .outerjoin(User, User.id == StaffMember.wix_user_id)
        .outerjoin(
            SiteMembership,
            sa.and_(
                SiteMembership.user_id == StaffMember.wix_user_id,
                SiteMembership.site_id == StaffMember.site_id,
            ),
        )
        .outerjoin(
            Invitation,
            sa.and_(
                Invitation.site_id == StaffMember.site_id,
                Invitation.staff_member_id == StaffMember.id,
                Invitation.state == "PENDING",
            ),
        )
        .outerjoin(Merchant, Merchant.site_id == StaffMember.site_id)
        .outerjoin(_Template, _Template.id == StaffProfile.template_id)
        .where(StaffMember.deleted_at.is_(None))
    )


async def _rows(session: AsyncSession, query: _StaffSelect) -> list[StaffRow]:
    return [StaffRow(*row) for row in await session.execute(query)]


async def staff_by_number(
    session: AsyncSession, *, site_ids: Sequence[uuid.UUID], number: int
) -> StaffRow | None:
    rows = await _rows(
        session,
        _staff_query().where(StaffMember.number == number, StaffMember.site_id.in_(site_ids)),
    )
    return rows[0] if rows else None


async def staff_by_id(session: AsyncSession, staff_id: uuid.UUID) -> StaffRow | None:
    rows = await _rows(session, _staff_query().where(StaffMember.id == staff_id))
    return rows[0] if rows else None


def _personnel_type() -> ColumnElement[str]:
    """Booxi's personnel type; staff without Booxi fields have the type their Wix
    service-provider flag implies."""
    return sa.case(
        (StaffProfile.personnel_type.is_not(None), StaffProfile.personnel_type),
        (StaffMember.service_provider, PersonnelType.STANDARD.value),
        else_=PersonnelType.USER.value,
    )


@dataclass(frozen=True)
class StaffSearch:
    """``GET /staff/list`` criteria, already checked; all given criteria must hold."""

    site_ids: tuple[uuid.UUID, ...]
    module_id: str | None = None
    external_id: str | None = None
    # "First Last": narrows to the names; the caller checks the exact pair.
    full_name: str | None = None
    communication_email: str | None = None
    login_email: str | None = None
    status: StaffStatus | None = None
    personnel_type: PersonnelType | None = None


async def search_staff(
    session: AsyncSession, search: StaffSearch, *, after: int | None, limit: int
) -> list[StaffRow]:
    """Up to ``limit`` live staff members matching ``search``, by staff number after ``after``."""
    query = _staff_query().where(StaffMember.site_id.in_(search.site_ids))
    if search.module_id is not None:
        query = query.where(
            sa.exists().where(
                ModuleLink.staff_member_id == StaffMember.id,
                ModuleLink.module_id == search.module_id,
                ModuleLink.external_id == search.external_id,
            )
        )
    if search.full_name is not None:
        query = query.where(StaffMember.name == search.full_name)
    if search.communication_email is not None:
        query = query.where(sa.func.lower(StaffMember.email) == search.communication_email)
    if search.login_email is not None:
        query = query.where(
            sa.or_(
                UserAccess.login_email == search.login_email,
                User.email == search.login_email,
                Invitation.email == search.login_email,
            )
        )
    if search.status is not None:
        status = sa.func.coalesce(StaffProfile.status, StaffStatus.ONLINE.value)
        query = query.where(status == search.status.value)
    if search.personnel_type is not None:
        query = query.where(_personnel_type() == search.personnel_type.value)
    if after is not None:
        query = query.where(StaffMember.number > after)
    return await _rows(session, query.order_by(StaffMember.number).limit(limit))


async def lock_staff(session: AsyncSession, staff_id: uuid.UUID) -> None:
    """Hold the staff member's row until commit (PostgreSQL; SQLite writers queue anyway), so
    checks spanning several rows of it (schedule overlaps) see no concurrent writer."""
    await session.execute(
        sa.select(StaffMember.id).where(StaffMember.id == staff_id).with_for_update()
    )


async def lock_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Hold the account's row until commit (PostgreSQL; SQLite writers queue anyway), so checks
    spanning the account's rows in every merchant (password-recovery limits) see no
    concurrent writer."""
    await session.execute(sa.select(User.id).where(User.id == user_id).with_for_update())


# ------------------------------------------------------------------ module links


async def module_link(
    session: AsyncSession, *, staff_id: uuid.UUID, module_id: str
) -> ModuleLink | None:
    return await session.get(ModuleLink, (staff_id, module_id))


async def external_id_taken(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    module_id: str,
    external_id: str,
    other_than: uuid.UUID,
) -> int | None:
    """The number of another live staff member of the site holding ``external_id``."""
    return await session.scalar(
        sa.select(StaffMember.number)
        .join(ModuleLink, ModuleLink.staff_member_id == StaffMember.id)
        .where(
            ModuleLink.module_id == module_id,
            ModuleLink.external_id == external_id,
            ModuleLink.site_id == site_id,
            StaffMember.id != other_than,
            StaffMember.deleted_at.is_(None),
        )
        .limit(1)
    )


# ------------------------------------------------------------------ password recovery


async def count_recoveries(session: AsyncSession, *, user_id: uuid.UUID, since: datetime) -> int:
    return int(
        await session.scalar(
            sa.select(sa.func.count()).where(
                PasswordRecovery.user_id == user_id,
                PasswordRecovery.requested_at > since,
            )
        )
        or 0
    )


async def expire_recoveries(session: AsyncSession, *, user_id: uuid.UUID) -> None:
    """A new code supersedes the user's earlier ones."""
    await session.execute(
        sa.update(PasswordRecovery)
        .where(PasswordRecovery.user_id == user_id, PasswordRecovery.state == CodeState.VALID.value)
        .values(state=CodeState.EXPIRED.value)
    )


async def recovery(
    session: AsyncSession, *, staff_id: uuid.UUID, request_id: int
) -> PasswordRecovery | None:
    return await session.scalar(
        sa.select(PasswordRecovery).where(
            PasswordRecovery.id == request_id,
            PasswordRecovery.staff_member_id == staff_id,
        )
    )


async def latest_valid_recovery(
    session: AsyncSession, *, user_id: uuid.UUID
) -> PasswordRecovery | None:
    return await session.scalar(
        sa.select(PasswordRecovery)
        .where(PasswordRecovery.user_id == user_id, PasswordRecovery.state == CodeState.VALID.value)
        .order_by(PasswordRecovery.id.desc())
        .limit(1)
        .with_for_update()
    )


# ------------------------------------------------------------------ schedules


async def schedules(
    session: AsyncSession,
    staff_id: uuid.UUID,
    *,
    meeting: DateSpan | None = None,
    after: int | None = None,
    limit: int | None = None,
) -> Sequence[WorkSchedule]:
    """A staff member's schedules by id, optionally only those sharing a date with
    ``meeting``, from just past ``after``."""
    query = sa.select(WorkSchedule).where(WorkSchedule.staff_member_id == staff_id)
    if meeting is not None:
        if meeting.end is not None:
            query = query.where(WorkSchedule.start_date <= meeting.end)
        query = query.where(
            sa.or_(
                WorkSchedule.end_date.is_(None),
                WorkSchedule.end_date >= meeting.start,
            )
        )
    if after is not None:
        query = query.where(WorkSchedule.id > after)
    return (await session.scalars(query.order_by(WorkSchedule.id).limit(limit))).all()


async def schedule(
    session: AsyncSession, *, staff_id: uuid.UUID, schedule_id: int
) -> WorkSchedule | None:
    return await session.scalar(
        sa.select(WorkSchedule).where(
            WorkSchedule.id == schedule_id,
            WorkSchedule.staff_member_id == staff_id,
        )
    )
