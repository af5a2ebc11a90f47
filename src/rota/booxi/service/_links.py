"""Module links: a staff member's external id (and the partner's own metadata) in a module such
as an HR system, so the partner finds the staff member again by its own id.

Within a merchant an external id names one live staff member per module (a second one is
Booxi's ``InvalidExternalId`` conflict); the same id may recur in other merchants, so an
external-id search across a partnership can find the same person's staff in several stores.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from rota.booxi import repository
from rota.booxi.errors import InvalidExternalId, ModuleLinkNotFound, ModuleNotFound, at
from rota.booxi.mapping import StaffRecord
from rota.booxi.models import ModuleLink
from rota.booxi.repository import StaffRow
from rota.booxi.service._merchants import Partnership, sites_with_module
from rota.booxi.service._records import staff_record
from rota.booxi.service._staff import staff_row
from rota.core.context import WriteContext


async def _linkable(
    session: AsyncSession, partnership: Partnership, number: int, module_id: str
) -> StaffRow:
    row = await staff_row(session, partnership=partnership, number=number)
    if not await sites_with_module(session, site_ids=[row.staff.site_id], module_id=module_id):
        raise ModuleNotFound(
            f"Module {module_id!r} is not enabled for the merchant of staff {number}",
            details=at("moduleId"),
        )
    return row


async def get_module_link(
    session: AsyncSession, *, partnership: Partnership, number: int, module_id: str
) -> tuple[ModuleLink, StaffRecord]:
    row = await _linkable(session, partnership, number, module_id)
    link = await repository.module_link(session, staff_id=row.staff.id, module_id=module_id)
    if link is None:
        raise ModuleLinkNotFound(
            f"Staff {number} has no link in module {module_id!r}", details=at("moduleId")
        )
    return link, staff_record(row)


async def save_module_link(
    session: AsyncSession,
    *,
    partnership: Partnership,
    number: int,
    module_id: str,
    external_id: str,
    metadata: Mapping[str, str] | None,
    ctx: WriteContext,
) -> tuple[ModuleLink, StaffRecord]:
    """Create or replace the link; ``metadata`` None keeps the stored metadata."""
    row = await _linkable(session, partnership, number, module_id)
    staff = row.staff
    # One writer per merchant at a time, so two staff cannot both claim the same external id.
    await repository.lock_merchant_of_site(session, staff.site_id)
    holder = await repository.external_id_taken(
        session,
        site_id=staff.site_id,
        module_id=module_id,
        external_id=external_id,
        other_than=staff.id,
    )
    if holder is not None:
        raise InvalidExternalId(
            f"External id {external_id!r} of module {module_id!r} already belongs to staff "
            f"{holder} of this merchant",
            details=at("externalId", staffId=holder),
        )
    link = await repository.module_link(session, staff_id=staff.id, module_id=module_id)
    if link is None:
        link = ModuleLink(
            staff_member_id=staff.id,
            module_id=module_id,
            site_id=staff.site_id,
            external_id=external_id,
            link_metadata=dict(metadata or {}),
            created_at=ctx.now,
            updated_at=ctx.now,
        )
        await repository.add(session, link)
    else:
        link.external_id = external_id
        if metadata is not None:
            link.link_metadata = dict(metadata)
        link.updated_at = ctx.now
    return link, staff_record(row)
